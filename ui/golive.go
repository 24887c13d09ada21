package ui

import (
	"context"
	"onair/broadcast"
	"strings"
	"time"

	"fyne.io/fyne/v2/widget"
)

// GoLive presses Go Live.
func (w *Window) GoLive() { w.goLiveTapped() }

func (w *Window) goLiveTapped() {
	if l := w.current(); l != nil {
		w.ask("Stop the stream?", "Your viewers will see the stream end.", func() {
			w.goLive.Disable()
			w.status.Set("Stopping…")
			go l.Stop()
		})
		return
	}
	if w.preset.ServerEditable && strings.TrimSpace(w.key.Text) == "" {
		// A key pasted into the address moves to the key field: it is kept as a key is, never
		// in the settings' plain text.
		if base, key, ok := broadcast.SplitServerKey(strings.TrimSpace(w.server.Text)); ok {
			w.server.SetText(base)
			w.key.SetText(key)
		}
	}
	if err := w.bitrate.Validate(); err != nil {
		w.showError(sentence(err.Error())+".", "")
		return
	}
	cfg := w.config()
	if w.preset.KeyRequired && cfg.Key == "" {
		w.showError("Paste your stream key first.", w.preset.About)
		return
	}
	if _, err := cfg.Resolve(); err != nil {
		words, detail := broadcast.Explain(err)
		w.showError(words, detail)
		return
	}
	w.save()
	w.recordOnly = false
	w.liveDests = w.dests.ticked()
	w.startSession(cfg)
}

// startSession lets the preview go and starts a session for cfg in the background.
func (w *Window) startSession(cfg broadcast.Config) {
	w.local.hide()
	w.stopPreview()
	w.goLive.Disable()
	w.details.Hide()
	w.status.Set("Connecting…")
	w.graph.Reset()
	w.lastDrops, w.dropTimes = 0, nil
	w.running.Add(1)
	w.bg.run(func() { // after the preview has let the devices go
		l, err := w.eng.GoLive(context.Background(), cfg)
		go w.follow(l, err)
	})
}

// follow shows a session's progress until it ends.
func (w *Window) follow(l Live, err error) {
	defer w.running.Done()
	if err != nil {
		words, detail := broadcast.Explain(err)
		w.do(func() {
			w.showError(words, detail)
			w.goLive.Enable()
			w.startPreview()
		})
		return
	}
	w.mu.Lock()
	w.live = l
	w.mu.Unlock()
	w.do(func() {
		w.setMainButton("Stop", widget.DangerImportance)
		w.goLive.Enable()
		w.setEditable(false)
	})
	for st := range l.Subscribe() {
		if w.stashStats(st) {
			continue
		}
		w.do(func() { w.showStats(st) })
	}
	report := l.LocalTestReport()
	w.mu.Lock()
	w.live = nil
	w.mu.Unlock()
	w.do(func() { w.ended(report) })
}

// stashStats keeps a live snapshot for the next preview picture when one is due soon: each
// change on screen redraws the whole window, and one redraw can show both. Anything else shows at
// once, and replaces what waits.
func (w *Window) stashStats(st broadcast.Stats) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if st.State == broadcast.StateLive && !st.Final && time.Since(w.lastPicture) < 300*time.Millisecond {
		w.pendingStats = &st
		return true
	}
	w.pendingStats = nil
	return false
}
