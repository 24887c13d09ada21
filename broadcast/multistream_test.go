package broadcast

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"onair/tools/testpeer"
)

// TestTwoDestinations streams one encode to two nginx-rtmp peers, one on loopback ("near") and
// one in a network namespace behind a tc-shaped link ("far"). Both read back; killing and
// restarting far leaves near's frames continuous and brings far back live; shaping far to 1 Mb/s
// leaves near at the full rate, far marked "can't keep up".
func TestTwoDestinations(t *testing.T) {
	ns := testpeer.NewNetns(t)
	near := testpeer.StartNginx(t, testpeer.NginxOptions{})
	dir := t.TempDir()
	far := testpeer.StartNginx(t, testpeer.NginxOptions{Netns: ns, RecordDir: dir})
	nearRec := testpeer.Record(t, near.URL("near"), filepath.Join(dir, "near.flv"), 40*time.Second)
	farRec := testpeer.Record(t, far.URL("far"), filepath.Join(dir, "far-player.flv"), 20*time.Second)
	near.WaitForPlayer(t, "near", 10*time.Second)
	far.WaitForPlayer(t, "far", 10*time.Second)
	const kbps = 2500
	s, err := Start(context.Background(), Config{Preset: "custom", Server: fmt.Sprintf("rtmp://%s:%d/live", near.Host, near.Port), Key: "near",
		Also:  []Destination{{Preset: "custom", Server: fmt.Sprintf("rtmp://%s:%d/live", far.Host, far.Port), Key: "far"}},
		Width: 960, Height: 540, FPS: 30, VideoKbps: kbps, Adaptive: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	waitDestination(t, s, 1, func(d DestinationStats) bool { return d.State == StateLive }, 10*time.Second, "far live")

	// Both read back.
	if err := farRec.Wait(); err != nil {
		t.Fatal(err)
	}
	p := testpeer.ProbeFile(t, filepath.Join(dir, "far-player.flv"))
	if v, a := p.Stream("video"), p.Stream("audio"); v == nil || a == nil || v.CodecName != "h264" || a.CodecName != "aac" || v.Width != 960 {
		t.Fatalf("far's stream: %+v", p.Streams)
	}
	if n := len(p.PacketsOf("video")); n < 20*30*9/10 {
		t.Errorf("far: %d video frames in 20 s", n)
	}

	// Far goes away for 4 s and comes back.
	far.Stop()
	waitDestination(t, s, 1, func(d DestinationStats) bool { return d.State != StateLive }, 15*time.Second, "far lost")
	time.Sleep(4 * time.Second)
	far.Start()
	waitDestination(t, s, 1, func(d DestinationStats) bool { return d.State == StateLive && d.Reconnects == 1 }, 15*time.Second, "far back")
	if st := s.Snapshot(); st.Destinations[0].State != StateLive || st.Destinations[0].Reconnects != 0 || st.State != StateLive {
		t.Errorf("near while far was away: %+v", st.Destinations[0])
	}

	// Far's link narrows to 1 Mb/s: it cannot keep up, and near keeps the full rate.
	ns.Shape(1000, 200)
	waitDestination(t, s, 1, func(d DestinationStats) bool { return d.CantKeepUp }, 10*time.Second, "far marked can't keep up")
	var nearSent []float64
	for range 6 {
		time.Sleep(time.Second)
		st := s.Snapshot()
		if st.TargetKbps < kbps*9/10 {
			t.Errorf("the shared rate fell to %d kb/s for the narrow destination", st.TargetKbps)
		}
		nearSent = append(nearSent, st.Destinations[0].SentKbps)
	}
	if mean := meanOf(nearSent); mean < kbps*0.8 {
		t.Errorf("near sent %.0f kb/s on average while far was narrow (%v)", mean, nearSent)
	}
	farSent := s.Snapshot().Destinations[1].SentKbps
	ns.Unshape()
	back := time.Now()
	waitDestination(t, s, 1, func(d DestinationStats) bool { return !d.CantKeepUp }, 30*time.Second, "far keeping up again")
	rejoined := time.Since(back)

	// Near's recording is continuous through all of it (40 s, to before far came back).
	if err := nearRec.Wait(); err != nil {
		t.Fatal(err)
	}
	v := testpeer.ProbeFile(t, filepath.Join(dir, "near.flv")).PacketsOf("video")
	if len(v) < 40*30*95/100 {
		t.Errorf("near: %d video frames in 40 s", len(v))
	}
	for i := 1; i < len(v); i++ {
		if gap := v[i].DTS() - v[i-1].DTS(); gap > 0.3 {
			t.Errorf("near: a gap of %.2f s at %.1f s", gap, v[i-1].DTS())
		}
	}
	t.Logf("near: %d frames in 40 s; near sent %v kb/s while far was at 1 Mb/s; far: %+v", len(v), nearSent, s.Snapshot().Destinations[1])

	// What far received since it came back: where its picture jumps, a keyframe follows (whole
	// GOPs or none).
	s.Stop()
	fv := testpeer.ProbeFile(t, filepath.Join(dir, "far.flv")).PacketsOf("video")
	jumps := 0
	for i := 1; i < len(fv); i++ {
		if fv[i].DTS()-fv[i-1].DTS() > 0.1 {
			jumps++
			if !fv[i].Keyframe() {
				t.Errorf("far: a GOP cut short at %.2f s", fv[i-1].DTS())
			}
		}
	}
	if jumps == 0 {
		t.Errorf("far received every frame on a 1 Mb/s link (%d frames)", len(fv))
	}
	t.Logf("far: %d frames with %d jumps since it came back; %.0f kb/s sent at 1 Mb/s; keeping up again %.1f s after the link returned", len(fv), jumps, farSent, rejoined.Seconds())
}

func waitDestination(t *testing.T, s *Session, i int, ok func(DestinationStats) bool, limit time.Duration, what string) {
	t.Helper()
	waitStats(t, s, func(st Stats) bool { return len(st.Destinations) > i && ok(st.Destinations[i]) }, limit, what)
}

func meanOf(xs []float64) float64 {
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(max(1, len(xs)))
}
