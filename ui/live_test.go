package ui

import (
	"image"
	"image/color"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/zalando/go-keyring"

	"onair/broadcast"
	"onair/tools/testpeer"
)

// TestWindowGoesLiveWithTheRealEngine drives the window over the real session engine to
// nginx-rtmp: the test pattern and tone go out, a viewer reads them back, the status line says
// LIVE, and Stop ends it.
func TestWindowGoesLiveWithTheRealEngine(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	videos := t.TempDir()
	t.Setenv("XDG_VIDEOS_DIR", videos)
	w := realEngineWindow(t, n.URL(""), "window")
	onUI(func() {
		w.videoSel.SetSelected(optTestPattern)
		w.audioSel.SetSelected(optTestTone)
		w.sizeSel.SetSelected("640x360")
		w.bitrate.SetText("1000")
	})
	rec := filepath.Join(t.TempDir(), "viewer.flv")
	r := testpeer.Record(t, n.URL("window"), rec, 4*time.Second)
	onUI(func() { test.Tap(w.goLive) })
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(statusOf(w), "LIVE") {
		if time.Now().After(deadline) {
			t.Fatalf("status %q after 10 s", statusOf(w))
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = r.Wait()
	p := testpeer.ProbeFile(t, rec)
	if v, au := p.Stream("video"), p.Stream("audio"); v == nil || v.Width != 640 || au == nil || len(p.PacketsOf("video")) < 60 {
		t.Fatalf("the viewer got video %+v, audio %+v, %d video packets", v, au, len(p.PacketsOf("video")))
	}
	// Record while live: the button starts and stops it, the line under it says how it goes, and the
	// file plays.
	onUI(func() { test.Tap(w.record) })
	waitFor(t, "the recording", func() bool { return strings.Contains(recordingOf(w), "● Recording") })
	time.Sleep(3 * time.Second)
	onUI(func() { test.Tap(w.record) })
	waitFor(t, "the recording saved", func() bool { return strings.Contains(recordingOf(w), "Recording saved") })
	files, _ := filepath.Glob(filepath.Join(videos, "OnAir", "OnAir *.mkv"))
	if len(files) != 1 {
		t.Fatalf("recordings: %v", files)
	}
	if rp := testpeer.ProbeFile(t, files[0]); rp.Stream("video") == nil || len(rp.PacketsOf("video")) < 45 {
		t.Fatalf("the recording holds %d video packets", len(rp.PacketsOf("video")))
	}
	w.current().Stop()
	for w.current() != nil {
		if time.Now().After(deadline.Add(10 * time.Second)) {
			t.Fatal("the window still holds the session after Stop")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if s := statusOf(w); !strings.Contains(s, "ended") {
		t.Fatalf("status after Stop: %q", s)
	}
}

func statusOf(w *Window) string {
	var s string
	onUI(func() { s = statusText(w) })
	return s
}

func recordingOf(w *Window) string {
	var s string
	onUI(func() { s = w.recording.Text })
	return s
}

// waitFor waits up to 10 s for cond, which a real session reaches in its own time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestWindowStreamsAVideoFile: a picked file shows by name, brings its sound (chosen at once), and
// at its end, as chosen, the stream stops and the window says why.
func TestWindowStreamsAVideoFile(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	clip := filepath.Join(t.TempDir(), "holiday.mp4")
	testpeer.MakeClip(t, clip, testpeer.Clip{Width: 320, Height: 180, FPS: 30, Seconds: 3, Audio: true})
	w := realEngineWindow(t, n.URL(""), "file")
	onUI(func() {
		w.sizeSel.SetSelected("640x360")
		w.fileChosen(clip)
	})
	var cfg broadcast.Config
	onUI(func() { cfg = w.config() })
	if w.videoSel.Selected != "File: holiday.mp4" || w.audioSel.Selected != optFileSound || cfg.Video != "file:"+clip ||
		cfg.Audio != "file" || cfg.AtFileEnd != broadcast.FileEndStop || !w.fileEnd.Visible() {
		t.Fatalf("picture %q, sound %q, config %s / %s / %s", w.videoSel.Selected, w.audioSel.Selected, cfg.Video, cfg.Audio, cfg.AtFileEnd)
	}
	onUI(func() { test.Tap(w.goLive) })
	waitFor(t, "the file's end", func() bool { return strings.Contains(statusOf(w), "The video file ended: the stream stopped.") })
}

// realEngineWindow is a window over the real session engine, set to stream to server with key.
func realEngineWindow(t *testing.T, server, key string) *Window {
	t.Helper()
	keyring.MockInit()
	w := testWindow(test.NewTempApp(t), Broadcast{}, OSKeyring{})
	t.Cleanup(func() {
		closeWindow(w)
		w.running.Wait()
	})
	onUI(func() {
		w.win.Resize(fyne.NewSize(1100, 700))
		w.presetSel.SetSelected("Custom RTMP server")
		w.server.SetText(server)
		w.key.SetText(key)
	})
	return w
}

// TestWindowPutsTheSecondPictureInItsCorner: with the real engine, a white video file with the
// test pattern as the second picture shows in the preview as viewers get it, the pattern in the
// bottom right corner; a corner button moves it while live.
func TestWindowPutsTheSecondPictureInItsCorner(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	white := filepath.Join(t.TempDir(), "white.mp4")
	if out, err := testpeer.Run(t, time.Minute, "ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=white:s=320x180:r=30:d=12",
		"-c:v", "libx264", "-preset", "ultrafast", "-y", white); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	w := realEngineWindow(t, n.URL(""), "scene")
	onUI(func() {
		w.sizeSel.SetSelected("640x360")
		w.fileChosen(white)
		w.audioSel.SetSelected(optNoSound) // the file has none
		w.scene.second.SetSelected(optTestPattern)
	})
	// In a 480x270 preview the medium bottom right corner is 348,192 to 468,258.
	isWhite := func(x, y int) bool {
		var c color.RGBA
		onUI(func() {
			if img, ok := w.preview.Image.(*image.RGBA); ok && img.Bounds().Dx() == 480 {
				c = img.RGBAAt(x, y)
			}
		})
		return c.R > 230 && c.G > 230 && c.B > 230
	}
	patternAt := func(x0, y0 int) bool { // some of the pattern's colours in the box, white around it
		for _, p := range [][2]int{{20, 20}, {60, 33}, {100, 50}, {40, 55}} {
			if !isWhite(x0+p[0], y0+p[1]) {
				return true
			}
		}
		return false
	}
	waitFor(t, "the pattern in the bottom right corner of the preview", func() bool {
		return patternAt(348, 192) && isWhite(100, 100) && isWhite(300, 240)
	})
	if !w.scene.box.Visible() || !w.scene.placing.Visible() {
		t.Fatal("with a second picture the layout and the corner buttons should show")
	}
	if !slices.Contains(w.scene.second.Options, "File: white.mp4") {
		t.Fatalf("a chosen file should be offered as the second picture too: %v", w.scene.second.Options)
	}
	onUI(func() { test.Tap(w.goLive) })
	waitFor(t, "live", func() bool { return strings.Contains(statusOf(w), "LIVE") })
	onUI(func() { test.Tap(w.scene.corners[0]) }) // ↖
	waitFor(t, "the pattern in the top left corner while live", func() bool {
		return patternAt(12, 12) && isWhite(400, 225)
	})
	if cfg := w.config(); cfg.Video2 != "test" || cfg.Layout != "corner:tl:m" {
		t.Fatalf("config: second picture %q, layout %q", cfg.Video2, cfg.Layout)
	}
	w.current().Stop()
}

// TestWindowMixesASecondSound: with the real engine, a second sound shows its own meter, and its
// Mute silences it at once (the meters show each sound at its level, as it will be mixed).
func TestWindowMixesASecondSound(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	w := realEngineWindow(t, n.URL(""), "sound")
	onUI(func() {
		w.videoSel.SetSelected(optTestPattern)
		w.audioSel.SetSelected(optTestTone)
		w.audio2Sel.SetSelected(optTestTone)
	})
	meter2 := func() string {
		var s string
		onUI(func() { s = w.meter2.Text() })
		return s
	}
	waitFor(t, "the second meter", func() bool { return strings.Contains(meter2(), "dB") })
	if !w.meter2.Object().Visible() || !w.level2.box.Visible() {
		t.Fatal("the second sound's meter and level should show")
	}
	onUI(func() { w.level2.mute.SetChecked(true) })
	waitFor(t, "the muted second sound", func() bool { return strings.Contains(meter2(), "silent") })
	if cfg := w.config(); cfg.Audio2 != "test" || cfg.Audio2GainDB != -60 {
		t.Fatalf("config: second sound %q at %g dB", cfg.Audio2, cfg.Audio2GainDB)
	}
}
