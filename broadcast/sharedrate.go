package broadcast

import (
	"time"

	"onair/rtmpout"
)

// One encode serves every destination, so its bitrate is the lowest any live destination's
// controller asks for, except a destination far narrower than the best one: it would drag every
// other platform down to its link. It is left out ("can't keep up") and its send queue drops its
// video by whole GOPs; it rejoins once its link carries most of the shared rate again.
const (
	behindShare = 0.5 // left out below half the best destination's rate
	rejoinShare = 0.7 // and back in from here
)

// wantRate is a destination's controller asking for a video bitrate (called under ctlMu); what it
// settles at (controller.settled) decides the picture's size.
func (s *Session) wantRate(d *destination, kbps int) {
	d.wanted = kbps
	s.shareRate()
}

// shareRate sets the encoder to what the live destinations that keep up can carry (under ctlMu).
func (s *Session) shareRate() {
	best, live := 0, 0
	for _, d := range s.dests {
		if d.isLive() {
			best = max(best, d.wanted)
			live++
		}
	}
	rate, level, audio := 0, 0, 0
	for _, d := range s.dests {
		if !d.isLive() {
			continue
		}
		share := behindShare
		if d.behind {
			share = rejoinShare
		}
		d.behind = live > 1 && float64(d.wanted) < share*float64(best)
		d.lagging.Store(d.behind)
		if !d.behind && (rate == 0 || d.wanted < rate) {
			rate, audio = d.wanted, d.ctl.audio
		}
		if !d.behind && (level == 0 || d.ctl.settled() < level) {
			level = d.ctl.settled()
		}
	}
	if rate == 0 { // nothing live: keep the first destination's choice for when it comes back
		if len(s.dests) == 0 {
			return
		}
		rate, level = s.dests[0].wanted, s.dests[0].wanted
	}
	if s.setRate != nil && (rate != s.sharedRate || level != s.sharedLevel) {
		s.sharedRate, s.sharedLevel = rate, level
		s.setRate(rate, level)
	}
	if s.aenc != nil && s.plan.Adaptive {
		if audio == 0 { // nothing live
			audio = audioRung(rate, s.plan.AudioKbps, s.aenc.Bitrate())
		}
		// The controller whose rate the stream runs at chose the sound with it: the two together
		// are what its link was shown to carry.
		s.aenc.SetBitrate(audio)
	}
}

// isLive reports whether the destination has a connection now.
func (d *destination) isLive() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.live != nil
}

// A destination that cannot keep up gets whole GOPs or none: a GOP starts only when the last one
// has gone (its queue under gopRoom), and once started is not cut short, unless it waits past
// gopPolicy's limit. Its viewers see whole seconds of smooth picture, then a jump; the others
// never wait for it.
const gopRoom = 150 * time.Millisecond

var gopPolicy = rtmpout.DropPolicy{Disposable: 8 * time.Second, ToKeyframe: 10 * time.Second}

// gateGOP decides, for a lagging destination, whether this video frame goes (under wmu).
func (d *destination) gateGOP(p packet) bool {
	lagging := d.lagging.Load()
	if lagging != d.gopPolicy {
		d.gopPolicy = lagging
		if lagging {
			d.out.SetDropPolicy(gopPolicy)
		} else {
			d.out.SetDropPolicy(rtmpout.DropPolicy{})
			d.skipGOP = false
		}
	}
	if !lagging {
		return true
	}
	if p.Keyframe {
		d.skipGOP = d.out.Stats().QueueDuration > gopRoom
	}
	return !d.skipGOP
}
