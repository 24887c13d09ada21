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
