package broadcast

import (
	"context"
	"errors"
	"image"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"onair/capture"
	"onair/tools/testpeer"
)

// plug is a USB cable in a test: while out, a device's reads hang and it cannot be opened.
type plug struct{ out atomic.Bool }

// pluggedVideo is the test pattern behind a plug, as a camera behind its cable.
type pluggedVideo struct {
	capture.VideoSource
	plug   *plug
	closed chan struct{}
}

func (p *plug) openVideo(clock *capture.Clock) (capture.VideoSource, error) {
	if p.out.Load() {
		return nil, capture.ErrNoDevice
	}
	tp, err := capture.NewTestPattern(clock, 320, 180, 30)
	if err != nil {
		return nil, err
	}
	return &pluggedVideo{VideoSource: tp, plug: p, closed: make(chan struct{})}, nil
}

func (v *pluggedVideo) Read() (capture.VideoFrame, func(), error) {
	for v.plug.out.Load() { // an unplugged camera just stops answering
		select {
		case <-v.closed:
			return capture.VideoFrame{}, func() {}, capture.ErrClosed
		case <-time.After(10 * time.Millisecond):
		}
	}
	return v.VideoSource.Read()
}

func (v *pluggedVideo) Close() error {
	close(v.closed)
	return v.VideoSource.Close()
}

// pluggedAudio is the test tone behind a plug; an unplugged microphone's read fails.
type pluggedAudio struct {
	capture.AudioSource
	plug *plug
}

func (p *plug) openAudio(clock *capture.Clock) (capture.AudioSource, error) {
	if p.out.Load() {
		return nil, capture.ErrNoDevice
	}
	return &pluggedAudio{AudioSource: capture.NewTestTone(clock), plug: p}, nil
}

func (a *pluggedAudio) Read() (capture.AudioChunk, func(), error) {
	if a.plug.out.Load() {
		return capture.AudioChunk{}, func() {}, capture.ErrDeviceLost
	}
	return a.AudioSource.Read()
}

