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
			db, fresh := w.takeLevels()
			w.do(func() {
				w.preview.Image = img
				w.preview.Refresh()
				w.showLevels(db, fresh, time.Now())
				if st != nil {
					w.showStats(*st)
				}
			})
		},
		AudioLevel:       func(db float64) { w.levelCame(0, db) },
		SecondAudioLevel: func(db float64) { w.levelCame(1, db) },
	}
}

// levelCame keeps the loudest level of sound i since the last redraw, so no peak is missed; with
// no picture to go with, the meters redraw on their own.
func (w *Window) levelCame(i int, db float64) {
	now := time.Now()
	w.mu.Lock()
	w.peak[i] = max(w.peak[i], db)
	w.peakFresh[i] = true
	due := i == 0 && now.Sub(w.lastPicture) > 300*time.Millisecond && now.Sub(w.lastLevel) >= 100*time.Millisecond
	if due {
		w.lastLevel = now
	}
	w.mu.Unlock()
	if due {
		db, fresh := w.takeLevels()
		w.do(func() { w.showLevels(db, fresh, now) })
	}
}

// showLevels shows the fresh levels on the meters; it runs inside fyne.Do.
func (w *Window) showLevels(db [2]float64, fresh [2]bool, now time.Time) {
	for i, m := range []*LevelMeter{w.meter, w.meter2} {
		if fresh[i] {
			m.SetLevel(db[i], now)
		}
	}
}

// takeLevels returns the loudest levels since they were last taken.
func (w *Window) takeLevels() ([2]float64, [2]bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	db, fresh := w.peak, w.peakFresh
	w.peak, w.peakFresh = [2]float64{math.Inf(-1), math.Inf(-1)}, [2]bool{}
	return db, fresh
}
