package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"onair/broadcast"
	"onair/tools/testpeer"
)

// TestMain keeps the tests' runs out of the user's cache: onair stream remembers its encoder trial
// under $XDG_CACHE_HOME.
func TestMain(m *testing.M) {
	if args := os.Getenv("ONAIR_TEST_STREAM_ARGS"); args != "" { // a helper process: onair stream
		os.Exit(runStream(strings.Fields(args), os.Stdout, os.Stderr))
	}
	dir, err := os.MkdirTemp("", "onair-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	os.Setenv("XDG_DATA_HOME", dir) // the Local test's recordings
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// statsLines parses `onair stream --stats -` output.
func statsLines(t *testing.T, out []byte) []broadcast.Stats {
	t.Helper()
	var all []broadcast.Stats
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var st broadcast.Stats
		if err := json.Unmarshal(line, &st); err != nil {
			t.Fatalf("stats line %q: %v", line, err)
		}
		all = append(all, st)
	}
	return all
}

// TestStreamToNginx is the end-to-end check: 12 s of test pattern and tone through `onair stream`
// to nginx-rtmp, read back by the ffmpeg CLI; the final stats must agree with what arrived.
func TestStreamToNginx(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	rec := filepath.Join(t.TempDir(), "got.flv")
	r := testpeer.Record(t, n.URL("e2e"), rec, 30*time.Second)
	n.WaitForPlayer(t, "e2e", 15*time.Second) // the player sees the stream from its first frame

	var stdout, stderr bytes.Buffer
	code := runStream([]string{"--preset", "custom", "--server", n.URL(""), "--key", "e2e", "--duration", "12s", "--stats", "-"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if strings.Contains(stdout.String()+stderr.String(), "e2e\"") {
		t.Fatal("the key appears in the output")
	}
	_ = r.Wait()
	lines := statsLines(t, stdout.Bytes())
	final := lines[len(lines)-1]
	if !final.Final || final.State != broadcast.StateStopped {
		t.Fatalf("last line %+v, want final and stopped", final)
	}
	live := 0
	for _, st := range lines {
		if st.State == broadcast.StateLive {
			live++
		}
	}
	if live < 10 {
		t.Fatalf("%d live stats lines in 12 s", live)
	}

	p := testpeer.ProbeFile(t, rec)
	v, a := p.Stream("video"), p.Stream("audio")
	if v == nil || v.CodecName != "h264" || v.Width != 1280 || v.Height != 720 || v.RFrameRate != "30/1" && v.AvgFrameRate != "30/1" {
		t.Fatalf("video %+v, want h264 1280x720 30 fps", v)
	}
	if a == nil || a.CodecName != "aac" || a.SampleRate != "48000" {
		t.Fatalf("audio %+v, want aac 48 kHz", a)
	}
	vp := p.PacketsOf("video")
	if got := uint64(len(vp)); got+1 < final.FramesSent || got > final.FramesSent {
		t.Fatalf("read back %d video frames, stats say %d sent", got, final.FramesSent)
	}
	if got := uint64(len(p.PacketsOf("audio"))); got+2 < final.AudioSent || got > final.AudioSent {
		t.Fatalf("read back %d audio frames, stats say %d sent", got, final.AudioSent)
	}
	if final.FramesSent < 11*30 {
		t.Fatalf("%d frames sent in 12 s at 30 fps", final.FramesSent)
	}
	var keys []float64
	for _, pk := range vp {
		if pk.Keyframe() {
			keys = append(keys, pk.PTS())
		}
	}
	for i := 1; i < len(keys); i++ {
		if d := keys[i] - keys[i-1]; d < 1.95 || d > 2.05 {
			t.Fatalf("keyframes at %v: not every 2 s", keys)
		}
	}
	if len(keys) < 5 {
		t.Fatalf("keyframes at %v", keys)
	}
	t.Logf("final: %+v; keyframes %v", final, keys)
}

// TestStreamFileEndsWithTheFile streams a clip made by the ffmpeg CLI and must end, exit 0, when
// the file does.
func TestStreamFileEndsWithTheFile(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	testpeer.MakeClip(t, clip, testpeer.Clip{Width: 640, Height: 360, FPS: 30, Seconds: 3, Audio: true})
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := runStream([]string{"--preset", "custom", "--server", n.URL("file"), "--video", "file:" + clip, "--audio", "file",
		"--size", "640x360", "--stats", "-"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if d := time.Since(start); d < 2800*time.Millisecond || d > 10*time.Second {
		t.Fatalf("a 3 s file streamed in %v", d)
	}
	lines := statsLines(t, stdout.Bytes())
	final := lines[len(lines)-1]
	if !final.Final || final.FramesSent < 85 || final.AudioSent < 130 {
		t.Fatalf("final %+v: want about 90 frames and 140 audio frames", final)
	}
}

func TestStreamBadInputSaysWhy(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--preset", "nope"}, "Unknown platform preset"},
		{[]string{"--preset", "custom", "--server", "http://example.invalid/app", "--key", "k"}, "not valid"},
		{[]string{"--preset", "twitch"}, "stream key is needed"},
		{[]string{"--preset", "facebook", "--server", "rtmp://x/rtmp", "--key", "k"}, "rtmps://"},
		{[]string{"--preset", "custom", "--server", "rtmp://127.0.0.1:1/app", "--key", "k", "--video", "camera:No Such Cam"}, "No Such Cam"},
		{[]string{"--preset", "custom", "--server", "rtmp://127.0.0.1:1/app", "--key", "k", "--video", "webcam"}, "nknown source"},
		{[]string{"--size", "big"}, "WIDTHxHEIGHT"},
		{[]string{"--preset", "twitch", "--key-file", "/nonexistent/twitch.key"}, "cannot read the stream key from /nonexistent/twitch.key"},
	} {
		var stdout, stderr bytes.Buffer
		start := time.Now()
		code := runStream(c.args, &stdout, &stderr)
		msg := strings.TrimSpace(stderr.String())
		if code == 0 || !strings.Contains(msg, c.want) || strings.Count(msg, "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want one line saying %q", c.args, code, msg, c.want)
		}
		if time.Since(start) > 2*time.Second {
			t.Errorf("%v: took %v: it should fail before connecting", c.args, time.Since(start))
		}
	}
}

// TestStreamLocalTest runs `onair stream --preset local`: the report names H.264 at the asked size
// and rate and AAC, and the saved file plays back with the same.
func TestStreamLocalTest(t *testing.T) {
	data := t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	dir := filepath.Join(data, "onair", "local-tests") // private, under the user's data folder
	var stdout, stderr bytes.Buffer
	code := runStream([]string{"--preset", "local", "--video", "test", "--audio", "test", "--duration", "8s", "--size", "640x360", "--fps", "25"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	t.Log(out)
	for _, want := range []string{"h264 640x360, 25.0 fps", "aac 48000 Hz, 2 channel(s)", "everything arrived as sent"} {
		if !strings.Contains(out, want) {
			t.Fatalf("report lacks %q:\n%s", want, out)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "local-test-*.flv"))
	if len(files) != 1 || !strings.Contains(out, files[0]) {
		t.Fatalf("saved files %v; the report must name the one it saved", files)
	}
	p := testpeer.ProbeFile(t, files[0])
	if v, a := p.Stream("video"), p.Stream("audio"); v == nil || v.Width != 640 || v.Height != 360 || a == nil || a.CodecName != "aac" {
		t.Fatalf("the saved file has video %+v, audio %+v", v, a)
	}
	if n := len(p.PacketsOf("video")); n < 7*25 {
		t.Fatalf("the saved file has %d video frames for 8 s at 25 fps", n)
	}
}

// The key comes from --key-file when no --key is given, trimmed; an empty file is refused in words.
func TestStreamKeyFromFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.key")
	empty := filepath.Join(dir, "empty.key")
	os.WriteFile(good, []byte("live_abc?x=1\n"), 0o600)
	os.WriteFile(empty, []byte("\n"), 0o600)
	if k, err := streamKey("", good); err != nil || k != "live_abc?x=1" {
		t.Fatalf("key file: %q, %v", k, err)
	}
	if k, _ := streamKey("flag", good); k != "flag" {
		t.Fatalf("--key should win, got %q", k)
	}
	if _, err := streamKey("", empty); err == nil || !strings.Contains(err.Error(), "stream key alone") {
		t.Fatalf("empty key file: %v", err)
	}
}

// TestRecordOnlySurvivesAKill: `onair stream --record` alone records without a destination; killed
// with SIGKILL after 10 s, its file still plays at least 8 s.
func TestRecordOnlySurvivesAKill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "killed.mkv")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+t.TempDir(), "ONAIR_TEST_STREAM_ARGS=--record "+path+" --video test --audio test --size 640x360 --stats -")
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(11 * time.Second) // start-up, then 10 s of recording
	cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	lines := statsLines(t, out.Bytes())
	if len(lines) == 0 || lines[len(lines)-1].State != broadcast.StateRecording || lines[len(lines)-1].RecordingState != broadcast.RecordingOn {
		t.Fatalf("record-only stats: %s", out.String())
	}
	p := testpeer.ProbeFile(t, path)
	video := p.PacketsOf("video")
	if p.Stream("video") == nil || p.Stream("audio") == nil || len(video) == 0 {
		t.Fatalf("the killed recording holds %d video packets, streams %+v", len(video), p.Streams)
	}
	length := video[len(video)-1].PTS() - video[0].PTS()
	t.Logf("killed after 10 s: %.1f s of video in the file (%d frames)", length, len(video))
	if length < 8 {
		t.Fatalf("only %.1f s of a 10 s recording survived the kill", length)
	}
}

// TestScreenKeepsItsShape: a 16:10 screen (Xvfb at 1280x800, white) streamed at 1280x720 reaches
// a viewer as the whole screen with black bars left and right, not squashed.
func TestScreenKeepsItsShape(t *testing.T) {
	display := testpeer.StartXvfb(t, "1280x800x24", "-wr") // a white screen, 16:10

	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	rec := filepath.Join(t.TempDir(), "screen.flv")
	viewer := testpeer.Record(t, n.URL("screen"), rec, 4*time.Second)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "XDG_CACHE_HOME="+t.TempDir(),
		"ONAIR_TEST_STREAM_ARGS=--preset custom --server "+n.URL("")+" --key screen --video screen --audio none --size 1280x720 --duration 7s")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("onair stream --video screen: %v\n%s", err, out)
	}
	_ = viewer.Wait()
	gray := filepath.Join(t.TempDir(), "frame.gray")
	if out, err := testpeer.Run(t, time.Minute, "ffmpeg", "-v", "error", "-i", rec, "-frames:v", "1", "-vf", "format=gray",
		"-f", "rawvideo", "-y", gray); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	pix, err := os.ReadFile(gray)
	if err != nil || len(pix) != 1280*720 {
		t.Fatalf("decoded %d bytes (%v), want 1280x720", len(pix), err)
	}
	for _, y := range []int{10, 360, 710} {
		for _, c := range []struct {
			x     int
			black bool
		}{{5, true}, {55, true}, {75, false}, {640, false}, {1205, false}, {1225, true}, {1275, true}} {
			if l := pix[y*1280+c.x]; (l < 60) != c.black {
				t.Fatalf("(%d,%d): luma %d, want black %v: the screen's 1152x720 picture between 64 and 1216", c.x, y, l, c.black)
			}
		}
	}
}

