package ui

import (
	"onair/broadcast"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The main button keeps its place whatever the status says or shows beside it, and its colour
// always matches its word.
func TestMainButtonKeepsItsPlaceAndColour(t *testing.T) {
	eng := &fakeEngine{}
	w := newTestWindow(t, test.NewTempApp(t), eng)
	where := func() fyne.Position {
		var p fyne.Position
		onUI(func() { p = fyne.CurrentApp().Driver().AbsolutePositionForObject(w.goLive) })
		return p
	}
	before := where()
	onUI(func() { test.Tap(w.goLive) })
	eventually(t, "the session", func() bool { return eng.current() != nil && w.goLive.Text == "Stop" })
	if w.goLive.Importance != widget.DangerImportance {
		t.Fatal("Stop is not in the stop colour")
	}
	eng.current().ch <- broadcast.Stats{State: broadcast.StateReconnecting, Attempt: 3, RetryInS: 4,
		Error: "The server at a-rather-long-host-name.example.com closed the connection, and this sentence wraps over several lines of the status."}
	eventually(t, "reconnecting", func() bool { return w.retryNow.Visible() })
	if p := where(); p != before {
		t.Fatalf("the main button moved from %v to %v", before, p)
	}
	eng.current().Stop()
	eventually(t, "the end", func() bool { return w.goLive.Text == "Go Live" })
	if w.goLive.Importance != widget.HighImportance {
		t.Fatal("Go Live is not in its own colour after a stream")
	}
	if p := where(); p != before {
		t.Fatalf("the main button moved from %v to %v", before, p)
	}
}

// While live the locked settings stay readable: disabled text at 4.5:1 or more against the
// backgrounds it sits on, in the light and the dark variants.
func TestLockedSettingsStayReadable(t *testing.T) {
	th := Theme()
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		text := th.Color(theme.ColorNameDisabled, v)
		for _, bg := range []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameInputBackground, theme.ColorNameDisabledButton} {
			if c := contrast(text, th.Color(bg, v)); c < 4.5 {
				t.Errorf("variant %v: disabled text on %s at %.2f:1", v, bg, c)
			}
		}
		if c := contrast(theme.DefaultTheme().Color(theme.ColorNameDisabled, v), th.Color(theme.ColorNameBackground, v)); c >= 4.5 {
			t.Logf("variant %v: Fyne's own disabled colour is readable already (%.2f:1)", v, c)
		}
	}
}

// Dialogs answer the keyboard: Esc keeps streaming, Enter stops.
func TestStopDialogAnswersEnterAndEsc(t *testing.T) {
	eng := &fakeEngine{}
	w := newTestWindow(t, test.NewTempApp(t), eng)
	onUI(func() { test.Tap(w.goLive) })
	eventually(t, "the session", func() bool { return eng.current() != nil && w.goLive.Text == "Stop" })
	onUI(func() {
		test.Tap(w.goLive)
		w.typedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	})
	if w.current() == nil || w.dialog != nil {
		t.Fatal("Esc stopped the stream, or left the question on screen")
	}
	onUI(func() {
		test.Tap(w.goLive)
		w.typedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	})
	eventually(t, "the stream to stop", func() bool { return w.current() == nil })
}

// The Local test's result stays in the window, in plain words that can be selected and copied,
// with the recording and the technical lines one click away.
func TestLocalTestResultStaysInTheWindow(t *testing.T) {
	eng := &fakeEngine{}
	w := newTestWindow(t, test.NewTempApp(t), eng)
	onUI(func() { test.Tap(w.goLive) })
	eventually(t, "the session", func() bool { return eng.current() != nil && w.goLive.Text == "Stop" })
	l := eng.current()
	l.report = &broadcast.LocalReport{Path: "/tmp/local-test-1.flv", VideoCodec: "h264", Width: 1280, Height: 720, FPS: 30,
		AudioCodec: "aac", SampleRate: 48000, Channels: 2}
	l.Stop()
	eventually(t, "the result", func() bool { return w.local.box.Visible() })
	if got := w.local.summary.Text; got != "Your stream arrived: 1280x720 at 30 fps, sound OK, in sync." || !w.local.summary.Selectable {
		t.Fatalf("summary %q (selectable %v)", got, w.local.summary.Selectable)
	}
	if w.local.details.Visible() || !strings.Contains(w.local.details.Text, "h264 1280x720") {
		t.Fatalf("technical lines shown at once, or missing: %q", w.local.details.Text)
	}
	onUI(func() { test.Tap(w.local.more) })
	if !w.local.details.Visible() {
		t.Fatal("the technical lines do not open")
	}
}

// The window fits a small laptop screen, and the preview grows with the window.
func TestWindowFitsSmallScreens(t *testing.T) {
	w := newTestWindow(t, test.NewTempApp(t), &fakeEngine{})
	min := w.win.Content().MinSize()
	t.Logf("minimum size %v", min)
	if min.Width > 900 || min.Height > 600 {
		t.Fatalf("the window needs at least %v, more than 900x600", min)
	}
	w.win.Resize(fyne.NewSize(1000, 650))
	small := w.preview.Size()
	w.win.Resize(fyne.NewSize(1600, 1000))
	if big := w.preview.Size(); big.Width <= small.Width || big.Height <= small.Height {
		t.Fatalf("the preview stays %v in a larger window (was %v)", big, small)
	}
}

