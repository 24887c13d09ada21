package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestMainWindowSaysWhatItIs(t *testing.T) {
	a := test.NewTempApp(t)
	w := NewMainWindow(a)
	defer w.Close()
	if w.Title() != "OnAir" {
		t.Fatalf("title = %q", w.Title())
	}
	var text []string
	for _, o := range test.LaidOutObjects(w.Content()) {
		if l, ok := o.(*widget.Label); ok {
			text = append(text, l.Text)
		}
	}
	if all := strings.Join(text, "\n"); !strings.Contains(all, "Go Live") {
		t.Fatalf("window text %q does not tell the user how to go live", all)
	}
}
