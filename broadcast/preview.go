package broadcast

import (
	"context"
	"errors"
	"sync"

	"onair/capture"
)

// Device is a capture device as the window lists it.
type Device = capture.Device

// Device kinds.
const (
	Camera     = capture.Camera
	Microphone = capture.Microphone
	Screen     = capture.Screen
)

// Devices lists the cameras, microphones and screens (never the "null" microphone).
func Devices() []Device { return capture.ListDevices() }

// Preview shows the chosen sources before going live: it reads them and calls the taps, without
// encoding or sending anything.
type Preview struct {
	cancel context.CancelFunc
	src    *sources
	wg     sync.WaitGroup
	errMu  sync.Mutex
	err    error
	pictures
	mix *mixer // nil without sound
}

// StartPreview opens cfg's sources and feeds its taps until Stop.
func StartPreview(cfg Config) (*Preview, error) {
	plan, err := previewPlan(cfg)
	if err != nil {
		return nil, err
	}
	src, err := openSources(plan, capture.NewClock())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Preview{cancel: cancel, src: src}
	taps := &tapper{taps: cfg.Taps, width: plan.Width, height: plan.Height}
	p.startPictures(src.video2, plan.layout, taps, p.setErr)
	if src.video != nil {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for ctx.Err() == nil {
				f, release, err := src.video.Read()
				if err != nil {
					p.setErr(err)
					return
				}
				taps.preview(f)
				release()
			}
		}()
	}
	if src.audio != nil {
		p.mix = mixerFor(src, plan, p.setErr)
		p.wg.Add(1)
		go func() { // the meters show each sound at its level, as it will be mixed
			defer p.wg.Done()
			for ctx.Err() == nil {
				c, release, err := src.audio.Read()
				if err != nil {
					p.setErr(err)
					return
				}
				p1, p2 := p.mix.mix(c.Samples)
				taps.levels(p1, p2, src.audio2 != nil)
				release()
			}
		}()
	}
	return p, nil
}

const previewFPS = 5

// previewPlan resolves only what a preview needs: sources and size, no destination.
func previewPlan(cfg Config) (Plan, error) {
	cfg.Preset, cfg.Server, cfg.Key = "local", "", ""
	cfg.Loop = true
	// The preview shows ten pictures a second (Taps): sources that can are asked for no more.
	cfg.FPS = previewFPS
	if cfg.Video == "none" && cfg.Audio == "none" {
		return Plan{}, errors.New("nothing to preview")
	}
	return cfg.Resolve()
}

func (p *Preview) setErr(err error) {
	p.errMu.Lock()
	if p.err == nil && !errors.Is(err, capture.ErrClosed) {
		p.err = err
	}
	p.errMu.Unlock()
}

// Err returns why a source stopped, if one did.
func (p *Preview) Err() error {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	return p.err
}

// SetSoundLevels sets the sounds' levels (dB) and mutes, as the meters show them.
func (p *Preview) SetSoundLevels(db1, db2 float64, mute1, mute2 bool) {
	if p.mix != nil {
		p.mix.SetGains(db1, db2, mute1, mute2)
	}
}

// Stop closes the sources and waits for the readers.
func (p *Preview) Stop() {
	p.cancel()
	p.src.close()
	p.wg.Wait()
	if p.second != nil {
		<-p.second.done
	}
	if p.mix != nil {
		<-p.mix.done
	}
}
