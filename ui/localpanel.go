package ui

import (
	"net/url"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"onair/broadcast"
)

// localPanel shows what the Local test received, in the window, until the next stream: one plain
// sentence, the recording to open, and the technical lines one click away. Its text can be
// selected and copied.
type localPanel struct {
	box     *fyne.Container
	summary *widget.Label
	details *widget.Label
	more    *widget.Button
	path    string
}

func (w *Window) newLocalPanel() *localPanel {
	p := &localPanel{summary: widget.NewLabel(""), details: widget.NewLabel("")}
	p.summary.Wrapping, p.summary.Selectable = fyne.TextWrapWord, true
	p.summary.TextStyle = fyne.TextStyle{Bold: true}
	p.details.Wrapping, p.details.Selectable = fyne.TextWrapWord, true
	p.details.Hide()
	open := widget.NewButton("Open recording", func() {
		if p.path != "" {
			_ = w.app.OpenURL(&url.URL{Scheme: "file", Path: p.path})
		}
	})
	folder := widget.NewButton("Show in folder", func() { w.openFolder(filepath.Dir(p.path)) })
	p.more = widget.NewButton("Technical details", func() {
		if p.details.Visible() {
			p.details.Hide()
		} else {
			p.details.Show()
		}
	})
	p.box = container.NewVBox(widget.NewLabelWithStyle("Local test", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		p.summary, container.NewHBox(open, folder, p.more), p.details)
	p.box.Hide()
	return p
}

// show fills the panel from a report.
func (p *localPanel) show(r *broadcast.LocalReport) {
	p.summary.SetText(r.Summary())
	p.details.SetText(r.String())
	p.path = r.Path
	p.details.Hide()
	p.box.Show()
}

func (p *localPanel) hide() { p.box.Hide() }
