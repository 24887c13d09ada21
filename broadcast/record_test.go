package broadcast

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"onair/tools/testpeer"
)

// TestRecordWhileStreaming: the packets that go to nginx-rtmp go to a file too; it plays at the
// stream's size, with its sound, for as long as it was recorded.
func TestRecordWhileStreaming(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	path := filepath.Join(t.TempDir(), "Videos", "OnAir", "rec.mkv")
	s, err := Start(context.Background(), Config{Preset: "custom", Server: n.URL(""), Key: "rec", Width: 320, Height: 180, FPS: 30,
		VideoKbps: 500, RecordPath: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	waitState(t, s, StateLive, 5*time.Second)
	time.Sleep(10 * time.Second)
	mid := s.Snapshot()
	s.Stop()
	final := s.Snapshot()
	if mid.RecordingState != RecordingOn || mid.RecordingBytes == 0 || final.RecordingState != RecordingStopped {
		t.Fatalf("recording state %q (%d bytes) live, %q at the end", mid.RecordingState, mid.RecordingBytes, final.RecordingState)
	}
	p := testpeer.ProbeFile(t, path)
	v, a := p.Stream("video"), p.Stream("audio")
	if v == nil || v.CodecName != "h264" || v.Width != 320 || v.Height != 180 || a == nil || a.CodecName != "aac" {
		t.Fatalf("the recording holds video %+v, audio %+v", v, a)
	}
	video := p.PacketsOf("video")
	length := video[len(video)-1].PTS() - video[0].PTS()
	t.Logf("recorded %.1f s, %d video packets, %d bytes", length, len(video), final.RecordingBytes)
	if length < 9.5 || length > 11.5 {
		t.Fatalf("the recording lasts %.1f s of about 10", length)
	}
}

// TestFullDiskStopsOnlyTheRecording: recording onto a 2 MB filesystem fills it; the recording
// stops with words and the stream goes on, as a viewer sees.
func TestFullDiskStopsOnlyTheRecording(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("mounting a small filesystem needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	s, err := Start(context.Background(), Config{Preset: "custom", Server: n.URL(""), Key: "full", Width: 640, Height: 360, FPS: 30,
		VideoKbps: 2000, RecordPath: filepath.Join(dir, "rec.mkv")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	waitState(t, s, StateLive, 5*time.Second)
	deadline := time.Now().Add(20 * time.Second)
	for s.Snapshot().RecordingState != RecordingFailed {
		if time.Now().After(deadline) {
			t.Fatalf("2 MB filled, yet the recording says %+v", s.Snapshot())
		}
		time.Sleep(100 * time.Millisecond)
	}
	failed := s.Snapshot()
	t.Logf("%s (%d bytes)", failed.RecordingError, failed.RecordingBytes)
	if !strings.Contains(failed.RecordingError, "the disk is full; the stream goes on") {
		t.Fatalf("the recording stopped saying %q", failed.RecordingError)
	}
	rec := filepath.Join(t.TempDir(), "viewer.flv")
	r := testpeer.Record(t, n.URL("full"), rec, 5*time.Second) // from its first keyframe, at most 2 s in
	_ = r.Wait()
	after := s.Snapshot()
	if after.State != StateLive || after.FramesSent < failed.FramesSent+60 {
		t.Fatalf("after the disk filled: %s, %d frames sent then %d", after.State, failed.FramesSent, after.FramesSent)
	}
	if got := len(testpeer.ProbeFile(t, rec).PacketsOf("video")); got < 85 {
		t.Fatalf("a viewer got %d video frames in 5 s after the disk filled", got)
	}
}

// When the stream's bitrate drops, the recording follows it by default; with RecordFullQuality it
// keeps the chosen bitrate from an encoder of its own.
func TestRecordingFollowsTheStreamOrKeepsFullQuality(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	for _, full := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "rec.mkv")
		s, err := Start(context.Background(), Config{Preset: "custom", Server: n.URL(""), Key: "quality", Width: 640, Height: 360,
			FPS: 30, VideoKbps: 1500, Video: "test", RecordPath: path, RecordFullQuality: full})
		if err != nil {
			t.Fatal(err)
		}
		waitState(t, s, StateLive, 5*time.Second)
		time.Sleep(time.Second)
		s.SetBitrate(300) // as adaptation does when the link narrows
		time.Sleep(5 * time.Second)
		s.Stop()
		kbps := lastSecondsKbps(testpeer.ProbeFile(t, path).PacketsOf("video"), 3)
		t.Logf("full quality %v: the recording's last 3 s at %.0f kb/s, the stream at 300", full, kbps)
		if full && kbps < 1000 || !full && kbps > 600 {
			t.Fatalf("full quality %v: the recording runs at %.0f kb/s", full, kbps)
		}
	}
}

// lastSecondsKbps is the bitrate of the packets in the last d seconds.
func lastSecondsKbps(pkts []testpeer.Packet, d float64) float64 {
	end := pkts[len(pkts)-1].PTS()
	bytes := 0
	for _, p := range pkts {
		if p.PTS() > end-d {
			n, _ := strconv.Atoi(p.Size)
			bytes += n
		}
	}
	return float64(bytes*8) / d / 1000
}

// TestRecordingKeepsOneSize: while a recording holds the stream's own video, a lower bitrate does
// not change the picture's size (the file keeps one); once it stops the size follows, and a
// recording started then keeps the smaller size even when the bitrate comes back.
func TestRecordingKeepsOneSize(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first.mkv"), filepath.Join(dir, "second.mkv")
	s, err := Start(context.Background(), Config{Preset: "custom", Server: n.URL(""), Key: "onesize", Width: 854, Height: 480,
		FPS: 30, VideoKbps: 1500, Adaptive: true, RecordPath: first})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	waitState(t, s, StateLive, 5*time.Second)
	time.Sleep(time.Second)
	s.SetBitrate(400) // 360p's bitrate, were nothing recorded
	time.Sleep(2 * time.Second)
	if st := s.Snapshot(); st.Height != 480 || st.TargetKbps > 400 {
		t.Fatalf("recording at 400 kb/s: the picture is %dx%d at %d kb/s", st.Width, st.Height, st.TargetKbps)
	}
	s.StopRecording()
	waitStats(t, s, func(st Stats) bool { return st.Height == 360 }, 5*time.Second, "360p once the recording stopped")
	if err := s.StartRecording(second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	s.SetBitrate(1500)
	time.Sleep(2 * time.Second)
	if st := s.Snapshot(); st.Height != 360 {
		t.Fatalf("recording at 1500 kb/s after starting at 360p: the picture is %dx%d", st.Width, st.Height)
	}
	s.Stop()
	for _, c := range []struct {
		path string
		w, h int
	}{{first, 854, 480}, {second, 640, 360}} {
		frames, complaints := testpeer.DecodeFrames(t, c.path)
		if len(frames) < 45 || complaints != "" {
			t.Fatalf("%s: %d pictures decoded; the decoder said: %s", c.path, len(frames), complaints)
		}
		for _, f := range frames {
			if f.Width != c.w || f.Height != c.h {
				t.Fatalf("%s holds a %dx%d picture at %s s, want %dx%d throughout", filepath.Base(c.path), f.Width, f.Height, f.Time, c.w, c.h)
			}
		}
		t.Logf("%s: %d pictures, all %dx%d", filepath.Base(c.path), len(frames), c.w, c.h)
	}
}
