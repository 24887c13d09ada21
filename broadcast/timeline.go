package broadcast

import (
	"bytes"
	"sync/atomic"
	"time"

	"onair/rtmpout"
)

// timeline places packets on the stream's time: zero at the first keyframe sent, and continuous
// across reconnects so that a server or recorder sees one stream.
type timeline struct {
	base    atomic.Int64 // session-clock DTS of the stream's first keyframe; -1 before it
	waitKey bool         // drop video until a keyframe (each new connection starts on one)
}

// sent returns the connection's OnSent callback: it records each packet's capture-to-socket time.
// It runs on the connection's writer goroutine, hence the atomic base.
func (tl *timeline) sent(s *Session) func(video bool, dts time.Duration) {
	return func(video bool, dts time.Duration) {
		if b := tl.base.Load(); b >= 0 {
			d := s.clock.Now() - time.Duration(b) - dts
			if video {
				s.lat.add(d)
			} else {
				s.audioLat.add(d)
			}
		}
	}
}

// write sends one packet on the destination's timeline, or counts it lost (under the
// destination's wmu).
func (tl *timeline) write(d *destination, p packet) {
	s := d.s
	base := time.Duration(tl.base.Load())
	if base < 0 {
		if d.out == nil {
			return // the stream has not started yet
		}
		// The stream starts on a video keyframe (or the first audio when there is no video).
		if p.video && !p.Keyframe || !p.video && s.venc != nil {
			return
		}
		base = p.DTS
		tl.base.Store(int64(base))
	}
	if p.DTS < base {
		return
	}
	if d.out == nil {
		if p.video {
			d.lostVideo.Add(1)
		}
		return
	}
	if p.video && !d.gateGOP(p) {
		d.lostVideo.Add(1)
		return
	}
	if p.video && tl.waitKey {
		if !p.Keyframe {
			d.lostVideo.Add(1)
			return
		}
		tl.waitKey = false
	}
	f := rtmpout.Frame{DTS: p.DTS - base, PTS: p.PTS - base, Keyframe: p.Keyframe, Data: p.Data}
	if p.video {
		if p.Keyframe && p.Config != nil && !bytes.Equal(p.Config, d.out.videoConfig) {
			d.out.videoConfig = p.Config
			_ = d.out.WriteVideoConfigAt(p.Config, f.DTS)
		}
		f.Data = d.pad(p)
		_ = d.out.WriteVideo(f)
	} else if !tl.waitKey || s.venc == nil {
		_ = d.out.WriteAudio(f)
	}
}
