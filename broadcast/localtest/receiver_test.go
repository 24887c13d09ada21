package localtest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onair/tools/testpeer"
)

// publishWithFFmpeg sends a stream to the receiver with the ffmpeg CLI.
func publishWithFFmpeg(t *testing.T, url string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	full := append([]string{"-v", "error", "-re"}, args...)
	full = append(full, "-f", "flv", url)
	if out, err := testpeer.Command(ctx, "ffmpeg", full...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
}

// TestReportFindsWhatIsWrong sends a stream that is not what the report expects: no audio, a
// different size, keyframes 4 s apart. The report must say each, not echo the settings.
func TestReportFindsWhatIsWrong(t *testing.T) {
	r, err := Start(filepath.Join(t.TempDir(), "got.flv"), nil)
	if err != nil {
		t.Fatal(err)
	}
	publishWithFFmpeg(t, r.URL, "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t", "5",
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "100", "-sc_threshold", "0")
	r.Stop()
	rep := r.Report(Expect{Video: true, Audio: true, Width: 1280, Height: 720, FPS: 30, KeyframeSeconds: 2})
	t.Log(rep.String())
	text := strings.Join(rep.Problems, "\n")
	for _, want := range []string{"audio is missing", "640x360", "25.0 fps", "no keyframe for 4.0 s"} {
		if !strings.Contains(text, want) {
			t.Errorf("report problems %q do not mention %q", text, want)
		}
	}
	if rep.OK() {
		t.Fatal("a broken stream was reported OK")
	}
}

// TestReportPassesAGoodStream checks the other side: a stream as expected has no problems, and the
// saved file plays back with the same codecs and size.
func TestReportPassesAGoodStream(t *testing.T) {
	path := filepath.Join(t.TempDir(), "got.flv")
	r, err := Start(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	publishWithFFmpeg(t, r.URL, "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-f", "lavfi", "-i", "sine=sample_rate=48000",
		"-t", "4", "-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-sc_threshold", "0", "-c:a", "aac", "-ac", "2")
	r.Stop()
	rep := r.Report(Expect{Video: true, Audio: true, Width: 320, Height: 240, FPS: 30, KeyframeSeconds: 2})
	t.Log(rep.String())
	if !rep.OK() || rep.VideoCodec != "h264" || rep.AudioCodec != "aac" || rep.SampleRate != 48000 || rep.Channels != 2 {
		t.Fatalf("report %+v", rep)
	}
	p := testpeer.ProbeFile(t, path)
	if v := p.Stream("video"); v == nil || v.Width != 320 || v.CodecName != "h264" || len(p.PacketsOf("video")) != rep.VideoFrames {
		t.Fatalf("saved file: %+v, %d video packets (report says %d)", v, len(p.PacketsOf("video")), rep.VideoFrames)
	}
}

func TestAbortWithoutPublisher(t *testing.T) {
	r, err := Start(filepath.Join(t.TempDir(), "none.flv"), nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r.Abort()
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Abort took %v", d)
	}
	if rep := r.Report(Expect{Video: true}); rep.OK() {
		t.Fatal("no stream, yet the report is OK")
	}
}
