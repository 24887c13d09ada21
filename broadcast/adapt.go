package broadcast

import (
	"log/slog"
	"time"

	"onair/rtmpout"
)

// The bitrate controller. It steers by the delay sending adds (OnAir's queue plus the kernel's
// unsent bytes, both measured by rtmpout) and by the rate the socket actually drains at:
//
//   - congestion: once the delay passes congestedDelay, the link's capacity is what the socket
//     drained since the queue began to grow (it was saturated all that time); the target drops to
//     drainShare of it (minus audio) until the backlog is gone, then settles at steadyShare of it.
//     One reaction, no staircase.
//   - probing: after a calm spell below the ceiling, the target rises; the probe succeeds only if
//     the socket then drains what the encoder makes, without delay building up. A failed probe
//     goes back to the last verified rate and the next one waits longer (×1.5), so a link that
//     stays narrow sees few probes; each success makes the next step bigger, to climb back fast
//     once the link returns.
//   - the user's bitrate is the ceiling; a manual change while live becomes the new ceiling at once.
const (
	congestedDelay = 200 * time.Millisecond
	drainedDelay   = 80 * time.Millisecond
	calmDelay      = 60 * time.Millisecond
	probeFailDelay = 150 * time.Millisecond
	drainShare     = 0.5
	steadyShare    = 0.9
	firstProbeWait = 6 * time.Second
	probeLength    = 1500 * time.Millisecond
	rateWindow     = 500 * time.Millisecond
)

type ctlMode int

const (
	modeSteady ctlMode = iota
	modeDraining
	modeProbing
)

// controller is driven by observe (twenty times a second) and sets the encoder's bitrate through
// set. It has no clock of its own: time comes in with each observation, so tests replay traces.
type controller struct {
	enabled   bool
	ceiling   int // kb/s: the user's choice
	floor     int // kb/s: below this the picture is not worth it
	audio     int // kb/s the audio takes on the link
	target    int // kb/s now
	set       func(kbps int)
	log       *slog.Logger
	mode      ctlMode
	capacity  float64 // kb/s measured at the last congestion, 0 if never
	steadyAt  int     // target to settle at after draining
	calmSince time.Duration
	probeWait time.Duration
	probeFrom int           // target before the probe
	verified  int           // the highest target the link has been seen to carry
	growSince sample        // when the queue last began to grow, and the bytes sent then
	probeEnd  time.Duration // when the probe is judged
	probeGain float64
	history   []sample // recent (time, bytes sent) for the drain rate
	downSteps int
}

type sample struct {
	t     time.Duration
	bytes uint64
}

func newController(p Plan, set func(int), log *slog.Logger) *controller {
	floor := max(250, p.VideoKbps*15/100)
	return &controller{enabled: p.Adaptive && set != nil, ceiling: p.VideoKbps, floor: min(floor, p.VideoKbps),
		audio: p.AudioKbps, target: p.VideoKbps, verified: p.VideoKbps, set: set, log: log, probeWait: firstProbeWait,
		probeGain: 0.15, calmSince: -1}
}

// setCeiling applies a manual bitrate change: it is the new ceiling at once.
func (c *controller) setCeiling(kbps int) {
	c.ceiling = kbps
	c.floor = min(c.floor, kbps)
	if !c.enabled || c.mode == modeSteady && c.capacity == 0 || kbps < c.target {
		c.apply(kbps, "manual change")
		c.mode = modeSteady
	}
}

// reconnected forgets the old connection's byte counts; the target stays where it was.
func (c *controller) reconnected() { c.history = c.history[:0] }

func (c *controller) apply(kbps int, why string) {
	kbps = max(c.floor, min(c.ceiling, kbps))
	if kbps == c.target {
		return
	}
	if kbps < c.target && why != "manual change" {
		c.downSteps++
	}
	if c.log != nil {
		c.log.Info("bitrate", "from_kbps", c.target, "to_kbps", kbps, "why", why)
	}
	c.target = kbps
	if c.set != nil {
		c.set(kbps)
	}
}