// TestRelayFansOut: the README's relay set-up. OnAir publishes once to an nginx-rtmp relay whose
// application pushes to another server (a platform, in real use); a viewer of that server gets the
// stream.
func TestRelayFansOut(t *testing.T) {
	platform := testpeer.StartNginx(t, testpeer.NginxOptions{})
	relay := testpeer.StartNginx(t, testpeer.NginxOptions{Push: []string{fmt.Sprintf("rtmp://127.0.0.1:%d/live", platform.Port)}})
	rec := filepath.Join(t.TempDir(), "platform.flv")
	viewer := testpeer.Record(t, platform.URL("relayed"), rec, 6*time.Second)
	var stdout, stderr bytes.Buffer
	if code := runStream([]string{"--preset", "custom", "--server", relay.URL(""), "--key", "relayed", "--size", "640x360",
		"--duration", "9s"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	_ = viewer.Wait()
	p := testpeer.ProbeFile(t, rec)
	if p.Stream("video") == nil || p.Stream("audio") == nil || len(p.PacketsOf("video")) < 85 {
		t.Fatalf("through the relay the platform's viewer got %d video packets, streams %+v", len(p.PacketsOf("video")), p.Streams)
	}
}

// TestCameraInTheCorner: a white screen (Xvfb) with a grey 16:9 picture in the bottom right corner
// reaches a viewer with the grey exactly in the corner's rectangle (320x180 at 928,508 in
// 1280x720) and the screen everywhere else.
func TestCameraInTheCorner(t *testing.T) {
	display := testpeer.StartXvfb(t, "1280x720x24", "-wr")
	grey := filepath.Join(t.TempDir(), "grey.mkv")
	if out, err := testpeer.Run(t, time.Minute, "ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=0x808080:s=640x360:r=30:d=2",
		"-c:v", "libx264", "-preset", "ultrafast", "-y", grey); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	rec := filepath.Join(t.TempDir(), "corner.flv")
	viewer := testpeer.Record(t, n.URL("corner"), rec, 4*time.Second)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "XDG_CACHE_HOME="+t.TempDir(),
		"ONAIR_TEST_STREAM_ARGS=--preset custom --server "+n.URL("")+" --key corner --video screen --video2 file:"+grey+
			" --layout corner:br:m --audio none --size 1280x720 --duration 7s")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("onair stream --video screen --video2 file: %v\n%s", err, out)
	}
	_ = viewer.Wait()
	gray := filepath.Join(t.TempDir(), "frame.gray")
	if out, err := testpeer.Run(t, time.Minute, "ffmpeg", "-v", "error", "-ss", "2", "-i", rec, "-frames:v", "1", "-vf", "format=gray",
		"-f", "rawvideo", "-y", gray); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	pix, err := os.ReadFile(gray)
	if err != nil || len(pix) != 1280*720 {
		t.Fatalf("decoded %d bytes (%v), want 1280x720", len(pix), err)
	}
	for _, c := range []struct {
		x, y int
		grey bool
	}{
		{930, 510, true}, {1245, 685, true}, {1088, 598, true}, // inside, at both corners and the middle
		{924, 598, false}, {1088, 504, false}, {1252, 598, false}, {1088, 692, false}, // just outside
		{10, 10, false}, {640, 360, false}, {1270, 710, false},
	} {
		l := pix[c.y*1280+c.x]
		if isGrey := l > 100 && l < 150; isGrey != c.grey {
			t.Errorf("(%d,%d): luma %d, want grey %v (the corner is 928,508 to 1248,688; the white screen around it)", c.x, c.y, l, c.grey)
		}
	}
}

