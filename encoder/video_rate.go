package encoder

import (
	"time"

	"github.com/asticode/go-astiav"
)

// fillerPayback is how long after a bitrate decrease filler is removed: x264 pays the buffer the
// decrease took away back in filler in the very next frame, so half a second covers it.
const fillerPayback = 500 * time.Millisecond

// rateControl applies bitrate changes to the codec between frames and remembers after which
// decrease filler must be removed (see withoutFiller).
type rateControl struct {
	applied    int   // kb/s x264 runs at
	stripUntil int64 // packets up to this PTS (ms) lose their filler; -1: none
}

// apply sets x264's rate for kbps with every div-th frame encoded, from the frame at pts on.
// x264 counts bits per frame at the configured rate, so with every n-th frame n times the rate
// keeps the stream at kbps. It reports whether the rate changed.
func (r *rateControl) apply(cc *astiav.CodecContext, kbps, div int, pts int64) bool {
	rate := kbps * div
	if rate == r.applied {
		return false
	}
	bps := int64(rate) * 1000
	cc.SetBitRate(bps)
	cc.SetRateControlMaxRate(bps)
	cc.SetRateControlBufferSize(int(bps))
	if rate < r.applied {
		r.stripUntil = pts + fillerPayback.Milliseconds()
	}
	r.applied = rate
	return true
}

// strips reports whether the packet at pts loses its filler.
func (r *rateControl) strips(pts int64) bool { return pts <= r.stripUntil }
