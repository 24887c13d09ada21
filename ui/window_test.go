package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/zalando/go-keyring"

	"onair/broadcast"
)

// fakeEngine is the one fake the UI tests use: it stands in for the session engine behind the
// window's Engine interface.
type fakeEngine struct {
	mu       sync.Mutex
	started  []broadcast.Config
	live     *fakeLive
	startErr error
	devices  []broadcast.Device
}

func (f *fakeEngine) Presets() []broadcast.Preset { return broadcast.Presets() }
func (f *fakeEngine) Devices() []broadcast.Device { return f.devices }
func (f *fakeEngine) Preview(cfg broadcast.Config) (Stopper, error) {
	return stopFunc(func() {}), nil
}
func (f *fakeEngine) GoLive(ctx context.Context, cfg broadcast.Config) (Live, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.started = append(f.started, cfg)
	if f.startErr != nil {
		return nil, f.startErr
	}
	f.live = &fakeLive{ch: make(chan broadcast.Stats, 16)}
	return f.live, nil
}

func (f *fakeEngine) firstConfig() broadcast.Config {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.started[0]
}

func (f *fakeEngine) current() *fakeLive {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.live
}

type stopFunc func()

func (s stopFunc) Stop() { s() }

type fakeLive struct {
	ch         chan broadcast.Stats
	once       sync.Once
	mu         sync.Mutex
	bitrates   []int
	reconnects int
	report     *broadcast.LocalReport
}

func (l *fakeLive) Subscribe() <-chan broadcast.Stats { return l.ch }
func (l *fakeLive) Stop() {
	l.once.Do(func() {
		l.ch <- broadcast.Stats{State: broadcast.StateStopped, Final: true}
		close(l.ch)
	})
}
func (l *fakeLive) ReconnectNow()              { l.mu.Lock(); l.reconnects++; l.mu.Unlock() }
func (l *fakeLive) ReconnectDestination(i int) { l.ReconnectNow() }

func (l *fakeLive) reconnectCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reconnects
}
func (l *fakeLive) SetBitrate(kbps int) {
	l.mu.Lock()
	l.bitrates = append(l.bitrates, kbps)
	l.mu.Unlock()
}
func (l *fakeLive) Report() string              { return "" }
func (l *fakeLive) StartRecording(string) error { return nil }
func (l *fakeLive) StopRecording()              {}
func (l *fakeLive) LocalTestReport() *broadcast.LocalReport {
	if l.report == nil {
		return nil
	}
	return l.report
}

// uiMu stands in for Fyne's UI goroutine: the test driver runs fyne.Do inline on the calling
// goroutine, so the window's background updates and the test's own reads take turns here.
var uiMu sync.Mutex

func serial(f func()) {
	uiMu.Lock()
	defer uiMu.Unlock()
	f()
}

// onUI runs f as the UI goroutine would.
func onUI(f func()) { serial(f) }

// closeWindow closes w as its user would. The test's UI lock is synchronous, unlike fyne.Do: a
// preview still opening in the background hands its result to the UI first, or the close, waiting
// for it while holding the lock, never ends.
func closeWindow(w *Window) {
	onUI(w.stopPreview)
	w.bg.wait()
	onUI(w.win.Close)
}

// testWindow builds a window as the UI goroutine would, its later changes serialised with the
// test's own reads.
func testWindow(a fyne.App, eng Engine, keys KeyStore) *Window {
	var w *Window
	serial(func() { w = newWindow(a, eng, keys, serial) })
	return w
}

func newTestWindow(t *testing.T, a fyne.App, eng *fakeEngine) *Window {
	t.Helper()
	keyring.MockInit() // the keyring's own in-memory provider
	w := testWindow(a, eng, OSKeyring{})
	onUI(func() {
		w.win.Resize(fyne.NewSize(1100, 700))
		w.win.Show()
	})
	t.Cleanup(func() {
		closeWindow(w)   // stops a live session
		w.running.Wait() // and lets its goroutine finish before the next test draws
	})
	return w
}

