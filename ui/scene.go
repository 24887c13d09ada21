package ui

import (
	"onair/broadcast"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// The scene: a second picture (the camera over the screen, say) and how the two share the
// stream's picture. The layout changes live; the second picture is chosen before going live.

const optNothing = "Nothing"

// Layouts as the window offers them.
var sceneLayouts = []struct{ label, kind string }{
	{"In a corner", "corner"},
	{"Side by side", "side"},
	{"Only the first picture", "video"},
	{"Only the second picture", "video2"},
}

// Corners and sizes: buttons for the corner, S/M/L for the size.
var (
	sceneCorners = []struct{ label, pos string }{{"↖", "tl"}, {"↗", "tr"}, {"↙", "bl"}, {"↘", "br"}}
	sceneSizes   = []struct{ label, size string }{{"Small", "s"}, {"Medium", "m"}, {"Large", "l"}}
)

// scene holds the scene's widgets.
type scene struct {
	second  *widget.Select
	layout  *widget.Select
	size    *widget.RadioGroup
	corners []*widget.Button
	corner  string
	placing *fyne.Container // corner buttons and size, shown for the corner layout
	box     *fyne.Container // layout and placing, shown with a second picture
}

func (w *Window) buildScene() {
	sc := &scene{corner: "br"}
	w.scene = sc
	sc.second = widget.NewSelect([]string{optNothing}, func(string) { w.secondChanged() })
	sc.second.SetSelected(optNothing)
	var labels []string
	for _, l := range sceneLayouts {
		labels = append(labels, l.label)
	}
	sc.layout = widget.NewSelect(labels, func(string) { w.layoutChanged() })
	sc.layout.SetSelectedIndex(0)
	var sizes []string
	for _, s := range sceneSizes {
		sizes = append(sizes, s.label)
	}
	sc.size = widget.NewRadioGroup(sizes, func(string) { w.layoutChanged() })
	sc.size.Horizontal = true
	sc.size.Required = true
	sc.size.SetSelected("Medium")
	row := container.NewHBox()
	for _, c := range sceneCorners {
		b := widget.NewButton(c.label, func() {
			sc.corner = c.pos
			w.layoutChanged()
		})
		sc.corners = append(sc.corners, b)
		row.Add(b)
	}
	row.Add(sc.size)
	sc.placing = row
	sc.box = container.NewVBox(sc.layout, sc.placing)
	sc.box.Hide()
}

// listSecondPictures offers the cameras, screens, a video file already chosen (it plays in a
// loop) and the test pattern as the second picture.
func (w *Window) listSecondPictures() {
	opts := []string{optNothing}
	for _, o := range w.videoSel.Options {
		if spec := w.videos[o]; spec != "" && spec != "none" {
			opts = append(opts, o)
		}
	}
	w.scene.second.Options = opts
	w.scene.second.Refresh()
}

// sceneLayout is the layout on screen.
func (w *Window) sceneLayout() broadcast.Layout {
	sc := w.scene
	kind := sceneLayouts[max(0, sc.layout.SelectedIndex())].kind
	if kind != "corner" {
		return broadcast.Layout{Kind: kind}
	}
	size := "m"
	for _, s := range sceneSizes {
		if s.label == sc.size.Selected {
			size = s.size
		}
	}
	return broadcast.Layout{Kind: "corner", Corner: sc.corner, Size: size}
}

// secondPicture is the second picture's source spec, "" for none.
func (w *Window) secondPicture() string {
	if w.scene.second.Selected == optNothing || w.scene.second.Selected == "" {
		return ""
	}
	return w.videos[w.scene.second.Selected]
}

// secondChanged shows the layout with a second picture and restarts the preview.
func (w *Window) secondChanged() {
	if w.scene == nil || w.scene.box == nil {
		return // still being built
	}
	w.showSceneControls()
	if w.videos != nil && w.current() == nil {
		w.startPreview()
	}
}

// whatRuns is the live session, or else the preview, or nil.
func (w *Window) whatRuns() any {
	if l := w.current(); l != nil {
		return l
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.previewer == nil {
		return nil
	}
	return w.previewer
}

// layoutSetter is a preview or a live session whose layout changes while it runs.
type layoutSetter interface{ SetLayout(broadcast.Layout) error }

// layoutChanged applies the layout to what runs: the live stream, or the preview.
func (w *Window) layoutChanged() {
	if w.scene == nil || w.scene.placing == nil {
		return // still being built
	}
	w.showPlacing()
	if w.secondPicture() == "" {
		return
	}
	l := w.sceneLayout()
	if s, ok := w.whatRuns().(layoutSetter); ok {
		if err := s.SetLayout(l); err != nil {
			words, detail := broadcast.Explain(err)
			w.showError(words, detail)
		}
	}
}

// showSceneControls shows the layout with a second picture, the corner buttons with the corner.
func (w *Window) showSceneControls() {
	if w.secondPicture() == "" {
		w.scene.box.Hide()
	} else {
		w.scene.box.Show()
	}
	w.showPlacing()
}

func (w *Window) showPlacing() {
	if w.sceneLayout().Kind == "corner" {
		w.scene.placing.Show()
	} else {
		w.scene.placing.Hide()
	}
}

// restoreScene sets the saved second picture (if it is still there) and layout.
func (w *Window) restoreScene(spec, layout string, specs map[string]string) {
	sc := w.scene
	sc.second.SetSelected(optNothing)
	for _, o := range sc.second.Options {
		if spec != "" && specs[o] == spec {
			sc.second.SetSelected(o)
		}
	}
	l, err := broadcast.ParseLayout(layout)
	if err != nil || layout == "" {
		return
	}
	for i, sl := range sceneLayouts {
		if sl.kind == l.Kind {
			sc.layout.SetSelectedIndex(i)
		}
	}
	if l.Kind == "corner" {
		sc.corner = l.Corner
		for _, s := range sceneSizes {
			if s.size == l.Size {
				sc.size.SetSelected(s.label)
			}
		}
	}
}
