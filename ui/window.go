// Package ui is OnAir's window, built with Fyne. It talks only to the session engine (broadcast/),
// through the Engine interface it declares.
package ui

import (
	"image"
	"image/color"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"onair/broadcast"
)

// Title is the window's title.
const Title = "OnAir"

// Window is OnAir's main window and its state.
type Window struct {
	app  fyne.App
	win  fyne.Window
	eng  Engine
	keys KeyStore

	presets []broadcast.Preset
	preset  broadcast.Preset
	videos  map[string]string // option label -> source spec
	audios  map[string]string

	preview    *canvas.Image
	noCamera   *widget.Label
	meter      *LevelMeter
	meter2     *LevelMeter // the second sound's
	audio2Sel  *widget.Select
	level1     *soundLevel // the first sound's level and mute
	level2     *soundLevel
	videoSel   *widget.Select
	scene      *scene // the second picture and the layout
	audioSel   *widget.Select
	presetSel  *widget.Select
	about      *widget.Label
	server     *widget.Entry
	key        *widget.Entry
	remember   *widget.Check
	sizeSel    *widget.Select
	fpsSel     *widget.Select
	bitrate    *numberEntry
	quality    *widget.Label
	goLive     *widget.Button
	status     binding.String
	statusLbl  *widget.Label
	retryNow   *widget.Button
	details    *widget.Button
	sent       binding.String
	target     binding.String
	dropped    binding.String
	fps        binding.String
	light      *canvas.Circle
	lightWords *widget.Label
	dropTimes  []dropMark // frames dropped, a second at a time, for the last minute
	graph      *Graph
	dests      *destList    // where else to stream
	liveDests  []*extraDest // the ones the running session streams to, beside the first

	// do runs a change to the widgets on Fyne's UI goroutine (fyne.Do); tests serialise it.
	do func(func())

	running      sync.WaitGroup // the goroutine following a session (tests wait for it)
	bg           *background    // slow work, off the UI goroutine
	record       *widget.Button
	recording    *widget.Label
	recordFolder *widget.Button
	recordFull   *widget.Check
	keepTrying   *widget.Check // unchecked: give up after giveUpAfter failed attempts
	recordOnly   bool          // the session records without streaming
	recordingNow bool          // a recording runs
	previewGen   int           // the latest preview asked for; older ones are not started

	mu          sync.Mutex
	live        Live
	previewer   Stopper
	lastError   string
	dialog      *shownDialog // the dialog on screen, for Enter and Esc
	local       *localPanel  // what the last Local test received
	lastDrops   uint64
	lastVideo   string // the picture chosen before "Video file…", to go back to
	cameras     int    // cameras found
	fileEnd     *widget.Select
	lastLevel   time.Time
	peak        [2]float64 // the loudest level of each sound since the last redraw
	peakFresh   [2]bool
	lastPicture time.Time // the last preview picture: without pictures the meter redraws on its own
	// pendingStats waits for the next preview picture, so that both cost one redraw.
	pendingStats *broadcast.Stats
}

// New builds the window around an engine and a key store.
func New(a fyne.App, eng Engine, keys KeyStore) *Window { return newWindow(a, eng, keys, fyne.Do) }

// newWindow is New with do as the way to the UI goroutine (tests serialise it).
func newWindow(a fyne.App, eng Engine, keys KeyStore, do func(func())) *Window {
	w := &Window{app: a, win: a.NewWindow(Title), eng: eng, keys: keys, presets: eng.Presets(), do: do, bg: newBackground()}
	a.Settings().SetTheme(Theme())
	w.peak = [2]float64{math.Inf(-1), math.Inf(-1)}
	w.win.Canvas().SetOnTypedKey(w.typedKey)
	w.build()
	w.load()
	w.win.SetCloseIntercept(w.closeAsked)
	w.win.SetOnClosed(w.shutdown)
	w.win.Resize(fyne.NewSize(1060, 640)) // fits a 1280x720 screen with a panel
	return w
}

// Show shows the window.
func (w *Window) Show() { w.win.Show() }

// Fyne returns the fyne window.
func (w *Window) Fyne() fyne.Window { return w.win }

