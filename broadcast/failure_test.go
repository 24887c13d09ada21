package broadcast

import (
	"context"
	"image"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"onair/capture"
	"onair/tools/testpeer"
)

// shortFrame passes frames through until the after-th, which it hands over with half its picture
// missing, as a driver with a short buffer would.
type shortFrame struct {
	capture.VideoSource
	n, after int
}

func (b *shortFrame) Read() (capture.VideoFrame, func(), error) {
	f, release, err := b.VideoSource.Read()
	if b.n++; err == nil && b.n == b.after {
		if img, ok := f.Image.(*image.YCbCr); ok {
			bad := *img
			bad.Y = bad.Y[:len(bad.Y)/2]
			f.Image = &bad
		}
	}
	return f, release, err
}

// TestEncoderFailureEndsTheSession: when the video encoder fails mid-stream the session ends in
// words, instead of staying live with the sound alone.
func TestEncoderFailureEndsTheSession(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	cfg := Config{Preset: "custom", Server: n.URL(""), Key: "encfail", Width: 640, Height: 360, FPS: 30, VideoKbps: 1000,
		wrapVideo: func(_ *capture.Clock, v capture.VideoSource) capture.VideoSource {
			return &shortFrame{VideoSource: v, after: 60}
		}}
	s, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatalf("still %s 10 s after the encoder was given a broken frame", s.State())
	}
	err = s.Wait()
	words, detail := Explain(err)
	t.Logf("%s (%s)", words, detail)
	if s.State() != StateFailed || !strings.Contains(words, "video encoder stopped") {
		t.Fatalf("ended %s with %q", s.State(), words)
	}
}

// flakySource is a device-like source: it fails on its own after a while, as an unplugged device
// does, while the window may call Stop at the same moment.
type flakySource struct {
	capture.VideoSource
	failAt time.Time
	closes atomic.Int32
}

func (f *flakySource) Read() (capture.VideoFrame, func(), error) {
	if time.Now().After(f.failAt) {
		return capture.VideoFrame{}, func() {}, capture.ErrDeviceLost
	}
	return f.VideoSource.Read()
}

func (f *flakySource) Close() error {
	f.closes.Add(1)
	return f.VideoSource.Close()
}

// TestStopRacesAFailure: Stop from the window and a source's failure from the session reach the
// sources at the same moment; they are closed once, without a crash (run it with -race).
func TestStopRacesAFailure(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	for i := 0; i < 5; i++ {
		var src *flakySource
		cfg := Config{Preset: "custom", Server: n.URL(""), Key: "race", Width: 320, Height: 180, FPS: 30, VideoKbps: 500,
			wrapVideo: func(_ *capture.Clock, v capture.VideoSource) capture.VideoSource {
				src = &flakySource{VideoSource: v, failAt: time.Now().Add(800 * time.Millisecond)}
				return src
			}}
		s, err := Start(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(800*time.Millisecond + time.Duration(i)*10*time.Millisecond)
		s.Stop()
		if c := src.closes.Load(); c != 1 {
			t.Fatalf("round %d: the source was closed %d times", i, c)
		}
	}
}