// eventually waits for cond, which the UI reaches from its goroutines.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		ok := false
		onUI(func() { ok = cond() })
		if ok {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func statusText(w *Window) string { s, _ := w.status.Get(); return s }

// renderedText is every piece of text the window draws, overlays included.
func renderedText(w *Window) string {
	var b strings.Builder
	objs := test.LaidOutObjects(w.win.Content())
	for _, o := range w.win.Canvas().Overlays().List() {
		objs = append(objs, test.LaidOutObjects(o)...)
	}
	for _, o := range objs {
		if t, ok := o.(*canvas.Text); ok {
			b.WriteString(t.Text + "\n")
		}
	}
	return b.String()
}

func TestPresetFillsServerAndCapsBitrate(t *testing.T) {
	w := newTestWindow(t, test.NewTempApp(t), &fakeEngine{})
	if w.presetSel.Selected != "Local test" {
		t.Fatalf("default preset %q, want Local test", w.presetSel.Selected)
	}
	w.presetSel.SetSelected("Twitch")
	if w.server.Text != "rtmps://ingest.global-contribute.live-video.net:443/app" || !w.server.Disabled() {
		t.Fatalf("Twitch server %q (disabled %v)", w.server.Text, w.server.Disabled())
	}
	w.bitrate.SetText("45000") // over Twitch's 6000
	if w.bitrate.Text != "6000" || !strings.Contains(w.quality.Text, "at most 6000") {
		t.Fatalf("bitrate %q, note %q: want capped at 6000 and said", w.bitrate.Text, w.quality.Text)
	}
	w.presetSel.SetSelected("Custom RTMP server")
	if w.server.Disabled() {
		t.Fatal("the custom server must be editable")
	}
	w.presetSel.SetSelected("Kick")
	if !w.server.Disabled() && w.server.Text == "" && w.server.PlaceHolder == "" {
		t.Fatal("Kick asks for the user's ingest URL with a hint")
	}
}

func TestEmptyKeyShowsAMessageInsteadOfConnecting(t *testing.T) {
	eng := &fakeEngine{}
	w := newTestWindow(t, test.NewTempApp(t), eng)
	w.presetSel.SetSelected("YouTube")
	w.key.SetText("")
	test.Tap(w.goLive)
	if !strings.Contains(statusText(w), "Paste your stream key") || len(eng.started) != 0 {
		t.Fatalf("status %q, %d sessions started", statusText(w), len(eng.started))
	}
	w.presetSel.SetSelected("Twitch") // the message was about YouTube: it goes
	if statusText(w) != readyText {
		t.Fatalf("after switching platform the status still says %q", statusText(w))
	}
}

func TestGoLiveThroughTheStates(t *testing.T) {
	eng := &fakeEngine{}
	w := newTestWindow(t, test.NewTempApp(t), eng)
	onUI(func() { test.Tap(w.goLive) })
	eventually(t, "the session to start", func() bool { return eng.current() != nil })
	l := eng.current()
	if cfg := eng.firstConfig(); cfg.Preset != "local" || cfg.Video != "test" || cfg.Width != 1280 {
		t.Fatalf("started with %+v", cfg)
	}
	l.ch <- broadcast.Stats{State: broadcast.StateConnecting}
	eventually(t, "Connecting…", func() bool { return statusText(w) == "Connecting…" })
	l.ch <- broadcast.Stats{T: 1, State: broadcast.StateLive, UptimeS: 754, SentKbps: 4480, TargetKbps: 4500, FramesSent: 990, FramesDropped: 10, FPS: 30}
	eventually(t, "LIVE", func() bool { return statusText(w) == "● LIVE 00:12:34" })
	eventually(t, "the labels", func() bool {
		s, _ := w.sent.Get()
		d, _ := w.dropped.Get()
		return s == "4480 kb/s" && d == "10 (1.0 %) · last minute 10" && w.lightWords.Text == "Connection: good"
	})
	// Frames dropped count for a minute in the second figure; the total stays.
	l.ch <- broadcast.Stats{T: 30, State: broadcast.StateLive, FramesSent: 1880, FramesDropped: 20, QueueMS: 600}
	eventually(t, "twenty dropped in the last minute", func() bool {
		d, _ := w.dropped.Get()
		return strings.HasSuffix(d, "last minute 20") && strings.Contains(w.lightWords.Text, "too slow")
	})
	l.ch <- broadcast.Stats{T: 100, State: broadcast.StateLive, FramesSent: 3980, FramesDropped: 20}
	eventually(t, "none dropped in the last minute", func() bool {
		d, _ := w.dropped.Get()
		return d == "20 (0.5 %) · last minute 0"
	})
	eventually(t, "a point a second on the graph", func() bool { return w.graph.Points() == 3 })
	l.ch <- broadcast.Stats{State: broadcast.StateLive, UptimeS: 755, FPS: 15, EncodeFPS: 15}
	eventually(t, "the halved frame rate said", func() bool {
		f, _ := w.fps.Get()
		return f == "15 (fewer pictures, each sharper, while your connection is slow)"
	})
	l.ch <- broadcast.Stats{State: broadcast.StateLive, UptimeS: 755, FPS: 7.5, EncodeFPS: 7.5, AudioKbps: 64}
	eventually(t, "the quarter frame rate and the lower sound said", func() bool {
		f, _ := w.fps.Get()
		return f == "8 (fewer pictures, each sharper, while your connection is slow) · sound at 64 kb/s"
	})
	l.ch <- broadcast.Stats{State: broadcast.StateLive, UptimeS: 757, FPS: 30, EncodeFPS: 30, Width: 640, Height: 360, AudioKbps: 96}
	eventually(t, "the lower resolution said", func() bool {
		f, _ := w.fps.Get()
		return f == "30 (lower resolution while your connection is slow: 640x360) · sound at 96 kb/s"
	})
	l.ch <- broadcast.Stats{State: broadcast.StateLive, UptimeS: 756, LostDevices: []string{"camera “HD Webcam”"}}
	eventually(t, "a lost camera", func() bool {
		return strings.Contains(statusText(w), "Your camera “HD Webcam” stopped: viewers see “Be right back”")
	})
	l.ch <- broadcast.Stats{State: broadcast.StateWaitingNetwork, Attempt: 1, RetryInS: 2, Error: "The name ingest.example could not be looked up."}
	eventually(t, "Waiting for the network", func() bool {
		return strings.Contains(statusText(w), "Waiting for the network: The name ingest.example") && w.retryNow.Visible()
	})
	l.ch <- broadcast.Stats{State: broadcast.StateReconnecting, UptimeS: 760, Attempt: 2, RetryInS: 3, Error: "The server closed the connection."}
	eventually(t, "Reconnecting", func() bool {
		return strings.Contains(statusText(w), "Reconnecting in 3 s (attempt 2)") && w.retryNow.Visible()
	})
	onUI(func() { test.Tap(w.retryNow) })
	if l.reconnectCount() != 1 {
		t.Fatal("Reconnect now did not reach the session")
	}
	// Stop asks first.
	onUI(func() {
		test.Tap(w.goLive)
		test.Tap(findButton(t, w, "Yes"))
	})
	eventually(t, "the end", func() bool { return w.goLive.Text == "Go Live" && w.current() == nil })
}

func findButton(t *testing.T, w *Window, text string) *widget.Button {
	t.Helper()
	for _, o := range w.win.Canvas().Overlays().List() {
		for _, c := range test.LaidOutObjects(o) {
			if b, ok := c.(*widget.Button); ok && b.Text == text {
				return b
			}
		}
	}
	t.Fatalf("no %q button on screen", text)
	return nil
}

func TestErrorsShowInWords(t *testing.T) {
	eng := &fakeEngine{}
	w := newTestWindow(t, test.NewTempApp(t), eng)
	onUI(func() { test.Tap(w.goLive) })
	eventually(t, "the session to start", func() bool { return eng.current() != nil })
	l := eng.current()
	l.ch <- broadcast.Stats{State: broadcast.StateFailed, Final: true,
		Error: "The server refused the stream key (is it right, and not already in use?)", ErrorDetail: "NetStream.Publish.BadName"}
	close(l.ch)
	eventually(t, "the error", func() bool { return strings.Contains(statusText(w), "refused the stream key") && w.details.Visible() })
	onUI(func() {
		if !strings.Contains(w.lastError, "BadName") {
			t.Errorf("details %q lack the technical detail", w.lastError)
		}
	})

	eng.mu.Lock()
	eng.startErr = errors.New("device not found: no camera called \"X\"")
	eng.mu.Unlock()
	eventually(t, "idle", func() bool { return w.goLive.Text == "Go Live" && !w.goLive.Disabled() })
	onUI(func() { test.Tap(w.goLive) })
	eventually(t, "the start error", func() bool {
		return strings.Contains(statusText(w), "No camera called") || strings.Contains(statusText(w), "Device not found")
	})
}

func TestSettingsSurviveARestart(t *testing.T) {
	a := test.NewTempApp(t)
	eng := &fakeEngine{}
	w := newTestWindow(t, a, eng)
	w.presetSel.SetSelected("Custom RTMP server")
	w.server.SetText("rtmp://example.invalid/app")
	w.key.SetText("custom-key-777")
	w.remember.SetChecked(true)
	w.sizeSel.SetSelected("854x480")
	w.fpsSel.SetSelected("60")
	w.bitrate.SetText("2500")
	onUI(func() { test.Tap(w.goLive) }) // going live saves the settings
	eventually(t, "the session to start", func() bool { return eng.current() != nil })
	eng.current().Stop()
	eventually(t, "the end", func() bool { return w.current() == nil })

	w2 := testWindow(a, eng, OSKeyring{})
	defer w2.win.Close()
	if w2.presetSel.Selected != "Custom RTMP server" || w2.server.Text != "rtmp://example.invalid/app" ||
		w2.sizeSel.Selected != "854x480" || w2.fpsSel.Selected != "60" || w2.bitrate.Text != "2500" {
		t.Fatalf("after a restart: preset %q server %q size %q fps %q bitrate %q", w2.presetSel.Selected, w2.server.Text,
			w2.sizeSel.Selected, w2.fpsSel.Selected, w2.bitrate.Text)
	}
	eventually(t, "the key restored from the keyring", func() bool { return w2.key.Text == "custom-key-777" && w2.remember.Checked })
	for _, k := range []string{prefPreset, prefServer + "custom", prefVideo, prefAudio, prefSize, prefBitrate + "custom"} {
		if strings.Contains(a.Preferences().String(k), "custom-key-777") {
			t.Fatalf("the key is in the plain preferences under %q", k)
		}
	}
}

func TestKeyIsNeverRenderedUnlessShown(t *testing.T) {
	w := newTestWindow(t, test.NewTempApp(t), &fakeEngine{})
	w.presetSel.SetSelected("Twitch")
	test.Type(w.key, "live_super_secret_123")
	if strings.Contains(renderedText(w), "super_secret") {
		t.Fatal("the stream key is drawn in clear text")
	}
	w.key.Password = false // what the eye button does
	w.key.Refresh()
	if !strings.Contains(renderedText(w), "live_super_secret_123") {
		t.Fatal("after Show, the key should be readable (this test would not see a leak otherwise)")
	}
}

func TestNoCameraSaysSoAndUsesTheTestPattern(t *testing.T) {
	w := newTestWindow(t, test.NewTempApp(t), &fakeEngine{})
	if w.videoSel.Selected != optTestPattern || !w.noCamera.Visible() || !strings.Contains(w.noCamera.Text, "No camera") {
		t.Fatalf("video %q, message %q", w.videoSel.Selected, w.noCamera.Text)
	}
	w2 := newTestWindow(t, test.NewTempApp(t), &fakeEngine{devices: []broadcast.Device{{Kind: broadcast.Camera, ID: "/dev/video0", Label: "Desk Cam"}}})
	if w2.videoSel.Selected != "Desk Cam" || w2.noCamera.Visible() {
		t.Fatalf("with a camera: video %q, message shown %v", w2.videoSel.Selected, w2.noCamera.Visible())
	}
}

func TestManualBitrateChangeWhileLiveReachesTheSession(t *testing.T) {
	eng := &fakeEngine{}
	w := newTestWindow(t, test.NewTempApp(t), eng)
	onUI(func() { test.Tap(w.goLive) })
	eventually(t, "the session to start", func() bool { return eng.current() != nil && w.current() != nil })
	onUI(func() { // typed a key at a time, then Enter: only the finished number is applied
		for _, s := range []string{"3", "30", "300", "3000"} {
			w.bitrate.SetText(s)
		}
		w.bitrate.OnSubmitted(w.bitrate.Text)
	})
	l := eng.current()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.bitrates) != 1 || l.bitrates[0] != 3000 {
		t.Fatalf("bitrates sent to the session: %v, want only 3000", l.bitrates)
	}
}