func (w *Window) build() {
	w.preview = canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, 16, 9)))
	w.preview.FillMode = canvas.ImageFillContain
	w.preview.ScaleMode = canvas.ImageScaleFastest // scaled by GL, not in software at every redraw
	w.preview.SetMinSize(fyne.NewSize(320, 180))
	w.noCamera = widget.NewLabel("")
	w.noCamera.Wrapping = fyne.TextWrapWord
	w.meter = NewLevelMeter()

	w.videoSel = widget.NewSelect(nil, func(string) { w.sourcesChanged() })
	w.buildScene()
	w.fileEnd = widget.NewSelect(nil, nil)
	for _, e := range fileEnds {
		w.fileEnd.Options = append(w.fileEnd.Options, "At its end: "+e.label)
	}
	w.fileEnd.SetSelectedIndex(0)
	w.fileEnd.Hide()
	w.audioSel = widget.NewSelect(nil, func(string) { w.sourcesChanged() })
	w.buildSound()
	var names []string
	for _, p := range w.presets {
		names = append(names, p.Name)
	}
	w.presetSel = widget.NewSelect(names, func(name string) { w.presetChanged(name) })
	w.about = widget.NewLabel("")
	w.about.Wrapping = fyne.TextWrapWord
	w.server = widget.NewEntry()
	w.key = widget.NewPasswordEntry() // masked; its eye button shows it on request
	w.key.SetPlaceHolder("paste your stream key")
	paste := widget.NewButton("Paste", func() {
		w.key.SetText(strings.TrimSpace(w.app.Clipboard().Content()))
	})
	w.remember = widget.NewCheck("Remember the key (in the system keyring)", nil)
	w.keepTrying = widget.NewCheck("Keep reconnecting until I stop", nil)
	w.keepTrying.SetChecked(true)
	w.sizeSel = widget.NewSelect(nil, func(string) { w.qualityChanged() })
	w.fpsSel = widget.NewSelect([]string{"30", "60"}, func(string) { w.qualityChanged() })
	w.bitrate = newNumberEntry("bitrate (kb/s)", 100, 50000, w.bitrateDone)
	w.bitrate.OnChanged = func(string) { w.qualityChanged() }
	w.quality = widget.NewLabel("")
	w.quality.Wrapping = fyne.TextWrapWord

	w.buildDestinations()
	w.local = w.newLocalPanel()
	w.goLive = widget.NewButton("Go Live", w.goLiveTapped)
	w.goLive.Importance = widget.HighImportance
	w.record = widget.NewButton("● Record", w.recordTapped)
	w.recording = widget.NewLabel("")
	w.recording.Wrapping = fyne.TextWrapWord
	w.recordFolder = widget.NewButton("Show recordings", func() { w.openFolder(broadcast.RecordingsFolder()) })
	w.recordFull = widget.NewCheck("Record at full quality (more CPU)", nil)
	w.recordFolder.Hide()
	w.status = binding.NewString()
	w.status.Set(readyText)
	w.statusLbl = widget.NewLabelWithData(w.status)
	w.statusLbl.TextStyle = fyne.TextStyle{Bold: true}
	w.statusLbl.Wrapping = fyne.TextWrapWord
	w.retryNow = widget.NewButton("Reconnect now", func() {
		if l := w.current(); l != nil {
			l.ReconnectDestination(0) // the first destination's, whose state the status line shows
		}
	})
	w.retryNow.Hide()
	w.details = widget.NewButton("Details", func() { w.tell("What went wrong", w.lastError) })
	w.details.Hide()

	w.sent, w.target, w.dropped, w.fps = binding.NewString(), binding.NewString(), binding.NewString(), binding.NewString()
	for _, b := range []binding.String{w.sent, w.target, w.dropped, w.fps} {
		b.Set("—")
	}
	w.light = canvas.NewCircle(colGrid)
	w.light.Resize(fyne.NewSize(16, 16))
	lightBox := container.NewGridWrap(fyne.NewSize(16, 16), w.light)
	w.graph = NewGraph()

	stats := container.NewVBox(
		container.NewGridWithColumns(3, statBox("Sent", w.sent), statBox("Target", w.target), statBox("Frames/s", w.fps)),
		statBox("Dropped frames", w.dropped))
	legend := widget.NewLabel("solid green line: sent · dashed blue line: target · dotted red marks: frames dropped · orange, purple, cyan lines: the other destinations' sent")
	legend.Wrapping = fyne.TextWrapWord
	w.lightWords = widget.NewLabel("Connection: not live")
	timeAxis := container.NewGridWithColumns(4, widget.NewLabel("3 min ago"),
		widget.NewLabelWithStyle("2 min", fyne.TextAlignCenter, fyne.TextStyle{}),
		widget.NewLabelWithStyle("1 min", fyne.TextAlignCenter, fyne.TextStyle{}),
		widget.NewLabelWithStyle("now", fyne.TextAlignTrailing, fyne.TextStyle{}))

	// The preview takes what the window gives; the figures below it scroll when room is short.
	figures := container.NewVBox(
		w.noCamera,
		w.meter.Object(),
		w.meter2.Object(),
		container.NewHBox(lightBox, w.lightWords),
		stats,
		w.graph.Object(),
		timeAxis,
		legend,
	)
	left := container.NewVSplit(w.preview, container.NewVScroll(figures))
	left.Offset = 0.4
	form := widget.NewForm(
		widget.NewFormItem("Camera", container.NewVBox(w.videoSel, w.fileEnd)), // the file's end, only for a file
		widget.NewFormItem("Also show", container.NewVBox(w.scene.second, w.scene.box)),
		widget.NewFormItem("Microphone", container.NewVBox(w.audioSel, w.level1.box)),
		widget.NewFormItem("Also hear", container.NewVBox(w.audio2Sel, w.level2.box)),
		widget.NewFormItem("Stream to", w.presetSel),
		widget.NewFormItem("", w.about),
		widget.NewFormItem("Server", w.server),
		widget.NewFormItem("Stream key", container.NewBorder(nil, nil, nil, paste, w.key)),
		widget.NewFormItem("", w.remember),
		widget.NewFormItem("", w.keepTrying),
		widget.NewFormItem("Resolution", w.sizeSel),
		widget.NewFormItem("Frames/s", w.fpsSel),
		widget.NewFormItem("Bitrate (kb/s)", w.bitrate),
		widget.NewFormItem("", w.quality),
	)
	big := container.NewGridWrap(fyne.NewSize(320, 56), w.goLive)
	// The status and the buttons beside it have room kept for them, so that the main button
	// never moves when the status wraps or a button appears.
	statusArea := container.NewGridWrap(fyne.NewSize(380, 88), w.statusLbl)
	buttonsRow := container.NewStack(fixedHeight(40), container.NewHBox(w.retryNow, w.details))
	about := widget.NewButton("About OnAir", w.showAbout)
	about.Importance = widget.LowImportance
	right := container.NewVBox(form, w.dests.box, container.NewCenter(big), statusArea, buttonsRow,
		container.NewHBox(w.record, w.recordFolder, layout.NewSpacer(), about), w.recordFull, w.recording, w.local.box)
	split := container.NewHSplit(container.NewPadded(left), container.NewVScroll(container.NewPadded(right)))
	split.Offset = 0.52
	w.win.SetContent(split)
}

