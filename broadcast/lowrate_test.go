package broadcast

import (
	"context"
	"testing"
	"time"

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
