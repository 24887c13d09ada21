package broadcast

import (
	"time"

	"onair/encoder"
	"onair/rtmpout"
)

// controller steers the video bitrate by the send side's backpressure. (Its algorithm lands with
// the adaptation issue; until then it holds the user's bitrate.)
type controller struct {
	enabled bool
	ceiling int
	venc    *encoder.Video
}

func newController(p Plan, venc *encoder.Video) *controller {
	return &controller{enabled: p.Adaptive && venc != nil, ceiling: p.VideoKbps, venc: venc}
}

// observe is called about twenty times a second while connected.
func (c *controller) observe(now time.Duration, st rtmpout.Stats) {}
