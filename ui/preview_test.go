package ui

import (
	"math"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestMeterKeepsItsWidth: a meter whose size changes with its words lays the window out again,
// a second redraw for every level shown.
func TestMeterKeepsItsWidth(t *testing.T) {
	test.NewTempApp(t)
	var sizes []fyne.Size
	onUI(func() {
		m := NewLevelMeter()
		for _, db := range []float64{math.Inf(-1), -1, -12, -7, -48} {
			m.SetLevel(db, time.Now())
			sizes = append(sizes, m.Object().MinSize())
		}
	})
	for i, s := range sizes {
		if s != sizes[0] {
			t.Fatalf("the meter is %v wide at level %d, %v at silence", s, i, sizes[0])
		}
	}
}
