package broadcast

import (
	"time"

	"onair/rtmpout"
)

// What congestion does: the link's rate measured while the backlog grew, the cut that clears the
// backlog, the queued video dropped after a fall too far to wait for, and the memory of the rate the
// link carried before, for the climb back.

// congested reacts to a delay past congestedDelay (or a backlog that would not drain), with the
// connection's counters now.
func (c *controller) congested(now time.Duration, st rtmpout.Stats) {
	sent := delivered(st)
	span := now - c.growSince.t
	if span < 200*time.Millisecond || sent <= c.growSince.bytes {
		return // not enough to measure yet: the next observation decides
	}
	rate := float64(sent-c.growSince.bytes) * 8 / span.Seconds() / 1000
	if c.mode != modeDraining { // a backlog measured again keeps what was before the first
		c.before = float64(c.target + c.audio)
		if now-c.congestedAt < repeatWithin {
			// Congested again soon at the rate the last drain settled at: that rate is the
			// link's edge, not a stall's victim. Settle lower each time.
			c.before *= repeatShare
		}
		c.congestedAt = now
		c.grewSince = c.growSince.t
	}
	if c.raisedAt >= 0 && now-c.raisedAt < raiseWatch {
		c.before = float64(c.raisedFrom + c.audio)
		c.failedProbes++
		c.edge, c.edgeUntil = float64(c.target+c.audio), now+edgeMemory
		// The raise overshot, and the link likely still carries most of what it carried before:
		// losses in a shallow buffer can stall TCP for a retransmission timeout, and the rate
		// measured then reads a fraction of the link's. A link that really fell that far shows it
		// again within a second.
		rate = max(rate, drainShare*float64(c.raisedFrom+c.audio))
	}
	c.raisedAt = -1
	if c.mode != modeDraining {
		c.fell = false
	}
	c.considerSkip(st, rate)
	if rate < fellShare*c.before {
		if now >= c.fellUntil {
			c.fellFrom = 0
		} else if c.mode != modeDraining && c.before >= fellShare*c.fellFrom {
			c.wanderUntil = now + fallMemory // it had come back since the last fall
		}
		// The highest the link carried lately: a stall on the way down reads as another fall,
		// from a rate already low.
		c.fellFrom, c.fellUntil = max(c.fellFrom, c.before), now+fallMemory
	}
	c.capacity = rate
	c.pad = 0
	c.mode = modeDraining
	c.drainSince, c.drainDelay, c.drainPeak = now, c.lastDelay, c.lastDelay
	c.calmSince = -1
	c.probeGain = 0.25
	// Clear the backlog within a second: send what the link carries less the backlog's share,
	// then settle (steadyAt is set first: the picture's size follows it, not the short drain).
	share := max(drainShare, min(steadyShare, 1-c.lastDelay.Seconds()))
	c.steadyAt = int(steadyShare*rate) - audioRung(int(share*rate)-c.audio, c.audioChosen, c.audio)
	c.apply(int(share*rate)-c.audio, "congestion")
}

// considerSkip asks for the queued video to be dropped when the backlog would take over maxDrain
// to send at rate (kb/s). Dropping pays when the queue's own bytes are most of the wait: behind a
// kernel backlog alone, the frames queued since are small and dropping them costs a keyframe.
// Once an episode: what queued behind the first drop's stall is at the new rate.
func (c *controller) considerSkip(st rtmpout.Stats, rate float64) {
	queued := seconds(float64(st.QueueBytes) * 8 / 1000 / rate)
	if unsent := seconds(float64(st.KernelUnsent) * 8 / 1000 / rate); !c.fell && queued+unsent > maxDrain && queued > maxDrain/2 {
		c.skipStall = max(time.Millisecond, unsent)
	}
	c.fell = c.fell || c.skipStall > 0
}

// takeSkip reports, once, whether the connection is to drop its queued video, and for how long
// the kernel's backlog holds up what follows (rtmpout's SkipToKeyframe).
func (c *controller) takeSkip() (skip bool, stall time.Duration) {
	stall, c.skipStall = c.skipStall, 0
	return stall > 0, stall
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// returning reports whether the stream runs at under fellShare of what the link carried before
// it last fell.
func (c *controller) returning(now time.Duration) bool {
	return now < c.fellUntil && float64(c.target+c.audio) < fellShare*c.fellFrom
}

// wandering reports whether the stream is returning (see returning) on a link that fell again
// after it had come back: its return probes come every second, aiming all the way back.
func (c *controller) wandering(now time.Duration) bool {
	return now < c.wanderUntil && c.returning(now)
}

// settled is the rate the controller means to stay at: the target, or while draining after a fall
// the one it settles at once the backlog is gone. After a lesser congestion it is the rate before,
// until drained: a TCP stall reads as a fall and is undone then (the picture's size would change
// twice for nothing).
func (c *controller) settled() int {
	if c.mode == modeDraining {
		if c.fell {
			return c.bounded(c.steadyAt)
		}
		return c.bounded(int(c.before) - c.audio)
	}
	return c.target
}