// TestLostCameraStandsIn: a camera unplugged mid-stream is replaced within lostAfter by the last
// picture under "Be right back", with no gap in the frames' times; once plugged back it is taken
// back within reopenEvery.
func TestLostCameraStandsIn(t *testing.T) {
	clock := capture.NewClock()
	p := &plug{}
	dev, _ := p.openVideo(clock)
	v := keepVideo(clock, "camera “Test”", dev, func() (capture.VideoSource, error) { return p.openVideo(clock) }, 320, 180, 30)
	type seen struct {
		t       time.Duration
		img     image.Image
		lost    string
		arrived time.Time
	}
	var frames []seen
	start := time.Now()
	var unplugged, replugged time.Time
	for time.Since(start) < 7*time.Second {
		if unplugged.IsZero() && time.Since(start) > time.Second {
			p.out.Store(true)
			unplugged = time.Now()
		}
		if replugged.IsZero() && time.Since(start) > 4*time.Second {
			p.out.Store(false)
			replugged = time.Now()
		}
		f, release, err := v.Read()
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, seen{f.Time, f.Image, v.lost(), time.Now()})
		release()
	}
	var firstStandIn, backAt time.Time
	var standIn image.Image
	for i, f := range frames {
		if i > 0 && f.t-frames[i-1].t > lostAfter+200*time.Millisecond {
			t.Fatalf("frame %d: a gap of %v in the stream's time", i, f.t-frames[i-1].t)
		}
		if f.lost != "" && firstStandIn.IsZero() {
			firstStandIn, standIn = f.arrived, f.img
		}
		if !firstStandIn.IsZero() && backAt.IsZero() && f.lost == "" && f.img != standIn {
			backAt = f.arrived
		}
	}
	t.Logf("stand-in %v after the unplug, camera back %v after the replug; %d frames", firstStandIn.Sub(unplugged), backAt.Sub(replugged), len(frames))
	if firstStandIn.IsZero() || firstStandIn.Sub(unplugged) > 3*time.Second {
		t.Fatalf("no stand-in within 3 s of the unplug")
	}
	if backAt.IsZero() || backAt.Sub(replugged) > reopenEvery+time.Second {
		t.Fatalf("the camera was not taken back within %v of the replug", reopenEvery+time.Second)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := v.Read(); !errors.Is(err, capture.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// TestLostDevicesKeepTheBroadcast: camera and microphone unplugged for 3 s while live to nginx-rtmp.
// The session stays live and says which devices are away; a viewer reading the stream gets
// pictures and sound all along.
func TestLostDevicesKeepTheBroadcast(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	rec := filepath.Join(t.TempDir(), "viewer.flv")
	r := testpeer.Record(t, n.URL("brb"), rec, 9*time.Second)
	n.WaitForPlayer(t, "brb", 15*time.Second)
	p := &plug{}
	cfg := Config{Preset: "custom", Server: n.URL(""), Key: "brb", Width: 320, Height: 180, FPS: 30, VideoKbps: 500,
		wrapVideo: func(clock *capture.Clock, v capture.VideoSource) capture.VideoSource {
			v.Close() // the session's own test pattern gives way to the plugged camera
			dev, _ := p.openVideo(clock)
			return keepVideo(clock, "camera “Test”", dev, func() (capture.VideoSource, error) { return p.openVideo(clock) }, 320, 180, 30)
		}}
	s, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	waitState(t, s, StateLive, 5*time.Second)
	time.Sleep(2 * time.Second)
	p.out.Store(true)
	time.Sleep(2500 * time.Millisecond)
	mid := s.Snapshot()
	time.Sleep(500 * time.Millisecond)
	p.out.Store(false)
	_ = r.Wait()
	if mid.State != StateLive || len(mid.LostDevices) != 1 || mid.LostDevices[0] != "camera “Test”" {
		t.Fatalf("while unplugged the stats say %s, lost %v", mid.State, mid.LostDevices)
	}
	video := testpeer.ProbeFile(t, rec).PacketsOf("video")
	for i := 1; i < len(video); i++ {
		if gap := video[i].PTS() - video[i-1].PTS(); gap > 1.2 {
			t.Fatalf("the viewer's video stops for %.1f s at %.1f s", gap, video[i-1].PTS())
		}
	}
	if len(video) < 9*30*0.8 {
		t.Fatalf("the viewer got %d video frames in 9 s", len(video))
	}
}

// TestLostMicrophoneStandsIn: a microphone whose reads fail gives way to silence at once, on the
// same timeline, and is taken back when it opens again.
func TestLostMicrophoneStandsIn(t *testing.T) {
	clock := capture.NewClock()
	p := &plug{}
	dev, _ := p.openAudio(clock)
	a := keepAudio(clock, "microphone “Test”", dev, func() (capture.AudioSource, error) { return p.openAudio(clock) })
	defer a.Close()
	start := time.Now()
	var last time.Duration
	silent, sound, lostSeen := 0, 0, false
	for time.Since(start) < 6*time.Second {
		p.out.Store(time.Since(start) > time.Second && time.Since(start) < 3*time.Second)
		c, release, err := a.Read()
		if err != nil {
			t.Fatal(err)
		}
		if last > 0 && c.Time-last > 100*time.Millisecond {
			t.Fatalf("a gap of %v in the sound's time", c.Time-last)
		}
		last = c.Time
		peak := float32(0)
		for _, v := range c.Samples {
			peak = max(peak, v)
		}
		if peak == 0 {
			silent++
		} else {
			sound++
		}
		lostSeen = lostSeen || a.lost() != ""
		release()
	}
	t.Logf("%d silent chunks, %d with sound", silent, sound)
	if !lostSeen || silent < 50 || a.lost() != "" {
		t.Fatalf("lost seen %v, %d silent chunks, lost at the end %q", lostSeen, silent, a.lost())
	}
}