// What is wrong with an address is on the first line, not behind Details; a server that never
// answered is not a connection lost.
func TestErrorsSayTheReasonFirst(t *testing.T) {
	eng := &fakeEngine{}
	w := newTestWindow(t, test.NewTempApp(t), eng)
	onUI(func() {
		w.presetSel.SetSelected("Custom RTMP server")
		w.server.SetText("http://example.com/app")
		w.key.SetText("k")
		test.Tap(w.goLive)
	})
	if s := statusText(w); !strings.Contains(s, "not valid") || !strings.Contains(s, "rtmp://") {
		t.Fatalf("status %q: the reason must be on the first line", s)
	}
	onUI(func() {
		w.server.SetText("rtmp://127.0.0.1:1/app")
		test.Tap(w.goLive)
	})
	eventually(t, "the session", func() bool { return eng.current() != nil })
	eng.current().ch <- broadcast.Stats{State: broadcast.StateReconnecting, Attempt: 1, RetryInS: 2, Error: "The server at 127.0.0.1 closed the connection."}
	eventually(t, "no answer yet", func() bool {
		return strings.HasPrefix(statusText(w), "No answer from the server yet: The server at 127.0.0.1")
	})
}

// A bitrate that is not a number says so where it is typed, keeps the stream from starting, and is
// never saved.
func TestInvalidBitrateIsRefused(t *testing.T) {
	eng := &fakeEngine{}
	a := test.NewTempApp(t)
	w := newTestWindow(t, a, eng)
	onUI(func() {
		w.bitrate.SetText("abc")
		test.Tap(w.goLive)
	})
	if !strings.Contains(w.quality.Text, "whole number") || !strings.Contains(statusText(w), "whole number") || len(eng.started) != 0 {
		t.Fatalf("note %q, status %q, %d sessions", w.quality.Text, statusText(w), len(eng.started))
	}
	onUI(w.save)
	if saved := a.Preferences().String(prefBitrate + "local"); saved == "abc" {
		t.Fatal("the invalid bitrate was saved")
	}
}

// A key pasted into the Custom address moves to the key field: the settings never hold it.
func TestKeyInCustomAddressIsNotSaved(t *testing.T) {
	eng := &fakeEngine{}
	a := test.NewTempApp(t)
	w := newTestWindow(t, a, eng)
	w.presetSel.SetSelected("Custom RTMP server")
	w.server.SetText("rtmp://127.0.0.1:1/live/secret-key-42")
	w.key.SetText("")
	test.Tap(w.goLive)
	eventually(t, "a session", func() bool { return eng.current() != nil })
	saved := a.Preferences().String(prefServer + "custom")
	if strings.Contains(saved, "secret-key-42") || saved != "rtmp://127.0.0.1:1/live" {
		t.Fatalf("saved server %q", saved)
	}
	if cfg := eng.firstConfig(); cfg.Key != "secret-key-42" || strings.Contains(cfg.Server, "secret") {
		t.Fatalf("went live with server %q and key %q", cfg.Server, cfg.Key)
	}
}

// A locked keyring never freezes the window: the preset changes at once, the key arrives when the
// keyring answers, and going live does not wait for it.
func TestLockedKeyringDoesNotFreezeTheWindow(t *testing.T) {
	keys := &lockedKeyring{unlock: make(chan struct{}), key: "kept-key-9"}
	a := test.NewTempApp(t)
	w := testWindow(a, &fakeEngine{}, keys)
	t.Cleanup(func() { w.win.Close() })
	done := make(chan struct{})
	go func() {
		onUI(func() { w.presetSel.SetSelected("YouTube") })
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		close(keys.unlock)
		t.Fatal("choosing a platform waited for the keyring")
	}
	close(keys.unlock)
	eventually(t, "the key from the keyring", func() bool { return w.key.Text == "kept-key-9" })
}

// lockedKeyring answers only once unlocked, as a keyring that asks for its password does.
type lockedKeyring struct {
	unlock chan struct{}
	key    string
}

func (k *lockedKeyring) Get(string) (string, error) { <-k.unlock; return k.key, nil }
func (k *lockedKeyring) Set(string, string) error   { <-k.unlock; return nil }
func (k *lockedKeyring) Delete(string) error        { <-k.unlock; return nil }

// Reconnecting never gives up unless the user says so; then it ends after giveUpAfter attempts.
func TestKeepTryingIsTheUsersChoice(t *testing.T) {
	eng := &fakeEngine{}
	w := newTestWindow(t, test.NewTempApp(t), eng)
	if !w.keepTrying.Checked || w.config().MaxAttempts != 0 {
		t.Fatalf("by default: keep trying %v, max attempts %d", w.keepTrying.Checked, w.config().MaxAttempts)
	}
	onUI(func() { w.keepTrying.SetChecked(false) })
	if n := w.config().MaxAttempts; n != giveUpAfter {
		t.Fatalf("not keeping on: max attempts %d, want %d", n, giveUpAfter)
	}
}
