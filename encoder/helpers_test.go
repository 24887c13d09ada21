package encoder

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/asticode/go-astiav"
)

// decoded is one decoded picture's planes, copied to Go memory.
type decoded struct {
	w, h    int
	y, u, v []byte // tightly packed
	pts     int64
	key     bool
}

// openDecoder opens FFmpeg's decoder for id with the encoder's configuration; the caller frees it.
func openDecoder(t *testing.T, id astiav.CodecID, config []byte) *astiav.CodecContext {
	t.Helper()
	codec := astiav.FindDecoder(id)
	cc := astiav.AllocCodecContext(codec)
	if err := cc.SetExtraData(config); err != nil {
		t.Fatal(err)
	}
	if err := cc.Open(codec, nil); err != nil {
		t.Fatal(err)
	}
	return cc
}

// decodeH264 decodes packets with FFmpeg's H.264 decoder.
func decodeH264(t *testing.T, config []byte, pkts []Packet) []decoded {
	t.Helper()
	cc := openDecoder(t, astiav.CodecIDH264, config)
	defer cc.Free()
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	f := astiav.AllocFrame()
	defer f.Free()
	var out []decoded
	drain := func() {
		for {
			err := cc.ReceiveFrame(f)
			if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, copyPicture(f))
			f.Unref()
		}
	}
	for _, p := range pkts {
		if err := pkt.FromData(p.Data); err != nil {
			t.Fatal(err)
		}
		pkt.SetPts(p.PTS.Milliseconds())
		pkt.SetDts(p.DTS.Milliseconds())
		if err := cc.SendPacket(pkt); err != nil {
			t.Fatal(err)
		}
		pkt.Unref()
		drain()
	}
	if err := cc.SendPacket(nil); err != nil {
		t.Fatal(err)
	}
	drain()
	return out
}

// copyPicture copies a yuv420p frame's planes (also used on the converter's output).
func copyPicture(f *astiav.Frame) decoded {
	w, h := f.Width(), f.Height()
	d := decoded{w: w, h: h, pts: f.Pts(), key: f.KeyFrame()}
	cw, ch := (w+1)/2, (h+1)/2
	d.y = packPlane(plane(f, 0, h), linesize(f, 0), w, h)
	d.u = packPlane(plane(f, 1, ch), linesize(f, 1), cw, ch)
	d.v = packPlane(plane(f, 2, ch), linesize(f, 2), cw, ch)
	return d
}

func packPlane(p []byte, stride, w, h int) []byte {
	out := make([]byte, 0, w*h)
	for r := 0; r < h; r++ {
		out = append(out, p[r*stride:r*stride+w]...)
	}
	return out
}

// psnr is the peak signal-to-noise ratio of two 8-bit planes, in dB.
func psnr(a, b []byte) float64 {
	var se float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		se += d * d
	}
	if se == 0 {
		return 99
	}
	return 10 * math.Log10(255*255/(se/float64(len(a))))
}

// pattern draws frame n of a moving test picture in I420: a gradient with texture and a square
// that moves, so the encoder has real work and a freeze would show.
func pattern(w, h, n int) (y, u, v []byte) {
	y = make([]byte, w*h)
	u = make([]byte, w*h/4)
	v = make([]byte, w*h/4)
	for r := 0; r < h; r++ {
		for c := 0; c < w; c++ {
			val := (c + r + 2*n) & 0xFF
			if (c/16+r/16)%2 == 0 {
				val = 255 - val
			}
			y[r*w+c] = byte(16 + val*219/255)
		}
	}
	sx, sy := (n*7)%(w-64), (n*5)%(h-64)
	for r := sy; r < sy+64; r++ {
		for c := sx; c < sx+64; c++ {
			y[r*w+c] = 235
		}
	}
	for r := 0; r < h/2; r++ {
		for c := 0; c < w/2; c++ {
			u[r*w/2+c] = byte(64 + (c*128)/(w/2))
			v[r*w/2+c] = byte(64 + (r*128)/(h/2))
		}
	}
	return y, u, v
}

func i420Frame(w, h int, y, u, v []byte, pts time.Duration) VideoFrame {
	return VideoFrame{Format: I420, Width: w, Height: h, Planes: [3][]byte{y, u, v},
		Strides: [3]int{w, w / 2, w / 2}, PTS: pts}
}

// collect gathers every packet until the encoder closes its channel.
func collect(v *Video) <-chan []Packet {
	res := make(chan []Packet, 1)
	go func() {
		var all []Packet
		for p := range v.Packets() {
			all = append(all, p)
		}
		res <- all
	}()
	return res
}

// submitWait submits a frame and waits until the encoder took it, so tests encode every frame.
func submitWait(t *testing.T, v *Video, f VideoFrame) {
	t.Helper()
	taken := make(chan struct{})
	f.Release = func() { close(taken) }
	if err := v.Submit(f); err != nil {
		t.Fatal(err)
	}
	select {
	case <-taken:
	case <-time.After(10 * time.Second):
		t.Fatal("the encoder did not take a frame in 10 s")
	}
}
