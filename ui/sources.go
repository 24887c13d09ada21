package ui

import (
	"onair/broadcast"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
)

// Labels of the sources that are always there.
const (
	optTestPattern = "Test pattern"
	optVideoFile   = "Video file…"
	optTestTone    = "Test tone"
	optNoSound     = "No sound"
)

// listSources fills the source pickers from the devices.
func (w *Window) listSources() {
	w.videos = map[string]string{optTestPattern: "test"}
	w.audios = map[string]string{optTestTone: "test", optNoSound: "none"}
	var vopts, aopts []string
	cameras := 0
	for _, d := range w.eng.Devices() {
		switch d.Kind {
		case broadcast.Camera:
			vopts = append(vopts, d.Label)
			w.videos[d.Label] = "camera:" + d.ID
			cameras++
		case broadcast.Screen:
			label := "Screen: " + d.Label
			vopts = append(vopts, label)
			w.videos[label] = "screen:" + d.ID
		case broadcast.Microphone:
			aopts = append(aopts, d.Label)
			w.audios[d.Label] = "mic:" + d.ID
		}
	}
	vopts = append(vopts, optTestPattern, optVideoFile)
	aopts = append(aopts, optTestTone, optNoSound)
	w.videoSel.Options, w.audioSel.Options = vopts, aopts
	if cameras == 0 {
		w.noCamera.SetText("No camera found: showing the test pattern. Plug one in and restart OnAir, or share your screen or a video file.")
		w.noCamera.Show()
	} else {
		w.noCamera.Hide()
	}
}

// sourcesChanged restarts the preview; "Video file…" asks for the file first.
func (w *Window) sourcesChanged() {
	if w.videos == nil {
		return
	}
	if w.videoSel.Selected == optVideoFile && w.filePath == "" {
		d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				w.videoSel.SetSelected(optTestPattern)
				return
			}
			w.filePath = r.URI().Path()
			r.Close()
			w.videos[optVideoFile] = "file:" + w.filePath
			w.sourcesChanged()
		}, w.win)
		d.Show()
		return
	}
	if w.current() == nil {
		w.startPreview()
	}
}

// startPreview shows the chosen sources; the devices open in the background.
func (w *Window) startPreview() {
	cfg := w.config()
	cfg.Preset, cfg.Server, cfg.Key = "local", "", ""
	w.mu.Lock()
	w.previewGen++
	gen := w.previewGen
	w.mu.Unlock()
	w.bg.run(func() {
		w.closePreview()
		w.mu.Lock()
		stale := gen != w.previewGen
		w.mu.Unlock()
		if stale { // a newer choice, or Go Live, came meanwhile
			return
		}
		p, err := w.eng.Preview(cfg)
		if err != nil {
			words, detail := broadcast.Explain(err)
			w.do(func() { w.showError(words, detail) })
			return
		}
		w.mu.Lock()
		w.previewer = p
		w.mu.Unlock()
	})
}

// stopPreview lets the preview's devices go, in the background.
func (w *Window) stopPreview() {
	w.mu.Lock()
	w.previewGen++
	w.mu.Unlock()
	w.bg.run(w.closePreview)
}

func (w *Window) closePreview() {
	w.mu.Lock()
	p := w.previewer
	w.previewer = nil
	w.mu.Unlock()
	if p != nil {
		p.Stop()
	}
}
