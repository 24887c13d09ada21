package encoder

import (
	"fmt"
	"image"
)

// SetSize changes the picture's size from the next encoded frame on, for links too slow for the
// configured one: the encoder is flushed and opened again at w×h, so that frame is an IDR frame
// whose packet carries the new Config. Frames keep coming at the size they are captured at, with
// Area and InsetArea in the configured size's coordinates; the encoder scales them. SetSize with
// the configured size goes back to it.
func (v *Video) SetSize(w, h int) error {
	if w <= 0 || h <= 0 || w%2 != 0 || h%2 != 0 {
		return fmt.Errorf("encoder: video size %dx%d must be positive and even", w, h)
	}
	v.mu.Lock()
	v.wantW, v.wantH = w, h
	v.mu.Unlock()
	return nil
}

// Size returns the size encoded now.
func (v *Video) Size() (w, h int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.width, v.height
}

// HoldSize cancels a size change not yet made and returns the size encoded now with its
// configuration, all at one instant: what a recording that must keep one size starts from.
func (v *Video) HoldSize() (w, h int, config []byte) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.wantW, v.wantH = v.width, v.height
	return v.width, v.height, v.extra
}

// resize finishes the stream at the old size and opens the encoder at size, at rate kb/s.
func (v *Video) resize(size image.Point, rate int) error {
	if err := v.flush(); err != nil {
		return err
	}
	cfg := v.cfg
	cfg.Width, cfg.Height, cfg.BitrateKbps = size.X, size.Y, rate
	cc, err := openVideo(v.codec, cfg)
	if err != nil {
		return fmt.Errorf("encoder: opening %s again at %dx%d: %w", v.codec, size.X, size.Y, err)
	}
	v.cc.Free()
	v.cc = cc
	v.rate = newRateControl(rate)
	if v.frame != nil { // allocated at the old size
		v.frame.Free()
		v.frame = nil
	}
	v.conv.free()
	v.conv = newConverter(size.X, size.Y)
	extra := append([]byte(nil), cc.ExtraData()...)
	v.mu.Lock()
	v.width, v.height, v.extra = size.X, size.Y, extra
	v.mu.Unlock()
	v.log.Info("video size changed", "size", fmt.Sprintf("%dx%d", size.X, size.Y), "kbps", rate)
	return nil
}

// toCurrentSize maps f's areas from the configured size to the size encoded now.
func (v *Video) toCurrentSize(f *VideoFrame) {
	if v.width == v.cfg.Width && v.height == v.cfg.Height {
		return
	}
	scale := func(r image.Rectangle) image.Rectangle {
		if r.Empty() {
			return r
		}
		return image.Rect(r.Min.X*v.width/v.cfg.Width, r.Min.Y*v.height/v.cfg.Height,
			r.Max.X*v.width/v.cfg.Width, r.Max.Y*v.height/v.cfg.Height)
	}
	f.Area, f.InsetArea = scale(f.Area), scale(f.InsetArea)
}
