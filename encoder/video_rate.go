package encoder

import (
	"time"

	"github.com/asticode/go-astiav"
)

// fillerPayback is how long after a bitrate decrease filler is removed: x264 pays the buffer the
// decrease took away back in filler in the very next frame, so half a second covers it.
const fillerPayback = 500 * time.Millisecond

// The rate buffer (VBV) opens at a second of the rate. A raise keeps it as it is in bits, within
// half a second to a second of the new rate: x264 fills a bigger buffer by making less than the
// rate, and a buffer doubled with the rate held the stream near the old rate for 1.5 s.
const minBufferShare = 0.5

// rateControl applies bitrate changes to the codec between frames and remembers after which
// decrease filler must be removed (see withoutFiller).
type rateControl struct {
	applied    int   // kb/s x264 runs at
	buffer     int   // kbit of rate buffer x264 has
	stripUntil int64 // packets up to this PTS (ms) lose their filler; -1: none
}

// newRateControl is the rate control of an encoder opened at kbps, with a second of rate buffer.
func newRateControl(kbps int) rateControl {
	return rateControl{applied: kbps, buffer: kbps, stripUntil: -1}
}

// apply sets x264's rate for kbps with every div-th frame encoded, from the frame at pts on.
// x264 counts bits per frame at the configured rate, so with every n-th frame n times the rate
// keeps the stream at kbps. It reports whether the rate changed.
func (r *rateControl) apply(cc *astiav.CodecContext, kbps, div int, pts int64) bool {
	rate := kbps * div
	if rate == r.applied {
		return false
	}
	buffer := min(rate, max(r.buffer, int(minBufferShare*float64(rate))))
	bps := int64(rate) * 1000
	cc.SetBitRate(bps)
	cc.SetRateControlMaxRate(bps)
	cc.SetRateControlBufferSize(buffer * 1000)
	if buffer < r.buffer {
		r.stripUntil = pts + fillerPayback.Milliseconds()
	}
	r.applied, r.buffer = rate, buffer
	return true
}

// strips reports whether the packet at pts loses its filler.
func (r *rateControl) strips(pts int64) bool { return pts <= r.stripUntil }
