package rtmpout

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onair/tools/testpeer"
)

func dial(t *testing.T, cfg Config) *Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := Dial(ctx, cfg)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	return c
}

func closeConn(t *testing.T, c *Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// TestPublishToNginx publishes a real clip to nginx-rtmp while the ffmpeg CLI plays it into a file;
// ffprobe must find what was sent: codecs, size, every frame, the same timestamps.
func TestPublishToNginx(t *testing.T) {
	cl := testClip(t)
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	out := filepath.Join(t.TempDir(), "got.flv")
	rec := testpeer.Record(t, n.URL("nginxtest"), out, 20*time.Second)
	n.WaitForPlayer(t, "nginxtest", 15*time.Second) // the player joins before the publisher starts

	c := dial(t, Config{Server: n.URL(""), Key: "nginxtest"})
	publish(t, c, cl, 1)
	closeConn(t, c)
	if err := rec.Wait(); err != nil {
		t.Logf("recorder: %v", err) // ends by read timeout once the publisher leaves
	}

	p := testpeer.ProbeFile(t, out)
	v, a := p.Stream("video"), p.Stream("audio")
	if v == nil || v.CodecName != "h264" || v.Width != cl.width || v.Height != cl.height {
		t.Fatalf("video = %+v, want h264 %dx%d", v, cl.width, cl.height)
	}
	if a == nil || a.CodecName != "aac" || a.SampleRate != "48000" || a.Channels != 2 {
		t.Fatalf("audio = %+v, want aac 48000 Hz stereo", a)
	}
	vp := p.PacketsOf("video")
	if len(vp) != cl.count(true) {
		t.Fatalf("read back %d video frames, sent %d", len(vp), cl.count(true))
	}
	if got, want := len(p.PacketsOf("audio")), cl.count(false); got != want {
		t.Fatalf("read back %d audio frames, sent %d", got, want)
	}
	i := 0
	for _, f := range cl.frames {
		if !f.video {
			continue
		}
		if got := time.Duration(vp[i].PTS() * float64(time.Second)); absDur(got-f.PTS) > time.Millisecond {
			t.Fatalf("video frame %d: pts %v, sent %v", i, got, f.PTS)
		}
		if vp[i].Keyframe() != f.Keyframe {
			t.Fatalf("video frame %d: keyframe %v, sent %v", i, vp[i].Keyframe(), f.Keyframe)
		}
		i++
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// TestPublishToFFmpegListen publishes to the ffmpeg CLI acting as a one-shot RTMP server and compares
// the FLV it writes with what was sent, packet by packet.
func TestPublishToFFmpegListen(t *testing.T) {
	cl := testClip(t)
	port := testpeer.FreePort(t)
	out := filepath.Join(t.TempDir(), "listen.flv")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv := testpeer.Command(ctx, "ffmpeg", "-v", "error", "-listen", "1",
		"-i", fmt.Sprintf("rtmp://127.0.0.1:%d/app/key", port), "-c", "copy", "-y", out)
	var log bytes.Buffer
	srv.Stdout, srv.Stderr = &log, &log
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	var c *Conn
	for deadline := time.Now().Add(10 * time.Second); ; {
		var err error
		// Unpaced, the clip is queued faster than real time: no drops for this comparison.
		c, err = Dial(ctx, Config{Server: fmt.Sprintf("rtmp://127.0.0.1:%d/app/key", port), Drop: DropPolicy{Disposable: time.Hour, ToKeyframe: time.Hour}})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Dial to ffmpeg -listen: %v\n%s", err, log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	publish(t, c, cl, 0)
	closeConn(t, c)
	if err := srv.Wait(); err != nil {
		t.Fatalf("ffmpeg -listen: %v\n%s", err, log.String())
	}

	tags, err := testpeer.ReadFLV(out)
	if err != nil {
		t.Fatal(err)
	}
	var got []clipFrame
	for _, tag := range tags {
		ts := time.Duration(tag.Timestamp) * time.Millisecond
		switch {
		case tag.Type == 9 && tag.Body[1] == 1:
			got = append(got, clipFrame{video: true, Frame: Frame{DTS: ts, Keyframe: tag.Body[0]>>4 == 1,
				Data: lengthPrefixedToAnnexB(tag.Body[5:])}})
		case tag.Type == 8 && tag.Body[1] == 1:
			got = append(got, clipFrame{Frame: Frame{DTS: ts, Data: tag.Body[2:]}})
		}
	}
	for _, video := range []bool{true, false} {
		sent, recv := filter(cl.frames, video), filter(got, video)
		if len(recv) != len(sent) {
			t.Fatalf("video=%v: received %d packets, sent %d\n%s", video, len(recv), len(sent), log.String())
		}
		for i := range sent {
			if recv[i].DTS != sent[i].DTS || recv[i].Keyframe != sent[i].Keyframe || !bytes.Equal(recv[i].Data, sent[i].Data) {
				t.Fatalf("video=%v packet %d differs: got dts %v key %v %d bytes, sent dts %v key %v %d bytes",
					video, i, recv[i].DTS, recv[i].Keyframe, len(recv[i].Data), sent[i].DTS, sent[i].Keyframe, len(sent[i].Data))
			}
		}
	}
}

func filter(fs []clipFrame, video bool) []clipFrame {
	var out []clipFrame
	for _, f := range fs {
		if f.video == video {
			out = append(out, f)
		}
	}
	return out
}

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		server, key          string
		tls                  bool
		addr, app, tcURL, sn string
	}{
		{"rtmp://live.twitch.tv/app", "live_123", false, "live.twitch.tv:1935", "app", "rtmp://live.twitch.tv/app", "live_123"},
		{"rtmps://a.rtmps.youtube.com:443/live2", "abcd-efgh", true, "a.rtmps.youtube.com:443", "live2", "rtmps://a.rtmps.youtube.com:443/live2", "abcd-efgh"},
		{"rtmps://b.rtmps.youtube.com:443/live2?backup=1", "yt-backup-key", true, "b.rtmps.youtube.com:443", "live2?backup=1", "rtmps://b.rtmps.youtube.com:443/live2?backup=1", "yt-backup-key"},
		{"rtmps://live-api-s.facebook.com:443/rtmp/", "FB-1?s_bl=1", true, "live-api-s.facebook.com:443", "rtmp", "rtmps://live-api-s.facebook.com:443/rtmp", "FB-1?s_bl=1"},
		{"rtmp://127.0.0.1:1935/live/mykey", "", false, "127.0.0.1:1935", "live", "rtmp://127.0.0.1:1935/live", "mykey"},
		{"rtmp://host/app/inst/key?bandwidthtest=true", "", false, "host:1935", "app/inst", "rtmp://host/app/inst", "key?bandwidthtest=true"},
		{"rtmps://x.global-contribute.live-video.net/app", "sk_1", true, "x.global-contribute.live-video.net:443", "app", "rtmps://x.global-contribute.live-video.net/app", "sk_1"},
		{"  rtmp://[::1]:1936/live  ", " spaced-key ", false, "[::1]:1936", "live", "rtmp://[::1]:1936/live", "spaced-key"},
	} {
		got, err := ParseURL(c.server, c.key)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", c.server, err)
			continue
		}
		if got.TLS != c.tls || got.Addr() != c.addr || got.App != c.app || got.TCURL != c.tcURL || got.StreamName != c.sn {
			t.Errorf("ParseURL(%q, %q) = %+v (addr %s)", c.server, c.key, got, got.Addr())
		}
		if c.sn != "" && strings.Contains(got.Redacted(), c.sn) {
			t.Errorf("Redacted() shows the key: %s", got.Redacted())
		}
	}
	for _, bad := range []string{"", "live.twitch.tv/app", "http://host/app", "rtmp:///app", "rtmp://host", "rtmp://host:99999/app", "rtmp://host/",
		"rtmp://user:pw@host/app"} {
		if _, err := ParseURL(bad, "k"); err == nil || !errorsIs(err, ErrBadURL) {
			t.Errorf("ParseURL(%q) = %v, want ErrBadURL", bad, err)
		}
	}
	if _, err := ParseURL("rtmp://host/app", ""); !errorsIs(err, ErrBadURL) {
		t.Errorf("missing key: %v", err)
	}
}