// TestTwoSoundsMixWithoutClipping: the test tone mixed with a second one, both raised 12 dB (the
// beeps then add up to four times full scale), reaches a viewer limited under full scale and still
// loud; the stats give each sound's level before the limiter.
func TestTwoSoundsMixWithoutClipping(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	rec := filepath.Join(t.TempDir(), "mix.flv")
	viewer := testpeer.Record(t, n.URL("mix"), rec, 5*time.Second)
	stats := filepath.Join(t.TempDir(), "stats.jsonl")
	var stdout, stderr bytes.Buffer
	if code := runStream([]string{"--preset", "custom", "--server", n.URL(""), "--key", "mix", "--video", "none",
		"--audio", "test", "--audio2", "test", "--audio-gain", "12", "--audio2-gain", "12", "--stats", stats, "--duration", "7s"},
		&stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	_ = viewer.Wait()
	out, err := testpeer.Run(t, time.Minute, "ffmpeg", "-i", rec, "-af", "volumedetect", "-f", "null", "-")
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	var maxDB float64
	if _, err := fmt.Sscanf(string(out[bytes.Index(out, []byte("max_volume: "))+len("max_volume: "):]), "%f", &maxDB); err != nil {
		t.Fatalf("no max_volume in %s", out)
	}
	if maxDB > 0 || maxDB < -4 { // over 0 dBFS would be clipping
		t.Fatalf("the mix peaks at %.1f dBFS, want under full scale (limited at -1) and loud", maxDB)
	}
	data, _ := os.ReadFile(stats)
	var loudest float64 = -200
	sawDesktop := false
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var st struct {
			Mic     *float64 `json:"mic_dbfs"`
			Desktop *float64 `json:"desktop_dbfs"`
		}
		if json.Unmarshal(line, &st) == nil && st.Mic != nil {
			loudest = max(loudest, *st.Mic)
			sawDesktop = sawDesktop || st.Desktop != nil
		}
	}
	t.Logf("mixed peak %.1f dBFS; the first sound's loudest second %.1f dBFS", maxDB, loudest)
	if loudest < 5 || loudest > 7 || !sawDesktop { // the beep at -6 dBFS, raised 12 dB
		t.Fatalf("stats: the first sound's loudest %.1f dBFS (want +6), the second's level given: %v", loudest, sawDesktop)
	}
}
