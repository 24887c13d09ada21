package ui

import (
	"image"
	"math"
	"onair/broadcast"
	"time"
)

// taps feed the preview and the level meter from the capture goroutines.
// Each change on screen costs a redraw of the whole window (software GL on many desktops): the
// preview, the meter and the live figures change together, five times a second, which reads as
// live to a person.
func (w *Window) taps() broadcast.Taps {
	return broadcast.Taps{
		Preview: func(img image.Image) {
			w.mu.Lock()
			w.lastPicture = time.Now()
			st := w.pendingStats
			w.pendingStats = nil
			w.mu.Unlock()
			db, fresh := w.takeLevel()
			w.do(func() {
				w.preview.Image = img
				w.preview.Refresh()
				if fresh {
					w.meter.SetLevel(db, time.Now())
				}
				if st != nil {
					w.showStats(*st)
				}
			})
		},
		AudioLevel: func(db float64) {
			now := time.Now()
			w.mu.Lock()
			w.peak = max(w.peak, db) // the loudest since the last redraw, so no peak is missed
			w.peakFresh = true
			due := now.Sub(w.lastPicture) > 300*time.Millisecond && now.Sub(w.lastLevel) >= 100*time.Millisecond
			if due {
				w.lastLevel = now
			}
			w.mu.Unlock()
			if due { // no picture to go with: the meter redraws on its own
				db, _ := w.takeLevel()
				w.do(func() { w.meter.SetLevel(db, now) })
			}
		},
	}
}

// takeLevel returns the loudest level since it was last taken.
func (w *Window) takeLevel() (float64, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	db, fresh := w.peak, w.peakFresh
	w.peak, w.peakFresh = math.Inf(-1), false
	return db, fresh
}
