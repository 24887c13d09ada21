package encoder

import (
	"image"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asticode/go-astiav"
)

// bars are the eight colour bars in BT.601 limited-range YUV.
var bars = [8][3]int{{235, 128, 128}, {210, 16, 146}, {170, 166, 16}, {145, 54, 34}, {106, 202, 222}, {81, 90, 240}, {41, 240, 110}, {16, 128, 128}}

func clamp8(f float64) byte {
	switch {
	case f < 0:
		return 0
	case f > 255:
		return 255
	}
	return byte(f + 0.5)
}

func barRGB(b [3]int) (r, g, bl byte) {
	y, u, v := float64(b[0]-16)*1.164, float64(b[1]-128), float64(b[2]-128)
	return clamp8(y + 1.596*v), clamp8(y - 0.813*v - 0.391*u), clamp8(y + 2.018*u)
}

// barFrame draws the bars in the given format, with padded strides.
func barFrame(f PixelFormat, w, h int) VideoFrame {
	const pad = 32
	fr := VideoFrame{Format: f, Width: w, Height: h}
	bar := func(x int) [3]int { return bars[x*8/w] }
	switch f {
	case I420, I422:
		ch := h / 2
		if f == I422 {
			ch = h
		}
		fr.Strides = [3]int{w + pad, w/2 + pad, w/2 + pad}
		fr.Planes = [3][]byte{make([]byte, (w+pad)*h), make([]byte, (w/2+pad)*ch), make([]byte, (w/2+pad)*ch)}
		for r := 0; r < h; r++ {
			for x := 0; x < w; x++ {
				fr.Planes[0][r*fr.Strides[0]+x] = byte(bar(x)[0])
			}
		}
		for r := 0; r < ch; r++ {
			for x := 0; x < w/2; x++ {
				fr.Planes[1][r*fr.Strides[1]+x] = byte(bar(2 * x)[1])
				fr.Planes[2][r*fr.Strides[2]+x] = byte(bar(2 * x)[2])
			}
		}
	case NV12:
		fr.Strides = [3]int{w + pad, w + pad}
		fr.Planes = [3][]byte{make([]byte, (w+pad)*h), make([]byte, (w+pad)*h/2)}
		for r := 0; r < h; r++ {
			for x := 0; x < w; x++ {
				fr.Planes[0][r*fr.Strides[0]+x] = byte(bar(x)[0])
			}
		}
		for r := 0; r < h/2; r++ {
			for x := 0; x < w/2; x++ {
				fr.Planes[1][r*fr.Strides[1]+2*x] = byte(bar(2 * x)[1])
				fr.Planes[1][r*fr.Strides[1]+2*x+1] = byte(bar(2 * x)[2])
			}
		}
	case YUYV:
		fr.Strides = [3]int{2*w + pad}
		fr.Planes = [3][]byte{make([]byte, (2*w+pad)*h)}
		for r := 0; r < h; r++ {
			for x := 0; x < w; x += 2 {
				b := bar(x)
				o := r*fr.Strides[0] + 2*x
				copy(fr.Planes[0][o:], []byte{byte(b[0]), byte(b[1]), byte(bar(x + 1)[0]), byte(b[2])})
			}
		}
	case RGBA:
		fr.Strides = [3]int{4*w + pad}
		fr.Planes = [3][]byte{make([]byte, (4*w+pad)*h)}
		for r := 0; r < h; r++ {
			for x := 0; x < w; x++ {
				red, g, b := barRGB(bar(x))
				copy(fr.Planes[0][r*fr.Strides[0]+4*x:], []byte{red, g, b, 255})
			}
		}
	}
	return fr
}

// TestConversionKeepsColours converts each input format (and a scaled one) to the encoder's
// yuv420p and checks the middle of every bar.
func TestConversionKeepsColours(t *testing.T) {
	const ow, oh = 320, 240
	for _, c := range []struct {
		f    PixelFormat
		w, h int
		tol  int
	}{{I420, 320, 240, 2}, {I422, 320, 240, 2}, {NV12, 320, 240, 2}, {YUYV, 320, 240, 2}, {RGBA, 320, 240, 5},
		{I420, 640, 480, 3}, {RGBA, 1280, 720, 5}} {
		conv := newConverter(ow, oh)
		dst := astiav.AllocFrame()
		dst.SetWidth(ow)
		dst.SetHeight(oh)
		dst.SetPixelFormat(astiav.PixelFormatYuv420P)
		if err := dst.AllocBuffer(0); err != nil {
			t.Fatal(err)
		}
		src := barFrame(c.f, c.w, c.h)
		if err := conv.convert(&src, dst); err != nil {
			t.Fatalf("%v %dx%d: %v", c.f, c.w, c.h, err)
		}
		pic := copyPicture(dst)
		for i, want := range bars {
			x := (2*i + 1) * ow / 16
			r := oh / 2
			got := [3]int{int(pic.y[r*ow+x]), int(pic.u[r/2*ow/2+x/2]), int(pic.v[r/2*ow/2+x/2])}
			for k := 0; k < 3; k++ {
				if d := got[k] - want[k]; d > c.tol || d < -c.tol {
					t.Errorf("%v %dx%d bar %d: YUV %v, want %v ±%d", c.f, c.w, c.h, i, got, want, c.tol)
					break
				}
			}
		}
		conv.free()
		dst.Free()
	}
}

