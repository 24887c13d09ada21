package testpeer

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNginxRoundTrip proves the harness: the ffmpeg CLI publishes a short stream to nginx-rtmp and
// ffmpeg reads it back; ffprobe then finds the codecs and size that were sent.
func TestNginxRoundTrip(t *testing.T) {
	n := StartNginx(t, NginxOptions{})
	url := n.URL("harness")
	out := filepath.Join(t.TempDir(), "got.flv")

	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	pub := Command(ctx, "ffmpeg", "-v", "error", "-re",
		"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
		"-t", "6", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-f", "flv", url)
	if err := pub.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // let the publisher get ahead of the reader
	rec := Record(t, url, out, 3*time.Second)
	if err := rec.Wait(); err != nil {
		t.Fatalf("reading back: %v\nnginx log:\n%s", err, n.ErrorLog())
	}
	if err := pub.Wait(); err != nil {
		t.Fatalf("publisher: %v", err)
	}

	p := ProbeFile(t, out)
	v, a := p.Stream("video"), p.Stream("audio")
	if v == nil || v.CodecName != "h264" || v.Width != 320 || v.Height != 240 {
		t.Fatalf("video stream = %+v, want h264 320x240", v)
	}
	if a == nil || a.CodecName != "aac" || a.SampleRate != "44100" {
		t.Fatalf("audio stream = %+v, want aac 44100", a)
	}
	if got := len(p.PacketsOf("video")); got < 50 {
		t.Fatalf("read back %d video packets in 3 s at 25 fps, want >= 50", got)
	}
}

func TestRequireNamesThePackage(t *testing.T) {
	ft := &fakeTB{TB: t}
	func() {
		defer func() { _ = recover() }()
		Require(ft, "onair-no-such-binary", "some-debian-package")
	}()
	if want := "install the Debian package some-debian-package"; !strings.Contains(ft.msg, want) {
		t.Fatalf("message %q does not say %q", ft.msg, want)
	}
}

type fakeTB struct {
	testing.TB
	msg string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic("fatal")
}
