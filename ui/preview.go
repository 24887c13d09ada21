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
// preview, the meter and the live figures change together, five times a second, which reads as
// live to a person.
func (w *Window) taps() broadcast.Taps {
	return broadcast.Taps{
		Preview: func(img image.Image) {
			small := downscale(img, 480, 270)
			w.mu.Lock()
			w.lastPicture = time.Now()
			st := w.pendingStats
			w.pendingStats = nil
			w.mu.Unlock()
			db, fresh := w.takeLevel()
			w.do(func() {
				w.preview.Image = small
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
		if s.SubsampleRatio == image.YCbCrSubsampleRatio420 { // cameras, files and the encoder's input
			downscale420(dst, s, cols, b, h)
			break
		}
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

// downscale420 is downscale's loop for 4:2:0 pictures, with the plane offsets worked out once a
// row and the colour conversion inline (the general path costs a third of the window's Go time).
func downscale420(dst *image.RGBA, s *image.YCbCr, cols []int, b image.Rectangle, h int) {
	yCol, cCol := make([]int, len(cols)), make([]int, len(cols))
	for x, sx := range cols {
		yCol[x], cCol[x] = sx-s.Rect.Min.X, sx/2-s.Rect.Min.X/2
	}
	for y := 0; y < h; y++ {
		sy := b.Min.Y + y*b.Dy()/h
		yRow := s.Y[(sy-s.Rect.Min.Y)*s.YStride:]
		cRow := (sy/2 - s.Rect.Min.Y/2) * s.CStride
		cb, cr := s.Cb[cRow:], s.Cr[cRow:]
		row := dst.Pix[y*dst.Stride:]
		for x := range cols {
			r, g, bl := yuvToRGB(yRow[yCol[x]], cb[cCol[x]], cr[cCol[x]])
			row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = r, g, bl, 255
		}
	}
}

// yuvToRGB is color.YCbCrToRGB's full-range BT.601 conversion in 16.16 fixed point.
func yuvToRGB(y, cb, cr uint8) (uint8, uint8, uint8) {
	yy := int32(y) * 0x10101
	u, v := int32(cb)-128, int32(cr)-128
	return clamp8(yy + 91881*v), clamp8(yy - 22554*u - 46802*v), clamp8(yy + 116130*u)
}

func clamp8(x int32) uint8 {
	switch {
	case x < 0:
		return 0
	case x > 0xffffff:
		return 255
	}
	return uint8(x >> 16)
}
