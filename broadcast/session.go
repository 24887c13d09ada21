// Package broadcast is the session engine: capture -> encoder -> rtmpout, bitrate control,
// reconnect and stats. The window and the `onair stream` command drive it.
package broadcast

import (
	"context"
	"fmt"
	"image"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"onair/broadcast/localtest"
	"onair/capture"
	"onair/encoder"
	"onair/recorder"
	"onair/rtmpout"
)

// Session is one live stream: sources, encoders, and the connection to the platform.
type Session struct {
	plan  Plan
	log   *slog.Logger
	clock *capture.Clock

	src  *sources
	venc *encoder.Video
	aenc *encoder.Audio
	recv *localtest.Receiver

	// audioOut carries encoded audio to the sender, which reads video straight from the encoder:
	// one goroutine less to wake per packet.
	audioOut   chan encoder.Packet
	ctx        context.Context
	cancel     context.CancelFunc // ends the session's goroutines; Stop also closes the sources
	senderDone chan struct{}      // closed when the sender has closed the connection: the session is over
	subs       subscribers
	lat        latencies // video: what the viewer's picture lags behind the camera
	// audioLat is separate: AAC adds about 50 ms by itself (one frame of look-ahead).
	audioLat latencies
	// ctlMu guards the destinations' controllers and the shared rate: setRate applies it to the
	// encoder, sharedRate is the last one applied.
	ctlMu       sync.Mutex
	setRate     func(kbps, level int)
	sharedRate  int
	sharedLevel int // the rate the destinations settle at, which picks the size
	// size is the picture's size asked of the encoder; sizeHeld keeps it while a recording holds
	// the stream's own video (its file keeps one size).
	size     image.Point
	sizeHeld bool
	dests    []*destination
	// keyNeeded asks the sender for a keyframe for a destination that went live, unless one is
	// already on its way.
	keyNeeded chan struct{}

	mu        sync.Mutex
	state     State
	err       error
	endedBy   string // what ended the stream when nobody stopped it
	started   time.Time
	prevVideo uint64 // frames sent at the last snapshot, for fps
	prevAt    time.Time
	taps      *tapper
	pictures         // the second picture, and how the two share the stream's
	mix       *mixer // the sound's levels and the second sound; nil without sound
	// rec is the recording in progress, if any: read for every packet, so not under mu.
	rec atomic.Pointer[recorder.Recorder]
	// fullQuality encodes the recording's video at the chosen bitrate (RecordFullQuality);
	// fullQualityDone is closed once its packets have all gone to the recording.
	fullQuality     atomic.Pointer[encoder.Video]
	fullQualityDone chan struct{}
	recEnded        *recordingEnd // the last recording that ended
}

type packet struct {
	video bool
	encoder.Packet
}

// Start checks cfg, opens the sources and encoders, and starts connecting in the background.
// Errors in the settings or sources come back at once; connection errors arrive as a failed
// state in the stats and from Wait.
func Start(ctx context.Context, cfg Config) (*Session, error) {
	plan, err := cfg.Resolve()
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Session{plan: plan, log: log, clock: capture.NewClock(),
		senderDone: make(chan struct{}), state: StateIdle, keyNeeded: make(chan struct{}, 1), started: time.Now(),
		taps: &tapper{taps: cfg.Taps, width: plan.Width, height: plan.Height}}
	s.ctx, s.cancel = context.WithCancel(ctx)
	for _, w := range plan.Warnings {
		log.Warn(w)
	}
	if s.src, err = openSources(plan, s.clock); err != nil {
		s.cancel()
		return nil, err
	}
	if err := s.openEncoders(); err != nil {
		s.cancel()
		s.src.close()
		return nil, err
	}
	s.size = image.Pt(plan.Width, plan.Height)
	if s.venc != nil {
		divisor := 1
		s.setRate = func(kbps, level int) { // under ctlMu
			if s.plan.sizeSteps() && !s.sizeHeld {
				if size := pictureSize(level, image.Pt(s.plan.Width, s.plan.Height), s.size); size != s.size {
					s.size = size
					_ = s.venc.SetSize(size.X, size.Y) // even by construction
					for _, d := range s.dests {
						d.ctl.resized(s.clock.Now())
					}
				}
			}
			divisor = frameDivisor(kbps, s.size.X, s.size.Y, s.plan.FPS, divisor)
			s.venc.SetFrameDivisor(divisor)
			s.venc.SetBitrate(kbps)
		}
	}
	s.sharedRate, s.sharedLevel = plan.VideoKbps, plan.VideoKbps
	if err := s.openDestinations(); err != nil {
		s.cancel()
		s.src.close()
		s.closeEncoders()
		return nil, err
	}
	if plan.RecordPath != "" {
		if err := s.StartRecording(plan.RecordPath); err != nil {
			s.cancel()
			s.src.close()
			s.closeEncoders()
			return nil, err
		}
	}
	s.setState(StateConnecting, nil)
	// Cancelling ctx ends the session as Stop does: the closed sources end the pipelines.
	context.AfterFunc(s.ctx, s.src.close)
	s.startPipelines()
	go s.runSender()
	go s.statsLoop()
	return s, nil
}

