package broadcast

import "time"

// How a probe begins, and what one the link did not carry still shows.

// measuredByProbe raises the stream after a probe the link did not carry, to 90 % of what the link
// delivered meanwhile (it was full from the probe's start on: that is its rate), when that is a
// tenth more than now: a raise that fails holds the rate under its edge for edgeMemory. (A
// return probe that aims all the way back fails at once on a narrow link, and the smaller steps
// that would find the edge never come.)
func (c *controller) measuredByProbe(now time.Duration) {
	next := int(steadyShare*c.deliveredSince(c.probeStart)) - c.audio // (one aiming all the way back fails within 200 ms)
	if c.atEdge(now) {
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
	c.failDelay = probeFailDelay
	if c.returning(now) {
		// Back toward where the stream was before the fall: a failed probe stops within a tenth
		// of a second, and one the link carries only in part finds its edge.
		back := int(c.fellFrom) - c.target - c.audio
		switch c.bigProbe = !c.bigProbe; {
		case c.wandering(now):
			step = max(step, back) // its good spells are short: all the way back at once
		case c.bigProbe:
			step = max(step, min(int(stepReturnGain*float64(c.target)), back))
			if float64(c.target+step+c.audio) >= nearlyBack*c.fellFrom {
				step = back // one raise back instead of two, the last one a normal probe on a busy link
			}
			// It looks for the link's return, far wider, which carries it with no delay. Past a
			// shallow buffer's depth, TCP would lose packets and stall. (A wandering link's
			// probes aim at its good level, near the link: they would fail on a frame's jitter.)
			c.failDelay = returnFailDelay
		}
	}
	step = min(c.ceiling-c.target, step)
	if step <= 0 {
		return
	}
	c.pad = step
	length := probeLength
	if c.wandering(now) || c.returning(now) && c.probeWait == climbWait {
		length = returnProbeLength
	}
	c.probeStart, c.probeEnd, c.mode, c.probeDelay = now, now+length, modeProbing, c.lastDelay
	if n := len(c.history); n > 0 {
		c.probeWritten, c.probeBacklog = c.history[n-1].written, c.backlog()
	}
}

// atEdge reports whether raises stay under edgeShare of where one failed. Not on a wandering link:
// its rate changes within seconds, and an edge met there would cap every return under it.
func (c *controller) atEdge(now time.Duration) bool { return now < c.edgeUntil && now >= c.wanderUntil }
