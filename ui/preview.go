package ui

import (
	"image"
	"image/color"
	"math"
	"onair/broadcast"
	"time"
)

// taps feed the preview and the level meter from the capture goroutines.
// Each change on screen costs a redraw of the whole window (software GL on many desktops): the
// preview and the meter change together, five times a second, which reads as live to a person.
func (w *Window) taps() broadcast.Taps {
	return broadcast.Taps{
		Preview: func(img image.Image) {
			small := downscale(img, 480, 270)
			w.mu.Lock()
			w.lastPicture = time.Now()
			w.mu.Unlock()
			db, fresh := w.takeLevel()
			w.do(func() {
				w.preview.Image = small
				w.preview.Refresh()
				if fresh {
					w.meter.SetLevel(db, time.Now())
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

// downscale makes a small RGBA copy for the preview (nearest neighbour: cheap, and enough to see
// that the camera works). It reads the planes directly, at every preview picture.
func downscale(src image.Image, maxW, maxH int) *image.RGBA {
	b := src.Bounds()
	w, h := maxW, maxW*b.Dy()/max(1, b.Dx())
	if h > maxH {
		h, w = maxH, maxH*b.Dx()/max(1, b.Dy())
	}
	w, h = max(1, w), max(1, h)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	cols := make([]int, w) // the source column of each preview column
	for x := range cols {
		cols[x] = b.Min.X + x*b.Dx()/w
	}
	switch s := src.(type) {
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			sy := b.Min.Y + y*b.Dy()/h
			row := dst.Pix[y*dst.Stride:]
			for x, sx := range cols {
				r, g, bl := color.YCbCrToRGB(s.Y[s.YOffset(sx, sy)], s.Cb[s.COffset(sx, sy)], s.Cr[s.COffset(sx, sy)])
				row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = r, g, bl, 255
			}
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			sy := b.Min.Y + y*b.Dy()/h
			row, srow := dst.Pix[y*dst.Stride:], s.Pix[s.PixOffset(b.Min.X, sy)-4*b.Min.X:]
			for x, sx := range cols {
				copy(row[4*x:4*x+3], srow[4*sx:4*sx+3])
				row[4*x+3] = 255
			}
		}
	default:
		for y := 0; y < h; y++ {
			for x, sx := range cols {
				dst.Set(x, y, src.At(sx, b.Min.Y+y*b.Dy()/h))
			}
		}
	}
	return dst
}
