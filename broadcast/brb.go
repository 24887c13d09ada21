package broadcast

import (
	"image"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// brbWords is what viewers read while a device is away.
const brbWords = "Be right back"

// keepPicture copies img (a captured frame, valid only for now) cheaply: its planes as they are.
// Only YCbCr and RGBA pictures are kept; others give nil.
func keepPicture(img image.Image) image.Image {
	switch p := img.(type) {
	case *image.YCbCr:
		c := *p
		c.Y, c.Cb, c.Cr = append([]byte(nil), p.Y...), append([]byte(nil), p.Cb...), append([]byte(nil), p.Cr...)
		return &c
	case *image.RGBA:
		c := *p
		c.Pix = append([]byte(nil), p.Pix...)
		return &c
	}
	return nil
}

// brbPicture turns a kept picture into the "be right back" one: dimmed, with the words across
// its middle. Without a picture it is a dark grey one of width×height.
func brbPicture(kept image.Image, width, height int) image.Image {
	if kept == nil {
		p := image.NewYCbCr(image.Rect(0, 0, width, height), image.YCbCrSubsampleRatio420)
		fill(p.Y, 40)
		fill(p.Cb, 128)
		fill(p.Cr, 128)
		kept = p
	}
	mask := wordsMask(kept.Bounds())
	switch p := kept.(type) {
	case *image.YCbCr:
		for i, y := range p.Y {
			p.Y[i] = 16 + (max(y, 16)-16)/3
		}
		for i := range p.Cb {
			p.Cb[i] = byte(128 + (int(p.Cb[i])-128)/3)
			p.Cr[i] = byte(128 + (int(p.Cr[i])-128)/3)
		}
		b := p.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if mask.AlphaAt(x, y).A > 0 {
					p.Y[p.YOffset(x, y)] = 235
				}
			}
		}
	case *image.RGBA:
		for i := range p.Pix {
			if i%4 != 3 {
				p.Pix[i] /= 3
			}
		}
		b := p.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if mask.AlphaAt(x, y).A > 0 {
					o := p.PixOffset(x, y)
					p.Pix[o], p.Pix[o+1], p.Pix[o+2] = 255, 255, 255
				}
			}
		}
	}
	return kept
}

func fill(b []byte, v byte) {
	for i := range b {
		b[i] = v
	}
}

// wordsMask draws brbWords, scaled to about a third of the picture's width, centred in r.
func wordsMask(r image.Rectangle) *image.Alpha {
	face := basicfont.Face7x13
	w := font.MeasureString(face, brbWords).Ceil()
	small := image.NewAlpha(image.Rect(0, 0, w, 13))
	d := font.Drawer{Dst: small, Src: image.Opaque, Face: face, Dot: fixed.P(0, 11)}
	d.DrawString(brbWords)
	scale := max(1, r.Dx()/3/w)
	out := image.NewAlpha(r)
	x0 := r.Min.X + (r.Dx()-w*scale)/2
	y0 := r.Min.Y + (r.Dy()-13*scale)/2
	for y := 0; y < 13*scale; y++ {
		for x := 0; x < w*scale; x++ {
			if small.AlphaAt(x/scale, y/scale).A > 0 {
				out.SetAlpha(x0+x, y0+y, small.AlphaAt(x/scale, y/scale))
			}
		}
	}
	return out
}
