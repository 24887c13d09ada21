package broadcast

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"onair/tools/testpeer"
)

// TestLayoutSwitchesLeaveNoGap: switching layouts while live (corner, side, the second alone, the
// first alone, and back) leaves the viewer's frames evenly spaced: no gap, no repeat in time.
func TestLayoutSwitchesLeaveNoGap(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	s, err := Start(context.Background(), Config{Preset: "custom", Server: n.URL(""), Key: "layouts", Width: 640, Height: 360,
		FPS: 30, VideoKbps: 800, Video: "test", Video2: "test", Audio: "none"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	waitState(t, s, StateLive, 5*time.Second)
	rec := filepath.Join(t.TempDir(), "viewer.flv")
	viewer := testpeer.Record(t, n.URL("layouts"), rec, 7*time.Second)
	time.Sleep(time.Second)
	for _, spec := range []string{"side", "video2", "video", "corner:tl:l", "side", "corner"} {
		time.Sleep(700 * time.Millisecond)
		l, err := ParseLayout(spec)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetLayout(l); err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
	}
	time.Sleep(1500 * time.Millisecond)
	s.Stop()
	_ = viewer.Wait()
	pkts := testpeer.ProbeFile(t, rec).PacketsOf("video")
	t.Logf("%d video packets from %s s to %s s", len(pkts), pkts[0].PTSTime, pkts[len(pkts)-1].PTSTime)
	if len(pkts) < 120 { // 6.7 s live while the viewer watched
		t.Fatalf("the viewer got %d video packets, want 5 s of 30 fps", len(pkts))
	}
	var prev float64
	for i, p := range pkts {
		at, err := strconv.ParseFloat(p.PTSTime, 64)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && (at-prev > 0.070 || at-prev < 0.020) {
			t.Fatalf("frame %d at %.3f s, %.0f ms after the one before: a gap at a layout switch", i, at, (at-prev)*1000)
		}
		prev = at
	}
	if err := (&Session{}).SetLayout(DefaultCorner); err == nil {
		t.Fatal("a session without a second picture took the corner layout")
	}
}
