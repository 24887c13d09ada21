package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// Every dialog answers the keyboard: Enter says yes (or OK), Esc says no (or closes).
type shownDialog struct {
	d   dialog.Dialog
	yes func() // what Enter does
}

// ask shows a question; yes runs if the user agrees.
func (w *Window) ask(title, message string, yes func()) {
	d := dialog.NewConfirm(title, message, func(ok bool) {
		if ok {
			yes()
		}
	}, w.win)
	w.show(d, d.Confirm)
}

// tell shows information to read and close.
func (w *Window) tell(title, message string) {
	label := widget.NewLabel(message)
	label.Wrapping = fyne.TextWrapWord
	w.showContent(title, label)
}

// showContent shows content with an OK button.
func (w *Window) showContent(title string, content fyne.CanvasObject) {
	d := dialog.NewCustom(title, "OK", content, w.win)
	w.show(d, d.Hide)
}

func (w *Window) show(d dialog.Dialog, yes func()) {
	w.mu.Lock()
	w.dialog = &shownDialog{d: d, yes: yes}
	w.mu.Unlock()
	d.SetOnClosed(func() {
		w.mu.Lock()
		if w.dialog != nil && w.dialog.d == d {
			w.dialog = nil
		}
		w.mu.Unlock()
	})
	d.Show()
}

// typedKey answers Enter and Esc for the dialog on screen.
func (w *Window) typedKey(k *fyne.KeyEvent) {
	w.mu.Lock()
	sd := w.dialog
	w.mu.Unlock()
	if sd == nil {
		return
	}
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		sd.yes()
	case fyne.KeyEscape:
		sd.d.Dismiss()
	}
}

// aboutTeller is an engine that can say which OnAir and FFmpeg it is.
type aboutTeller interface{ About() string }

// showAbout tells the version, the FFmpeg inside and the licence.
func (w *Window) showAbout() {
	text := "OnAir"
	if a, ok := w.eng.(aboutTeller); ok && a.About() != "" {
		text = a.About()
	}
	label := widget.NewLabel(text + "\n\nFree software under the GNU GPL, version 2 or later: it includes FFmpeg and x264.")
	label.Wrapping = fyne.TextWrapWord
	label.Selectable = true
	w.showContent("About OnAir", label)
}

// askForm shows content with Add and Cancel; add returns false to keep the dialog open (it has
// said what is wrong).
func (w *Window) askForm(title string, content fyne.CanvasObject, add func() bool) {
	var d dialog.Dialog
	ok := widget.NewButton("Add", nil)
	ok.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", nil)
	body := container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), cancel, ok), nil, nil, content)
	d = dialog.NewCustomWithoutButtons(title, body, w.win)
	yes := func() {
		if add() {
			d.Hide()
		}
	}
	ok.OnTapped, cancel.OnTapped = yes, d.Hide
	d.Resize(fyne.NewSize(480, 360))
	w.show(d, yes)
}
