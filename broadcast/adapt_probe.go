package broadcast

import "time"

// How a probe begins, and what one the link did not carry still shows.

// measuredByProbe raises the stream after a probe the link did not carry, to 90 % of what the link
// delivered meanwhile (it was full from the probe's start on: that is its rate), when that is a
// tenth more than now: a raise that fails holds the rate under its edge for edgeMemory. (A
// return probe that aims at twice the stream fails at once on a shallow buffer, and the smaller
// steps that would find the edge never come.)
func (c *controller) measuredByProbe(now time.Duration) {
	next := int(steadyShare*c.deliveredSince(c.probeStart+rateWindow/5)) - c.audio
	if now < c.edgeUntil {
		next = min(next, int(edgeShare*c.edge)-c.audio)
	}
	if next > c.target*11/10 {
		c.raisedAt, c.raisedFrom = now, c.target
		c.apply(next, "probe measured")
	}
}

// startProbe pads the stream by a step for probeLength: a share of the target, 50 kb/s at least,
// never past the ceiling.
func (c *controller) startProbe(now time.Duration) {
	step := max(50, int(float64(c.target)*c.probeGain))
	if c.returning(now) {
		// Back toward where the stream was before the fall: a failed probe stops within a tenth
		// of a second, and one the link carries only in part finds its edge.
		gain := stepReturnGain
		if c.wandering(now) {
			gain = returnGain
		}
		if c.bigProbe = !c.bigProbe; c.bigProbe || c.wandering(now) {
			step = max(step, min(int(gain*float64(c.target)), int(c.fellFrom)-c.target-c.audio))
		}
	}
	step = min(c.ceiling-c.target, step)
	if step <= 0 {
		return
	}
	c.pad = step
	length := probeLength
	if c.wandering(now) {
		length = returnProbeLength
	}
	c.probeStart, c.probeEnd, c.mode, c.probeDelay = now, now+length, modeProbing, c.lastDelay
	if n := len(c.history); n > 0 {
		c.probeWritten, c.probeBacklog = c.history[n-1].written, c.backlog()
	}
}
