package encoder

import (
	"fmt"
	"image"
	"time"

	"github.com/asticode/go-astiav"
)

// PixelFormat is the layout of a raw video frame handed to the encoder.
type PixelFormat int

// The formats capture delivers.
const (
	I420 PixelFormat = iota // planar Y, U, V; chroma halved both ways
	I422                    // planar Y, U, V; chroma halved horizontally
	NV12                    // planar Y, interleaved UV; chroma halved both ways
	YUYV                    // packed Y0 U Y1 V
	RGBA                    // packed R G B A
)

func (p PixelFormat) String() string {
	return [...]string{"I420", "I422", "NV12", "YUYV", "RGBA"}[p]
}

func (p PixelFormat) av() astiav.PixelFormat {
	switch p {
	case I422:
		return astiav.PixelFormatYuv422P
	case NV12:
		return astiav.PixelFormatNv12
	case YUYV:
		return astiav.PixelFormatYuyv422
	case RGBA:
		return astiav.PixelFormatRgba
	}
	return astiav.PixelFormatYuv420P
}

func (p PixelFormat) planes() int {
	switch p {
	case I420, I422:
		return 3
	case NV12:
		return 2
	}
	return 1
}

// VideoFrame is one raw frame. Planes point into the capturer's memory: the encoder reads them
// while converting and then calls Release, so the capturer can reuse the buffer.
type VideoFrame struct {
	Format        PixelFormat
	Width, Height int
	Planes        [3][]byte
	Strides       [3]int
	PTS           time.Duration // capture time on the session clock
	Release       func()
	// Area is where the picture goes in the stream's, keeping its shape inside it with black
	// around; empty means the whole picture.
	Area image.Rectangle
	// Inset is a second picture drawn over this one, keeping its shape inside InsetArea (the
	// camera in a corner, or the right half side by side). It is released with the frame.
	Inset     *VideoFrame
	InsetArea image.Rectangle
}

func (f *VideoFrame) release() {
	if f.Release != nil {
		f.Release()
		f.Release = nil
	}
	if f.Inset != nil {
		f.Inset.release()
	}
}

func (f *VideoFrame) validate() error {
	if f.Inset != nil {
		if err := f.Inset.validate(); err != nil {
			return err
		}
	}
	if f.Width <= 0 || f.Height <= 0 {
		return fmt.Errorf("encoder: frame size %dx%d", f.Width, f.Height)
	}
	for i := 0; i < f.Format.planes(); i++ {
		rows := f.Height
		if i > 0 && (f.Format == I420 || f.Format == NV12) {
			rows = (f.Height + 1) / 2
		}
		if f.Strides[i] <= 0 || len(f.Planes[i]) < f.Strides[i]*(rows-1)+1 {
			return fmt.Errorf("encoder: %v plane %d: %d bytes for %d rows of stride %d", f.Format, i, len(f.Planes[i]), rows, f.Strides[i])
		}
	}
	return nil
}

// converter scales and converts frames into the encoder's yuv420p frame with one copy: swscale
// reads the capturer's memory directly and writes the encoder's frame.
type converter struct {
	width, height int
	ssc           *astiav.SoftwareScaleContext
	srcW, srcH    int
	srcFmt        PixelFormat
	area          image.Rectangle // the part of the stream's picture the source goes in
	fit           image.Rectangle // where the source's picture goes in the stream's
	inset         *converter      // for frames' insets, made when the first one comes
}

func newConverter(width, height int) *converter {
	return &converter{width: width, height: height}
}

func (c *converter) free() {
	if c.ssc != nil {
		c.ssc.Free()
	}
	if c.inset != nil {
		c.inset.free()
	}
}

// convert writes f, and its inset if it has one, into dst (already allocated at the output size
// in yuv420p).
func (c *converter) convert(f *VideoFrame, dst *astiav.Frame) error {
	if err := f.validate(); err != nil {
		return err
	}
	whole := image.Rect(0, 0, c.width, c.height)
	area := f.Area.Intersect(whole)
	if area.Empty() {
		area = whole
	}
	if err := c.prepare(f, area); err != nil {
		return err
	}
	if err := dst.MakeWritable(); err != nil {
		return err
	}
	if err := scale(c.ssc, f, dst, c.fit, true); err != nil {
		return err
	}
	if f.Inset == nil || f.InsetArea.Intersect(whole).Empty() {
		return nil
	}
	if c.inset == nil {
		c.inset = newConverter(c.width, c.height)
	}
	if err := c.inset.prepare(f.Inset, f.InsetArea.Intersect(whole)); err != nil {
		return err
	}
	return scale(c.inset.ssc, f.Inset, dst, c.inset.fit, false)
}

// prepare makes the scaler for f's size and format into area, unless the one there fits.
func (c *converter) prepare(f *VideoFrame, area image.Rectangle) error {
	if c.ssc != nil && f.Width == c.srcW && f.Height == c.srcH && f.Format == c.srcFmt && area == c.area {
		return nil
	}
	if c.ssc != nil {
		c.ssc.Free()
		c.ssc = nil
	}
	area = image.Rect(area.Min.X&^1, area.Min.Y&^1, area.Max.X&^1, area.Max.Y&^1) // 4:2:0 chroma
	c.fit = fitInside(f.Width, f.Height, area.Dx(), area.Dy()).Add(area.Min)
	ssc, err := astiav.CreateSoftwareScaleContext(f.Width, f.Height, f.Format.av(), c.fit.Dx(), c.fit.Dy(),
		astiav.PixelFormatYuv420P, astiav.NewSoftwareScaleContextFlags(astiav.SoftwareScaleContextFlagBilinear))
	if err != nil {
		return fmt.Errorf("encoder: cannot convert %v %dx%d: %w", f.Format, f.Width, f.Height, err)
	}
	c.ssc, c.srcW, c.srcH, c.srcFmt, c.area = ssc, f.Width, f.Height, f.Format, area
	return nil
}

// fitInside is where a w×h picture goes in a W×H stream so that it keeps its shape: as large as
// fits, centred, on even pixels (4:2:0 chroma), black bars around it.
func fitInside(w, h, W, H int) image.Rectangle {
	fw, fh := W, H
	if w*H > h*W { // wider than the stream: bars above and below
		fh = min(H, (W*h/w+1)&^1)
	} else if w*H < h*W { // narrower: bars left and right
		fw = min(W, (H*w/h+1)&^1)
	}
	x, y := (W-fw)/2&^1, (H-fh)/2&^1
	return image.Rect(x, y, x+fw, y+fh)
}
