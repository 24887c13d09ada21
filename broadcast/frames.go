package broadcast

import (
	"fmt"
	"image"
	"math"
	"time"

	"onair/capture"
	"onair/encoder"
)

// Taps are optional views into a live session, for the window. They are called from the capture
// goroutines and must return quickly; the image is valid only during the call.
type Taps struct {
	// Preview receives about ten frames a second.
	Preview func(img image.Image)
	// AudioLevel receives each audio chunk's peak level in dBFS (-inf for silence).
	AudioLevel func(peakDBFS float64)
}

// toEncoderFrame describes a captured image to the encoder without copying it.
func toEncoderFrame(f capture.VideoFrame, release func()) (encoder.VideoFrame, error) {
	b := f.Image.Bounds()
	out := encoder.VideoFrame{Width: b.Dx(), Height: b.Dy(), PTS: f.Time, Release: release}
	switch img := f.Image.(type) {
	case *image.YCbCr:
		switch img.SubsampleRatio {
		case image.YCbCrSubsampleRatio420:
			out.Format = encoder.I420
		case image.YCbCrSubsampleRatio422:
			out.Format = encoder.I422
		default:
			return out, fmt.Errorf("the video source gives YCbCr %v, which OnAir cannot encode", img.SubsampleRatio)
		}
		out.Planes = [3][]byte{img.Y, img.Cb, img.Cr}
		out.Strides = [3]int{img.YStride, img.CStride, img.CStride}
	case *image.RGBA:
		out.Format, out.Planes[0], out.Strides[0] = encoder.RGBA, img.Pix, img.Stride
	case *image.NRGBA:
		out.Format, out.Planes[0], out.Strides[0] = encoder.RGBA, img.Pix, img.Stride
	default:
		return out, fmt.Errorf("the video source gives %T images, which OnAir cannot encode", f.Image)
	}
	return out, nil
}

func (s *Session) tapPreview(f capture.VideoFrame) {
	if s.taps.Preview == nil {
		return
	}
	now := time.Now()
	s.tapMu.Lock()
	due := now.Sub(s.lastPreview) >= 100*time.Millisecond
	if due {
		s.lastPreview = now
	}
	s.tapMu.Unlock()
	if due {
		s.taps.Preview(f.Image)
	}
}

func (s *Session) tapLevel(c capture.AudioChunk) {
	if s.taps.AudioLevel == nil {
		return
	}
	peak := 0.0
	for _, v := range c.Samples {
		peak = math.Max(peak, math.Abs(float64(v)))
	}
	s.taps.AudioLevel(20 * math.Log10(peak))
}