func statBox(title string, value binding.String) fyne.CanvasObject {
	t := widget.NewLabel(title)
	v := widget.NewLabelWithData(value)
	v.TextStyle = fyne.TextStyle{Bold: true}
	return container.NewHBox(t, v)
}

// current returns the live session, if any.
func (w *Window) current() Live {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.live
}

// closeAsked asks before closing the window ends a live stream, as Stop does.
func (w *Window) closeAsked() {
	l := w.current()
	if l == nil {
		w.win.Close()
		return
	}
	w.ask("Stop the stream and quit?", "Your viewers will see the stream end.", func() {
		w.status.Set("Stopping…")
		w.goLive.Disable()
		go func() {
			l.Stop()
			w.do(w.win.Close)
		}()
	})
}

// shutdown lets the devices and a session go once the window has closed.
func (w *Window) shutdown() {
	w.stopPreview()
	if l := w.current(); l != nil {
		l.Stop()
	}
	w.bg.wait()
}

// config gathers the settings on screen.
func (w *Window) config() broadcast.Config {
	cfg := broadcast.Config{
		Preset: w.preset.ID, Key: strings.TrimSpace(w.key.Text),
		Video: w.videos[w.videoSel.Selected], Video2: w.secondPicture(), Audio: w.audios[w.audioSel.Selected],
		Adaptive: true, Taps: w.taps(), RecordFullQuality: w.recordFull.Checked,
	}
	if cfg.Video2 != "" {
		cfg.Layout = w.sceneLayout().String()
	}
	w.soundConfig(&cfg)
	if w.preset.ServerEditable {
		cfg.Server = strings.TrimSpace(w.server.Text)
	} else if w.preset.ID != "local" {
		cfg.Server = w.preset.DefaultServer()
	}
	if wd, ht, ok := strings.Cut(w.sizeSel.Selected, "x"); ok {
		cfg.Width, _ = strconv.Atoi(wd)
		cfg.Height, _ = strconv.Atoi(ht)
	}
	cfg.FPS, _ = strconv.Atoi(w.fpsSel.Selected)
	if !w.keepTrying.Checked {
		cfg.MaxAttempts = giveUpAfter
	}
	if i := w.fileEnd.SelectedIndex(); i >= 0 {
		cfg.AtFileEnd = fileEnds[i].value
	}
	cfg.VideoKbps, _ = w.bitrate.Value() // 0, the preset's, when the field is not a valid number
	for _, d := range w.dests.ticked() {
		cfg.Also = append(cfg.Also, d.destination())
	}
	if cfg.Video == "" {
		cfg.Video = "test"
	}
	if cfg.Audio == "" {
		cfg.Audio = "test"
	}
	return cfg
}

// setMainButton sets the main button's word and its colour together.
func (w *Window) setMainButton(text string, importance widget.Importance) {
	w.goLive.Importance = importance
	w.goLive.SetText(text) // refreshes, with the new colour
}

// fixedHeight is an invisible box that holds a row's height when its content is hidden.
func fixedHeight(h float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(1, h))
	return r
}
