package broadcast

import (
	"image"
	"image/color"
)

// previewWidth is the preview picture's width; its height follows the stream's shape.
const previewWidth = 480

// previewPicture makes the small picture the window shows: what viewers get, at previewWidth in
// the stream's shape, with the second picture where the layout puts it (nil: none yet).
func previewPicture(first, second image.Image, layout Layout, streamW, streamH int) *image.RGBA {
	w := previewWidth
	h := max(1, w*streamH/max(1, streamW))
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 3; i < len(dst.Pix); i += 4 { // opaque black where no picture goes
		dst.Pix[i] = 255
	}
	a1, a2 := layout.areas(w, h)
	if second == nil { // until the second picture comes, the first shows alone
		a1, a2 = dst.Bounds(), image.Rectangle{}
	}
	if first != nil && !a1.Empty() {
		drawFit(dst, a1, first)
	}
	if !a2.Empty() {
		drawFit(dst, a2, second)
	}
	return dst
}

// drawFit draws src into area of dst, as large as fits and centred, keeping its shape (nearest
// neighbour: cheap, and enough to see that a camera works). It reads the planes directly.
func drawFit(dst *image.RGBA, area image.Rectangle, src image.Image) {
	b := src.Bounds()
	if b.Empty() {
		return
	}
	w, h := area.Dx(), area.Dx()*b.Dy()/b.Dx()
	if h > area.Dy() {
		h, w = area.Dy(), area.Dy()*b.Dx()/b.Dy()
	}
	w, h = max(1, w), max(1, h)
	x0, y0 := area.Min.X+(area.Dx()-w)/2, area.Min.Y+(area.Dy()-h)/2
	cols := make([]int, w) // the source column of each drawn column
	for x := range cols {
		cols[x] = b.Min.X + x*b.Dx()/w
	}
	row := func(y int) []byte { return dst.Pix[(y0+y)*dst.Stride+4*x0:] }
	switch s := src.(type) {
	case *image.YCbCr:
		if s.SubsampleRatio == image.YCbCrSubsampleRatio420 { // cameras, files and the encoder's input
			draw420(row, s, cols, b, h)
			break
		}
		for y := 0; y < h; y++ {
			sy := b.Min.Y + y*b.Dy()/h
			out := row(y)
			for x, sx := range cols {
				r, g, bl := color.YCbCrToRGB(s.Y[s.YOffset(sx, sy)], s.Cb[s.COffset(sx, sy)], s.Cr[s.COffset(sx, sy)])
				out[4*x], out[4*x+1], out[4*x+2], out[4*x+3] = r, g, bl, 255
			}
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			sy := b.Min.Y + y*b.Dy()/h
			out, in := row(y), s.Pix[s.PixOffset(b.Min.X, sy)-4*b.Min.X:]
			for x, sx := range cols {
				copy(out[4*x:4*x+3], in[4*sx:4*sx+3])
				out[4*x+3] = 255
			}
		}
	default:
		for y := 0; y < h; y++ {
			for x, sx := range cols {
				dst.Set(x0+x, y0+y, src.At(sx, b.Min.Y+y*b.Dy()/h))
			}
		}
	}
}

// draw420 is drawFit's loop for 4:2:0 pictures, with the plane offsets worked out once a row and
// the colour conversion inline (the general path costs a third of the window's Go time).
func draw420(row func(int) []byte, s *image.YCbCr, cols []int, b image.Rectangle, h int) {
	yCol, cCol := make([]int, len(cols)), make([]int, len(cols))
	for x, sx := range cols {
		yCol[x], cCol[x] = sx-s.Rect.Min.X, sx/2-s.Rect.Min.X/2
	}
	for y := 0; y < h; y++ {
		sy := b.Min.Y + y*b.Dy()/h
		yRow := s.Y[(sy-s.Rect.Min.Y)*s.YStride:]
		cRow := (sy/2 - s.Rect.Min.Y/2) * s.CStride
		cb, cr := s.Cb[cRow:], s.Cr[cRow:]
		out := row(y)
		for x := range cols {
			r, g, bl := yuvToRGB(yRow[yCol[x]], cb[cCol[x]], cr[cCol[x]])
			out[4*x], out[4*x+1], out[4*x+2], out[4*x+3] = r, g, bl, 255
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
