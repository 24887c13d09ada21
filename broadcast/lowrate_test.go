package broadcast

import (
	"context"
	"image"
	"testing"
	"time"

	"onair/rtmpout"
	"onair/tools/testpeer"
)

// TestLowBitrateHalvesFrameRate: below the second floor the session sends every second frame
// (each with twice the bits), and goes back to every frame when the bitrate returns.
func TestLowBitrateHalvesFrameRate(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	s, err := Start(context.Background(), Config{Preset: "custom", Server: n.URL(""), Key: "lowrate", Width: 640, Height: 360,
		FPS: 30, VideoKbps: 1000, Adaptive: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	waitState(t, s, StateLive, 5*time.Second)
	fpsAfter := func(kbps int) (encodeFPS, sentFPS float64) {
		s.SetBitrate(kbps)
		time.Sleep(2 * time.Second) // a whole stats second after the change
		before := s.Snapshot()
		time.Sleep(2 * time.Second)
		after := s.Snapshot()
		return after.EncodeFPS, float64(after.FramesSent-before.FramesSent) / (after.T - before.T)
	}
	for _, c := range []struct {
		kbps int
		want float64
	}{{1000, 30}, {250, 15}, {1000, 30}} { // 250 kb/s at 640x360@30: 0.036 bits a pixel and frame
		enc, sent := fpsAfter(c.kbps)
		t.Logf("%d kb/s: encoding %.0f fps, sending %.1f fps", c.kbps, enc, sent)
		if enc != c.want || sent < c.want-2 || sent > c.want+2 {
			t.Fatalf("%d kb/s: encoding %.0f fps, sending %.1f fps; want %.0f", c.kbps, enc, sent, c.want)
		}
	}
}

// TestAudioRung: the audio steps down as the video goes below 500 and 250 kb/s, back up only a
// quarter above each line, and never above what the user chose.
func TestAudioRung(t *testing.T) {
	for _, c := range []struct{ video, chosen, current, want int }{
		{4500, 160, 160, 160},
		{499, 160, 160, 96},
		{249, 160, 96, 64},
		{300, 160, 64, 64},  // under 310: stays
		{320, 160, 64, 96},  // a quarter above 250
		{600, 160, 96, 96},  // under 620: stays
		{640, 160, 96, 160}, // a quarter above 500
		{200, 48, 48, 48},   // never above the choice
	} {
		if got := audioRung(c.video, c.chosen, c.current); got != c.want {
			t.Errorf("video %d kb/s, audio chosen %d, now %d: %d, want %d", c.video, c.chosen, c.current, got, c.want)
		}
	}
}

// TestPictureSizeRungs: 720p steps to 480p under 1000 kb/s and 360p under 550, in the chosen
// shape, and back up only a quarter above each line; a 1080p stream steps to 720p under 2000.
func TestPictureSizeRungs(t *testing.T) {
	p720, p480, p360 := image.Pt(1280, 720), image.Pt(854, 480), image.Pt(640, 360)
	for _, c := range []struct {
		kbps            int
		chosen, current image.Point
		want            image.Point
	}{
		{4500, p720, p720, p720},
		{1000, p720, p720, p720},
		{999, p720, p720, p480},
		{1200, p720, p480, p480}, // between the lines: stays
		{1250, p720, p480, p720}, // a quarter above: back
		{549, p720, p480, p360},
		{600, p720, p360, p360},
		{690, p720, p360, p480},
		{300, p720, p720, p360}, // straight down two rungs
		{1999, image.Pt(1920, 1080), image.Pt(1920, 1080), p720},
		{400, p360, p360, p360}, // nothing below the chosen size
		{900, image.Pt(720, 720), image.Pt(720, 720), image.Pt(480, 480)}, // the chosen shape
	} {
		if got := pictureSize(c.kbps, c.chosen, c.current); got != c.want {
			t.Errorf("%d kb/s, chosen %v, now %v: %v, want %v", c.kbps, c.chosen, c.current, got, c.want)
		}
	}
}

// TestOvershootKeepsHalfTheRate: congestion right after a raise measured through a TCP stall
// (next to nothing delivered) keeps at least half of what the link carried before the raise,
// rather than falling to the floor.
func TestOvershootKeepsHalfTheRate(t *testing.T) {
	c := chosen4500()
	c.target, c.raisedAt, c.raisedFrom = 1658, 10*time.Second, 1473
	c.growSince = sample{t: 10500 * time.Millisecond, bytes: 1 << 20}
	c.congested(11*time.Second, rtmpout.Stats{DeliveredBytes: 1<<20 + 2000}) // 32 kb/s delivered over half a second
	if c.target < 500 || c.failedProbes != 1 {
		t.Fatalf("after an overshoot measured through a stall: target %d kb/s, %d failed raises", c.target, c.failedProbes)
	}
	c = chosen4500()
	c.target = 4500 // no raise: the measurement stands
	c.growSince = sample{t: 10500 * time.Millisecond, bytes: 1 << 20}
	c.congested(11*time.Second, rtmpout.Stats{DeliveredBytes: 1<<20 + 2000})
	if c.target != c.floor {
		t.Fatalf("a fall with no raise before it: target %d kb/s, want the floor %d", c.target, c.floor)
	}
}
