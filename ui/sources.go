package ui

import (
	"onair/broadcast"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
)

// Labels of the sources that are always there.
const (
	optTestPattern = "Test pattern"
	optVideoFile   = "Video file…"
	optTestTone    = "Test tone"
	optNoSound     = "No sound"
	optFileSound   = "The video file's sound"
	filePrefix     = "File: " // a chosen file's option, with its name
)

// What a video file does at its end, as the window offers it.
var fileEnds = []struct{ label, value string }{
	{"Stop the stream", broadcast.FileEndStop},
	{"Play it again", broadcast.FileEndLoop},
	{"Show “Be right back”", broadcast.FileEndHold},
}

// mediaExtensions are the files the picker offers.
var mediaExtensions = []string{".mp4", ".mkv", ".mov", ".webm", ".avi", ".flv", ".m4v", ".ts", ".mpg", ".mpeg", ".wmv"}

// listSources fills the source pickers from the devices.
func (w *Window) listSources() {
	w.videos = map[string]string{optTestPattern: "test"}
	w.audios = map[string]string{optTestTone: "test", optNoSound: "none"}
	var vopts, aopts []string
	w.cameras = 0
	for _, d := range w.eng.Devices() {
		switch d.Kind {
		case broadcast.Camera:
			vopts = append(vopts, d.Label)
			w.videos[d.Label] = "camera:" + d.ID
			w.cameras++
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
	w.listSecondPictures()
	w.listSecondSounds()
	if w.cameras == 0 {
		w.noCamera.SetText("No camera found: showing the test pattern. Plug one in and restart OnAir, or share your screen or a video file.")
		w.noCamera.Show()
	} else {
		w.noCamera.Hide()
	}
}

// sourcesChanged restarts the preview; "Video file…" asks for a file, every time.
func (w *Window) sourcesChanged() {
	if w.videos == nil {
		return
	}
	if w.videoSel.Selected == optVideoFile {
		w.pickFile()
		return
	}
	w.lastVideo = w.videoSel.Selected
	isFile := strings.HasPrefix(w.videos[w.videoSel.Selected], "file:")
	w.showFileSound(isFile)
	if isFile {
		w.fileEnd.Show()
	} else {
		w.fileEnd.Hide()
	}
	w.showNoCamera()
	if w.current() == nil {
		w.startPreview()
	}
}

// showNoCamera says that no camera was found while the test pattern stands in for one, and
// nothing otherwise.
func (w *Window) showNoCamera() {
	if w.cameras == 0 && w.videoSel.Selected == optTestPattern {
		w.noCamera.Show()
	} else {
		w.noCamera.Hide()
	}
}

// pickFile asks for a video file, starting in the Videos folder, showing media files only. The
// file becomes an option of its own, by name, with its sound.
func (w *Window) pickFile() {
	previous := w.lastVideo
	if previous == "" {
		previous = optTestPattern
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			w.videoSel.SetSelected(previous)
			return
		}
		path := r.URI().Path()
		r.Close()
		w.fileChosen(path)
	}, w.win)
	d.SetFilter(storage.NewExtensionFileFilter(mediaExtensions))
	if dir, err := storage.ListerForURI(storage.NewFileURI(videosFolder())); err == nil {
		d.SetLocation(dir)
	}
	d.Show()
}

// fileChosen makes a picked file the picture, by name, with its sound.
func (w *Window) fileChosen(path string) {
	label := filePrefix + filepath.Base(path)
	w.videos[label] = "file:" + path
	opts := []string{label}
	for _, o := range w.videoSel.Options {
		if !strings.HasPrefix(o, filePrefix) {
			opts = append(opts, o)
		}
	}
	w.videoSel.Options = opts
	w.listSecondPictures()
	w.videoSel.SetSelected(label)
	w.showFileSound(true)
	w.audioSel.SetSelected(optFileSound)
}

// showFileSound offers the file's sound when a file is the picture, and takes it back otherwise.
func (w *Window) showFileSound(on bool) {
	has := slices.Contains(w.audioSel.Options, optFileSound)
	switch {
	case on && !has:
		w.audioSel.Options = append([]string{optFileSound}, w.audioSel.Options...)
		w.audios[optFileSound] = "file"
		w.audioSel.Refresh()
	case !on && has:
		w.audioSel.Options = slices.DeleteFunc(slices.Clone(w.audioSel.Options), func(o string) bool { return o == optFileSound })
		if w.audioSel.Selected == optFileSound {
			w.audioSel.SetSelected(optTestTone)
		}
		w.audioSel.Refresh()
	}
}

// videosFolder is the user's Videos folder, where the picker starts (home when there is none).
func videosFolder() string {
	dir := filepath.Dir(broadcast.RecordingsFolder())
	if _, err := os.Stat(dir); err != nil {
		dir, _ = os.UserHomeDir()
	}
	return dir
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
