package broadcast

import (
	"image"
	"image/color"
	"testing"
)

// TestPreviewPictureMatchesGosConversion: the 4:2:0 fast path gives the pixels Go's own conversion
// gives, on a picture whose rectangle does not start at the origin, fitted into the preview.
func TestPreviewPictureMatchesGosConversion(t *testing.T) {
	full := image.NewYCbCr(image.Rect(0, 0, 640, 360), image.YCbCrSubsampleRatio420)
	for i := range full.Y {
		full.Y[i] = uint8(i * 7)
	}
	for i := range full.Cb {
		full.Cb[i], full.Cr[i] = uint8(i*3), uint8(255-i*5)
	}
	src := full.SubImage(image.Rect(32, 18, 608, 342)).(*image.YCbCr) // 576x324, 16:9
	got := previewPicture(src, nil, Layout{Kind: "video"}, 1280, 720)
	if got.Bounds() != image.Rect(0, 0, 480, 270) {
		t.Fatalf("preview %v, want 480x270", got.Bounds())
	}
	b := src.Bounds()
	for y := range 270 {
		for x := range 480 {
			sx, sy := b.Min.X+x*b.Dx()/480, b.Min.Y+y*b.Dy()/270
			r, g, bl := color.YCbCrToRGB(src.Y[src.YOffset(sx, sy)], src.Cb[src.COffset(sx, sy)], src.Cr[src.COffset(sx, sy)])
			if want := (color.RGBA{r, g, bl, 255}); got.RGBAAt(x, y) != want {
				t.Fatalf("pixel (%d, %d) is %v, Go's conversion gives %v", x, y, got.RGBAAt(x, y), want)
			}
		}
	}
}

// TestPreviewShowsTheComposite: the preview shows what viewers get: the second picture in its
// corner, the first around it, black bars where a picture of another shape leaves room.
func TestPreviewShowsTheComposite(t *testing.T) {
	solid := func(w, h int, c color.RGBA) *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for i := 0; i < len(img.Pix); i += 4 {
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, 255
		}
		return img
	}
	red, blue, black := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}, color.RGBA{0, 0, 0, 255}
	screen := solid(1280, 800, red) // 16:10 in a 16:9 stream: bars left and right
	camera := solid(640, 360, blue)
	for _, c := range []struct {
		layout string
		spots  map[image.Point]color.RGBA
	}{
		{"corner:br:m", map[image.Point]color.RGBA{{5, 135}: black, {240, 135}: red, {400, 225}: blue, {340, 225}: red, {400, 185}: red}},
		{"side", map[image.Point]color.RGBA{{120, 135}: red, {120, 5}: black, {360, 135}: blue, {360, 5}: black}},
		{"video2", map[image.Point]color.RGBA{{5, 135}: blue, {240, 135}: blue}},
	} {
		l, _ := ParseLayout(c.layout)
		got := previewPicture(screen, camera, l, 1280, 720)
		for p, want := range c.spots {
			if got.RGBAAt(p.X, p.Y) != want {
				t.Errorf("%s: pixel %v is %v, want %v", c.layout, p, got.RGBAAt(p.X, p.Y), want)
			}
		}
	}
}

func BenchmarkPreviewPicture720p(b *testing.B) {
	src := image.NewYCbCr(image.Rect(0, 0, 1280, 720), image.YCbCrSubsampleRatio420)
	for b.Loop() {
		previewPicture(src, nil, Layout{Kind: "video"}, 1280, 720)
	}
}