// drainRate is the rate, in kb/s, the socket took bytes at over the last rateWindow.
func (c *controller) drainRate(now time.Duration) float64 {
	if len(c.history) < 2 {
		return 0
	}
	last := c.history[len(c.history)-1]
	for _, s := range c.history {
		if last.t-s.t <= rateWindow {
			if d := last.t - s.t; d > 100*time.Millisecond {
				return float64(last.bytes-s.bytes) * 8 / d.Seconds() / 1000
			}
			return 0
		}
	}
	return 0
}

// observe takes one measurement.
func (c *controller) observe(now time.Duration, st rtmpout.Stats) {
	c.history = append(c.history, sample{now, st.SentBytes})
	if len(c.history) > 64 {
		c.history = append(c.history[:0], c.history[len(c.history)-40:]...)
	}
	if !c.enabled {
		return
	}
	delay := queueDelay(st)
	if delay < calmDelay {
		if c.calmSince < 0 {
			c.calmSince = now
		}
		c.growSince = sample{now, st.SentBytes}
	} else {
		c.calmSince = -1
	}

	switch c.mode {
	case modeSteady:
		if delay > congestedDelay {
			c.congested(now, st.SentBytes)
			return
		}
		if c.target < c.ceiling && c.calmSince >= 0 && now-c.calmSince >= c.probeWait {
			c.probeFrom, c.probeEnd, c.mode = c.target, now+probeLength, modeProbing
			c.apply(c.target+max(50, int(float64(c.target)*c.probeGain)), "probe")
		}
	case modeDraining:
		if delay > 3*congestedDelay && c.drainRate(now) > 0 && c.drainRate(now) < c.capacity*0.8 {
			c.growSince = sample{now - rateWindow, c.history[max(0, len(c.history)-11)].bytes}
			c.congested(now, st.SentBytes) // the link narrowed further
			return
		}
		if delay < drainedDelay {
			c.mode = modeSteady
			c.calmSince = now
			c.apply(c.steadyAt, "drained")
			c.verified = c.target
		}
	case modeProbing:
		// A probe fails when the delay grows, or, sooner and gentler, when the socket drains
		// slower than the encoder now produces: the link is full before any queue shows.
		full := now >= c.probeEnd && c.drainRate(now) < 0.99*float64(c.target+c.audio)
		if delay > probeFailDelay || full {
			c.mode = modeSteady
			c.probeWait = c.probeWait * 3 / 2
			c.probeGain = 0.15
			c.calmSince = -1
			c.apply(min(c.probeFrom, max(c.verified, c.floor)), "probe failed")
			return
		}
		if now >= c.probeEnd {
			c.verified = c.target
			c.mode = modeSteady
			c.probeWait = probeLength // the link has room: keep climbing
			c.probeGain = min(0.4, c.probeGain+0.1)
			c.calmSince = now - c.probeWait
			c.observeSteadyProbe(now)
		}
	}
}

// observeSteadyProbe starts the next probe at once after a successful one.
func (c *controller) observeSteadyProbe(now time.Duration) {
	if c.target < c.ceiling {
		c.probeFrom, c.probeEnd, c.mode = c.target, now+probeLength, modeProbing
		c.apply(c.target+max(50, int(float64(c.target)*c.probeGain)), "probe")
	}
}

func (c *controller) congested(now time.Duration, sent uint64) {
	span := now - c.growSince.t
	if span < 200*time.Millisecond || sent <= c.growSince.bytes {
		return // not enough to measure yet: the next observation decides
	}
	rate := float64(sent-c.growSince.bytes) * 8 / span.Seconds() / 1000
	c.capacity = rate
	c.steadyAt = int(steadyShare*rate) - c.audio
	c.mode = modeDraining
	c.calmSince = -1
	c.probeGain = 0.15
	c.verified = 0
	c.apply(int(drainShare*rate)-c.audio, "congestion")
}
