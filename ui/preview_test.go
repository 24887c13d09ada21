package ui

import (
	"image"
	"image/color"
	"math"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestDownscaleMatchesTheGeneralPath: the 4:2:0 fast path gives the pixels Go's own conversion
// gives, on a picture whose rectangle does not start at the origin.
func TestDownscaleMatchesTheGeneralPath(t *testing.T) {
	full := image.NewYCbCr(image.Rect(0, 0, 640, 360), image.YCbCrSubsampleRatio420)
	for i := range full.Y {
		full.Y[i] = uint8(i * 7)
	}
	for i := range full.Cb {
		full.Cb[i], full.Cr[i] = uint8(i*3), uint8(255-i*5)
	}
	src := full.SubImage(image.Rect(32, 18, 608, 342)).(*image.YCbCr)
	got := downscale(src, 200, 120)
	b := src.Bounds()
	w, h := got.Bounds().Dx(), got.Bounds().Dy()
	if w != 200 || h != 112 {
		t.Fatalf("downscaled to %dx%d, want 200x112", w, h)
	}
	for y := range h {
		for x := range w {
			sx, sy := b.Min.X+x*b.Dx()/w, b.Min.Y+y*b.Dy()/h
			r, g, bl := color.YCbCrToRGB(src.Y[src.YOffset(sx, sy)], src.Cb[src.COffset(sx, sy)], src.Cr[src.COffset(sx, sy)])
			if want := (color.RGBA{r, g, bl, 255}); got.RGBAAt(x, y) != want {
				t.Fatalf("pixel (%d, %d) is %v, Go's conversion gives %v", x, y, got.RGBAAt(x, y), want)
			}
		}
	}
}

func BenchmarkDownscale720p(b *testing.B) {
	src := image.NewYCbCr(image.Rect(0, 0, 1280, 720), image.YCbCrSubsampleRatio420)
	for b.Loop() {
		downscale(src, 480, 270)
	}
}

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