func (s *Session) openEncoders() error {
	p := s.plan
	var err error
	if s.src.video != nil {
		if s.venc, err = s.newVideoEncoder(); err != nil {
			return fmt.Errorf("the video encoder could not start: %w", err)
		}
	}
	if s.src.audio != nil {
		info := s.src.audio.Info()
		s.aenc, err = encoder.NewAudio(encoder.AudioConfig{SampleRate: info.SampleRate, Channels: min(2, info.Channels), BitrateKbps: p.AudioKbps})
		if err != nil {
			s.closeEncoders()
			return fmt.Errorf("the audio encoder could not start: %w", err)
		}
	}
	return nil
}

// newVideoEncoder opens an H.264 encoder for the session's picture at the chosen bitrate.
func (s *Session) newVideoEncoder() (*encoder.Video, error) {
	p := s.plan
	return encoder.NewVideo(encoder.VideoConfig{Width: p.Width, Height: p.Height, FPS: p.FPS,
		BitrateKbps: p.VideoKbps, KeyframeInterval: time.Duration(p.Keyframe * float64(time.Second)),
		TrialCache: p.trialCache(), Logger: s.log})
}

func (s *Session) closeEncoders() {
	if s.venc != nil {
		go func() { // drain whatever is left so Close can finish
			for range s.venc.Packets() {
			}
		}()
		s.venc.Close()
	}
	if s.aenc != nil {
		s.aenc.Close()
	}
}

// Stop ends the session at once, whatever its state, and waits until everything is closed.
func (s *Session) Stop() {
	s.cancel()
	s.src.close()
	<-s.senderDone
}

// Wait waits until the session ends (stopped, failed, or the file source finished) and returns
// why it failed, or why the first destination that failed for good did, or nil.
func (s *Session) Wait() error {
	<-s.senderDone
	s.mu.Lock()
	err := s.err
	s.mu.Unlock()
	for _, d := range s.dests {
		if err == nil {
			err = d.failure()
		}
	}
	return err
}

// Done is closed when the session has ended.
func (s *Session) Done() <-chan struct{} { return s.senderDone }

// Plan returns the resolved settings.
func (s *Session) Plan() Plan { return s.plan }

func (s *Session) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	s.log.Error("session failed", "err", err)
	s.cancel()
	s.src.close()
}

func (s *Session) setState(st State, err error) {
	s.mu.Lock()
	changed := s.state != st
	s.state = st
	if err != nil && s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	if changed {
		s.log.Info("state", "state", st)
		s.publish(false)
	}
}

// SetBitrate changes the video bitrate while live; with adaptation on it becomes the new ceiling.
// It is capped at every destination's limit.
func (s *Session) SetBitrate(kbps int) {
	for _, d := range s.plan.Dests {
		kbps = min(kbps, d.preset.VideoLimit(s.plan.Width, s.plan.Height, s.plan.FPS))
	}
	s.ctlMu.Lock()
	defer s.ctlMu.Unlock()
	if len(s.dests) == 0 {
		if s.setRate != nil {
			s.sharedRate, s.sharedLevel = kbps, kbps
			s.setRate(kbps, kbps)
		}
		return
	}
	for _, d := range s.dests {
		d.ctl.setCeiling(kbps)
	}
}

// openDestinations starts the Local test's receiver if it is one of the destinations, and makes
// each destination's connection keeper (started by the sender).
func (s *Session) openDestinations() error {
	for i := range s.plan.Dests {
		p := &s.plan.Dests[i]
		if !p.localTest {
			continue
		}
		r, err := s.startLocalTest()
		if err != nil {
			return err
		}
		p.server = r.URL
		if p.target, err = rtmpout.ParseURL(r.URL, ""); err != nil {
			r.Stop()
			return err
		}
		s.recv = r
	}
	for i, p := range s.plan.Dests {
		d := newDestination(s, i, p)
		if p.localTest {
			d.recv = s.recv
		}
		s.dests = append(s.dests, d)
	}
	return nil
}

// State returns the current state.
func (s *Session) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}
