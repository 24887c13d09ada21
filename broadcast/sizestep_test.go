package broadcast

import (
	"context"
	"fmt"
	"image"
	"path/filepath"
	"testing"
	"time"

	"onair/tools/testpeer"
)

// TestSizeStepsDownOnASlowLink streams 720p to nginx-rtmp in a network namespace and narrows the
// link below 1 Mb/s: the picture steps down to 480p and 360p (a new sequence header at a
// keyframe), and back to 720p once the link returns. A viewer reading through nginx decodes every
// size in order, with no picture lost to the changes.
func TestSizeStepsDownOnASlowLink(t *testing.T) {
	ns := testpeer.NewNetns(t)
	dir := t.TempDir()
	peer := testpeer.StartNginx(t, testpeer.NginxOptions{Netns: ns})
	const watch = 75 * time.Second
	viewer := testpeer.Record(t, peer.URL("steps"), filepath.Join(dir, "viewer.flv"), watch)
	peer.WaitForPlayer(t, "steps", 10*time.Second)
	s, err := Start(context.Background(), Config{Preset: "custom", Server: fmt.Sprintf("rtmp://%s:%d/live", peer.Host, peer.Port),
		Key: "steps", Width: 1280, Height: 720, FPS: 30, VideoKbps: 2500, Adaptive: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	started := time.Now()
	waitStats(t, s, func(st Stats) bool { return st.State == StateLive && st.FramesSent > 60 }, 15*time.Second, "live")

	sizeWithin := func(limit time.Duration, what string, ok func(h int) bool) time.Duration {
		t.Helper()
		from := time.Now()
		waitStats(t, s, func(st Stats) bool { return ok(st.Height) }, limit, what)
		return time.Since(from)
	}
	ns.Shape(800, 100)
	down := sizeWithin(15*time.Second, "a smaller picture on an 800 kb/s link", func(h int) bool { return h > 0 && h < 720 })
	ns.Shape(400, 100)
	smallest := sizeWithin(20*time.Second, "360p on a 400 kb/s link", func(h int) bool { return h == 360 })
	time.Sleep(8 * time.Second) // settled at 360p
	st := s.Snapshot()
	if st.Width != 640 || st.AudioKbps > 96 {
		t.Errorf("on a 400 kb/s link: %dx%d, sound at %d kb/s", st.Width, st.Height, st.AudioKbps)
	}
	ns.Unshape()
	back := sizeWithin(30*time.Second, "720p once the link returned", func(h int) bool { return h == 720 })
	final := s.Snapshot()
	t.Logf("smaller after %.1f s, 360p %.1f s later, 720p %.1f s after the link returned; at 400 kb/s: %d kb/s video + %d audio at %.0f fps; %d of %d frames dropped",
		down.Seconds(), smallest.Seconds(), back.Seconds(), st.TargetKbps, st.AudioKbps, st.EncodeFPS, final.FramesDropped, final.FramesSent+final.FramesDropped)
	time.Sleep(watch - time.Since(started) + 2*time.Second) // the viewer stops at its limit
	s.Stop()
	if err := viewer.Wait(); err != nil {
		t.Fatal(err)
	}

	frames, complaints := testpeer.DecodeFrames(t, filepath.Join(dir, "viewer.flv"))
	if complaints != "" {
		t.Errorf("the decoder complained:\n%s", complaints)
	}
	var sizes []image.Point // in the order the viewer saw them
	for _, f := range frames {
		if p := image.Pt(f.Width, f.Height); len(sizes) == 0 || sizes[len(sizes)-1] != p {
			sizes = append(sizes, p)
			t.Logf("the viewer's picture is %dx%d from %.2f s", f.Width, f.Height, f.T())
		}
	}
	// Down to 360p and back to 720p, each way through 480p or straight past it.
	rungs := map[image.Point]bool{{1280, 720}: true, {854, 480}: true, {640, 360}: true}
	lowest := 0
	for i, p := range sizes {
		if p.Y < sizes[lowest].Y {
			lowest = i
		}
	}
	for i, p := range sizes {
		if !rungs[p] {
			t.Errorf("the viewer saw a %v picture", p)
		}
		if i > 0 && (i <= lowest) != (p.Y < sizes[i-1].Y) {
			t.Errorf("the sizes went %v: not down, then up", sizes)
		}
	}
	if len(sizes) < 3 || sizes[0].Y != 720 || sizes[lowest].Y != 360 || sizes[len(sizes)-1].Y != 720 {
		t.Errorf("the viewer saw the sizes %v, want 720p down to 360p and back", sizes)
	}
	packets := testpeer.ProbeFile(t, filepath.Join(dir, "viewer.flv")).PacketsOf("video")
	if len(frames) < len(packets)-1 {
		t.Errorf("%d pictures decoded of %d video packets the viewer received", len(frames), len(packets))
	}
}

func waitStats(t *testing.T, s *Session, ok func(Stats) bool, limit time.Duration, what string) {
	t.Helper()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok(s.Snapshot()) {
			return
		}
	}
	t.Fatalf("%s: not within %v (%+v)", what, limit, s.Snapshot())
}
