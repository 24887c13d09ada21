package broadcast

import "time"

// What the controller asks of its connection's kernel: how many bytes it may hold, and how fast it
// may send them.

// inFlightBudget is how many bytes the kernel may hold for the connection (rtmpout's
// LimitInFlight): what the link delivers in two round trips plus inFlightTime, enough to keep it
// busy and to let a probe through. A bottleneck's buffer then never holds more: when the link narrows
// TCP loses little and needs no retransmission timeout (before the cap the benchmark showed a
// second with nothing sent, then frames dropped), and the backlog waits in OnAir's queue, where
// it is measured exactly. 0 until the rate is known.
func (c *controller) inFlightBudget(minRTT time.Duration) int {
	rate := c.drainRate() // kb/s
	if rate <= 0 {
		return 0
	}
	// Two round trips: a probe may raise the rate before the budget follows, on any path.
	return max(minInFlight, int(rate*1000/8*(2*minRTT+inFlightTime).Seconds()))
}

// pacingRate is the rate, in bytes a second, the kernel is to send at most (rtmpout's
// LimitPacing): pacingShare over the most the stream means to send or the link delivered lately.
// Backlog then reaches the bottleneck a little faster than the link drains it, never in a burst
// at the line's rate. 0 until the rate is known.
func (c *controller) pacingRate() int {
	if !c.enabled || len(c.history) < 2 {
		return 0
	}
	rate := max(c.drainRate(), float64(max(c.target, c.settled())+c.audio+c.pad)) // kb/s
	return int(pacingShare * rate * 1000 / 8)
}
