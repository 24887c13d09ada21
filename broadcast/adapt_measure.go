package broadcast

import (
	"slices"
	"time"

	"onair/rtmpout"
)

// What the controller reads from its connection's counters: the rate the link delivers, the delay
// sending adds, and whether a probe's bytes got through.

// drainRate is the rate, in kb/s, the socket took bytes at over the last rateWindow.
func (c *controller) drainRate() float64 {
	first, last, ok := c.window()
	if d := last.t - first.t; ok && d > 100*time.Millisecond {
		return float64(last.bytes-first.bytes) * 8 / d.Seconds() / 1000
	}
	return 0
}

// window returns the oldest sample within rateWindow of the newest, and the newest; ok is false
// with fewer than two samples.
func (c *controller) window() (first, last sample, ok bool) {
	if len(c.history) < 2 {
		return sample{}, sample{}, false
	}
	last = c.history[len(c.history)-1]
	for _, s := range c.history {
		if last.t-s.t <= rateWindow {
			return s, last, true
		}
	}
	return last, last, true
}

// delay is what sending adds, with the kernel's bytes drained at the rate the link delivers them
// (from TCP acknowledgements): the rate written into the socket would hide the link's drop for as
// long as the socket's and the bottleneck's buffers keep taking bytes.
func (c *controller) delay(st rtmpout.Stats) time.Duration {
	rate := c.drainRate() * 1000 // bits/s
	if st.DeliveredBytes == 0 || rate <= 0 {
		rate = st.SendRate2s
	}
	return sendDelay(st, rate)
}

// sendDelay is the one definition of the delay sending adds: the media time in OnAir's queue plus
// the kernel's unsent bytes at rate bits/s (none counted when the rate is unknown).
func sendDelay(st rtmpout.Stats, rate float64) time.Duration {
	d := st.QueueDuration
	if rate > 0 {
		d += time.Duration(float64(st.KernelUnsent*8) / rate * float64(time.Second))
	}
	return d
}

// delivered is the byte count that measures the link: what TCP saw acknowledged where the OS
// says, else what was written.
func delivered(st rtmpout.Stats) uint64 {
	if st.DeliveredBytes > 0 {
		return st.DeliveredBytes
	}
	return st.SentBytes
}

// deliveredSince is the rate the link delivered at from since to the last sample, in kb/s.
func (c *controller) deliveredSince(since time.Duration) float64 {
	return c.rateSince(since, func(s sample) uint64 { return s.bytes })
}

// steadyRateSince is the link's rate, in kb/s, from since to the last sample, leaving a TCP stall
// out: the lower quartile of the rates between successive samples that delivered anything, the
// highest left out; 0 with fewer than four such samples. A stall delivers nothing, and the
// acknowledgements that end it cover at once all the link took meanwhile: over a span that begins
// in it, the rate reads far below or far above the link. (Low costs a probe; high, a second
// congestion.) Fewer samples can all be such acknowledgements.
func (c *controller) steadyRateSince(since time.Duration) float64 {
	var rates []float64
	for i := 1; i < len(c.history); i++ {
		if a, b := c.history[i-1], c.history[i]; a.t >= since && b.t > a.t && b.bytes > a.bytes {
			rates = append(rates, float64(b.bytes-a.bytes)*8/(b.t-a.t).Seconds()/1000)
		}
	}
	if len(rates) < 4 {
		return 0
	}
	slices.Sort(rates)
	rates = rates[:len(rates)-1]
	return rates[(len(rates)-1)/4]
}

// fallenLinkRate is the link's rate after a fall, in kb/s: the higher of the rate from when the
// backlog began to grow to the drain's end, and of the drain's with the stall left out. The link
// was full all along: acknowledgements a stall held back are in the first, and after a stall
// that left the link idle, TCP sends the rest of the backlog at the link's rate, the second.
func (c *controller) fallenLinkRate() float64 {
	return max(c.deliveredSince(c.grewSince), c.steadyRateSince(c.drainSince))
}

func (c *controller) rateSince(since time.Duration, count func(sample) uint64) float64 {
	if len(c.history) < 2 {
		return 0
	}
	last := c.history[len(c.history)-1]
	for _, s := range c.history {
		if s.t >= since && last.t-s.t >= 100*time.Millisecond {
			return float64(count(last)-count(s)) * 8 / (last.t - s.t).Seconds() / 1000
		}
	}
	return 0
}

// carried reports whether the link delivered what was written since the probe began: what piled
// up meanwhile must stay within 1.5 % of the bytes written, plus what a faster rate keeps in
// flight by itself (the padding over a round trip and 100 ms).
func (c *controller) carried() bool {
	piled, written := c.piled()
	inFlight := float64(c.pad) * 1000 / 8 * (c.minRTT + 100*time.Millisecond).Seconds()
	return written <= 0 || piled <= pileShare*written+inFlight
}

// piled is what piled up since the probe began (written, not yet acknowledged), and the bytes
// written meanwhile. The backlog is taken at its lowest over the last pileWindow, at the start and
// at the end: in-flight bytes swing by a frame or so as acknowledgements arrive, which is not a
// backlog.
func (c *controller) piled() (piled, written float64) {
	if len(c.history) == 0 {
		return 0, 0
	}
	written = float64(c.history[len(c.history)-1].written - c.probeWritten)
	return float64(c.backlog()) - float64(c.probeBacklog), written
}

// backlog is the smallest amount written but not delivered over the last pileWindow.
func (c *controller) backlog() uint64 {
	n := len(c.history)
	if n == 0 {
		return 0
	}
	least := c.history[n-1].written - c.history[n-1].bytes
	for i := n - 1; i >= 0 && c.history[n-1].t-c.history[i].t <= pileWindow; i-- {
		least = min(least, c.history[i].written-c.history[i].bytes)
	}
	return least
}
