// Package ui is OnAir's window, built with Fyne. It talks only to the session engine (broadcast/)
// through the small interface it declares.
package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Title is the window's title.
const Title = "OnAir"

// NewMainWindow builds OnAir's main window.
func NewMainWindow(a fyne.App) fyne.Window {
	w := a.NewWindow(Title)
	heading := widget.NewLabelWithStyle("OnAir", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	intro := widget.NewLabelWithStyle("Go live on YouTube, Twitch, Facebook or Kick in one click:\n"+
		"pick a camera, pick a platform, paste your stream key, press Go Live.",
		fyne.TextAlignCenter, fyne.TextStyle{})
	w.SetContent(container.NewCenter(container.NewVBox(heading, intro)))
	w.Resize(fyne.NewSize(960, 640))
	return w
}