func TestConversionRejectsShortPlanes(t *testing.T) {
	conv := newConverter(64, 64)
	defer conv.free()
	f := VideoFrame{Format: I420, Width: 64, Height: 64, Planes: [3][]byte{make([]byte, 10), make([]byte, 10), make([]byte, 10)},
		Strides: [3]int{64, 32, 32}}
	if err := conv.convert(&f, nil); err == nil {
		t.Fatal("a 10-byte plane for 64x64 was accepted")
	}
}

// A picture of another shape keeps it: a white 16:10 screen in a 16:9 stream comes out with black
// bars left and right (1152 of 1280 columns), and a 4:3 one above nothing but beside; a 21:9 one
// gets bars above and below.
func TestPictureKeepsItsShape(t *testing.T) {
	for _, c := range []struct {
		w, h int
		want image.Rectangle
	}{
		{1280, 800, image.Rect(64, 0, 1216, 720)},
		{640, 480, image.Rect(160, 0, 1120, 720)},
		{2560, 1080, image.Rect(0, 90, 1280, 630)},
	} {
		if got := fitInside(c.w, c.h, 1280, 720); got != c.want {
			t.Fatalf("%dx%d in 1280x720: %v, want %v", c.w, c.h, got, c.want)
		}
	}
	v, err := NewVideo(VideoConfig{Width: 1280, Height: 720, FPS: 30, BitrateKbps: 4000, Codec: "libx264", Preset: "ultrafast"})
	if err != nil {
		t.Fatal(err)
	}
	res := collect(v)
	white := make([]byte, 1280*800*4)
	for i := range white {
		white[i] = 255
	}
	for i := 0; i < 3; i++ {
		submitWait(t, v, VideoFrame{Format: RGBA, Width: 1280, Height: 800, Planes: [3][]byte{white}, Strides: [3]int{1280 * 4},
			PTS: time.Duration(i) * 33 * time.Millisecond})
	}
	v.Close()
	pics := decodeH264(t, v.Config(), <-res)
	p := pics[len(pics)-1]
	luma := func(x, y int) int { return int(p.y[y*p.w+x]) }
	for _, y := range []int{0, 360, 719} {
		for _, x := range []int{0, 40, 1240, 1279} {
			if l := luma(x, y); l > 40 {
				t.Fatalf("(%d,%d) in the bar has luma %d, want black", x, y, l)
			}
		}
		for _, x := range []int{70, 640, 1210} {
			if l := luma(x, y); l < 200 {
				t.Fatalf("(%d,%d) in the picture has luma %d, want white", x, y, l)
			}
		}
	}
}

// TestInsetGoesInItsArea: a second picture goes over the first inside its area, keeping its shape,
// and the first keeps its own area (the camera in a corner of the screen, and side by side).
func TestInsetGoesInItsArea(t *testing.T) {
	solid := func(w, h int, v byte) VideoFrame {
		pix := make([]byte, w*h*4)
		for i := range pix {
			pix[i] = v
		}
		return VideoFrame{Format: RGBA, Width: w, Height: h, Planes: [3][]byte{pix}, Strides: [3]int{w * 4}}
	}
	type spot struct {
		x, y   int
		lo, hi int // luma range
		what   string
	}
	white, grey, black := [2]int{200, 255}, [2]int{100, 150}, [2]int{0, 40}
	for _, c := range []struct {
		name        string
		area, inset image.Rectangle
		insetW      int
		spots       []spot
	}{
		{"corner", image.Rectangle{}, image.Rect(928, 508, 1248, 688), 640, []spot{
			{930, 510, grey[0], grey[1], "the inset's top left"}, {1245, 685, grey[0], grey[1], "the inset's bottom right"},
			{924, 600, white[0], white[1], "left of the inset"}, {1100, 504, white[0], white[1], "above the inset"},
			{1252, 600, white[0], white[1], "right of the inset"}, {1100, 692, white[0], white[1], "below the inset"},
			{10, 10, white[0], white[1], "the first picture"}}},
		{"side", image.Rect(0, 0, 640, 720), image.Rect(640, 0, 1280, 720), 640, []spot{
			{320, 100, black[0], black[1], "the bar above the first"}, {320, 360, white[0], white[1], "the first"},
			{960, 100, black[0], black[1], "the bar above the second"}, {960, 360, grey[0], grey[1], "the second"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			v, err := NewVideo(VideoConfig{Width: 1280, Height: 720, FPS: 30, BitrateKbps: 4000, Codec: "libx264", Preset: "ultrafast"})
			if err != nil {
				t.Fatal(err)
			}
			res := collect(v)
			var released atomic.Int32
			for i := 0; i < 3; i++ {
				f, in := solid(1280, 720, 255), solid(c.insetW, c.insetW*9/16, 128)
				in.Release = func() { released.Add(1) }
				f.PTS, f.Area, f.Inset, f.InsetArea = time.Duration(i)*33*time.Millisecond, c.area, &in, c.inset
				submitWait(t, v, f)
			}
			v.Close()
			if released.Load() != 3 {
				t.Fatalf("%d insets released, want 3", released.Load())
			}
			pics := decodeH264(t, v.Config(), <-res)
			p := pics[len(pics)-1]
			for _, s := range c.spots {
				if l := int(p.y[s.y*p.w+s.x]); l < s.lo || l > s.hi {
					t.Errorf("(%d,%d), %s: luma %d, want %d to %d", s.x, s.y, s.what, l, s.lo, s.hi)
				}
			}
		})
	}
}