// TestSceneAndSoundsSurviveARestart: the screen with the camera in a corner, a second sound and
// its level come back after a restart, with their controls showing, and no word about a missing
// camera while the screen is the picture.
func TestSceneAndSoundsSurviveARestart(t *testing.T) {
	a := test.NewTempApp(t)
	eng := &fakeEngine{devices: []broadcast.Device{{Kind: broadcast.Screen, ID: "Screen0", Label: "Screen0"},
		{Kind: broadcast.Microphone, ID: "mic1", Label: "Desk Mic"}, {Kind: broadcast.Microphone, ID: "mon", Label: "Monitor of Speakers"}}}
	w := newTestWindow(t, a, eng)
	onUI(func() {
		w.videoSel.SetSelected("Screen: Screen0")
		w.scene.second.SetSelected(optTestPattern)
		test.Tap(w.scene.corners[1]) // ↗
		w.scene.size.SetSelected("Large")
		w.audioSel.SetSelected("Desk Mic")
		w.audio2Sel.SetSelected(optDesktopSound)
		w.level2.slider.SetValue(-6)
		w.save()
	})
	if cfg := w.config(); cfg.Video2 != "test" || cfg.Layout != "corner:tr:l" || cfg.Audio2 != "desktop" || cfg.Audio2GainDB != -6 {
		t.Fatalf("config: %q %q %q %g", cfg.Video2, cfg.Layout, cfg.Audio2, cfg.Audio2GainDB)
	}
	w2 := testWindow(a, eng, OSKeyring{})
	defer w2.win.Close()
	var cfg broadcast.Config
	onUI(func() { cfg = w2.config() })
	if cfg.Video != "screen:Screen0" || cfg.Video2 != "test" || cfg.Layout != "corner:tr:l" || cfg.Audio2 != "desktop" || cfg.Audio2GainDB != -6 {
		t.Fatalf("after a restart: %q %q %q %q %g", cfg.Video, cfg.Video2, cfg.Layout, cfg.Audio2, cfg.Audio2GainDB)
	}
	if !w2.scene.box.Visible() || !w2.scene.placing.Visible() || !w2.level2.box.Visible() || !w2.meter2.Object().Visible() {
		t.Fatal("after a restart the layout, the corner buttons and the second sound's level and meter should show")
	}
	if w2.noCamera.Visible() {
		t.Fatal("“No camera found” shows while the screen is the picture")
	}
}
