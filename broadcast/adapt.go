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
//     what clears the backlog within a second (at least drainShare of it, minus audio) until the
//     backlog is gone, then settles at steadyShare of what the link delivered while draining (a
//     TCP stall after a loss measures low at first), no more than before. One reaction, no
//     staircase. A fall so far that the backlog would take over maxDrain to send drops the queued
//     video at once, to a fresh keyframe.
//   - probing: after a calm spell below the ceiling, the connection pads the stream (H.264 filler,
//     which players skip) by a step for probeLength; the picture's bitrate rises by that step only
//     if the link carried it, without delay building up. A padding probe that fails stops at once:
//     it cost a little delay and no picture. Each success makes the next step bigger, to climb back
//     fast once the link returns; each failure, or a probe the link carried only in part (its
//     edge, found), makes the next one smaller and later. After a fall to under fellShare, every
//     other probe is big, to find the link's return within seconds, and stops at a smaller delay;
//     once one found it, the climb's probes are shorter, and an encoder short of its rate (opened
//     again at another size) does not shorten the raise. On a link that fell again after it had
//     come back (Wi-Fi, whose good spells last seconds), every probe aims all the way back, once a
//     second, and no edge holds. A probe that failed still measured the link, which was full from
//     its start.
//   - the user's bitrate is the ceiling; a manual change while live becomes the new ceiling at once.
//   - below 1 Mb/s the audio steps down too (audioRung), so that the whole stream fits.
const (
	congestedDelay = 200 * time.Millisecond
	drainedDelay   = 80 * time.Millisecond
	calmDelay      = 60 * time.Millisecond
	probeFailDelay = 120 * time.Millisecond
	drainShare     = 0.5
	steadyShare    = 0.9
	firstProbeWait = time.Second
	maxProbeWait   = 3 * time.Second
	climbWait      = 300 * time.Millisecond // after a probe that succeeded
	probeLength    = 600 * time.Millisecond
	rateWindow     = 500 * time.Millisecond
	stuckAfter     = 3 * time.Second
	inFlightTime   = 40 * time.Millisecond
	pacingShare    = 1.5
	minInFlight    = 32 << 10
	// raiseWatch is how long after a raise congestion counts against it (a failed raise), unless
	// the raise returned to where the link was before it fell and the link delivered it over a
	// rateWindow from raiseFollow on (the encoder has followed by then); edgeMemory how long
	// raises then stay under edgeShare of where it failed.
	raiseWatch  = 3 * time.Second
	raiseFollow = 400 * time.Millisecond
	edgeMemory  = 30 * time.Second
	edgeShare   = 0.95
	// videoFloor is the least video bitrate adaptation goes to: a small picture at a low frame
	// rate still moves there.
	videoFloor = 120
	pileWindow = 300 * time.Millisecond
	// pileShare of the bytes written over a probe may pile up (written, not delivered) before the
	// link counts as not having delivered them (see carried).
	pileShare = 0.015
	// minProbeGain keeps probes after many failures big enough to climb back within seconds when
	// the link returns.
	minProbeGain = 0.05
	// After a fall to under fellShare of the rate, for fallMemory, every other probe is
	// stepReturnGain of the target at least (no more than back to where it was), and probes come
	// every stepReturnWait at most: the small ones still find a narrow link's edge. Once a probe
	// carried, those of the climb last returnProbeLength. On a link that fell again after it had
	// come back (Wi-Fi), every probe aims back where it was, lasts returnProbeLength and begins
	// returnProbeWait after the last one began: its good spells last seconds.
	fallMemory        = 60 * time.Second
	stepReturnGain    = 0.5
	stepReturnWait    = 1500 * time.Millisecond
	returnProbeWait   = time.Second
	returnProbeLength = 400 * time.Millisecond
	fellShare         = 0.7
	nearlyBack        = 0.75 // a big return probe that would reach that share of it goes all the way
	// A big return probe fails at returnFailDelay (see startProbe).
	returnFailDelay = 50 * time.Millisecond
	// maxDrain: a backlog the link takes longer than that to send after congestion would arrive
	// that late: its video is dropped at once, up to a fresh keyframe.
	maxDrain = time.Second
	// resizeSettle is how long after a size change probes wait: the encoder, opened again, makes
	// less than its rate for a moment.
	resizeSettle = 500 * time.Millisecond
	// A congestion within repeatWithin of the last settles at repeatShare of the rate before it.
	repeatWithin = 5 * time.Second
	repeatShare  = 0.95
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
	enabled      bool
	ceiling      int           // kb/s: the user's choice
	floor        int           // kb/s: below this the picture is not worth it
	audio        int           // kb/s the audio takes on the link now
	audioChosen  int           // kb/s of audio the user chose
	pad          int           // kb/s of padding the connection adds while a probe runs
	minRTT       time.Duration // the connection's, as last seen
	raisedAt     time.Duration // when the target last rose on a probe's word; -1: not lately
	raisedFrom   int           // and the target it rose from, which the link had carried
	target       int           // kb/s now
	set          func(kbps int)
	log          *slog.Logger
	mode         ctlMode
	capacity     float64 // kb/s measured at the last congestion, 0 if never
	steadyAt     int     // target to settle at after draining
	calmSince    time.Duration
	probeWait    time.Duration
	growSince    sample        // when the queue last began to grow, and the bytes sent then
	probeStart   time.Duration // when the last probe began
	probeEnd     time.Duration // when the probe is judged
	probeDelay   time.Duration // the delay when the probe began
	failDelay    time.Duration // and the delay it may add
	probeGain    float64
	probeWritten uint64   // the bytes written when the probe began
	probeBacklog uint64   // and the backlog then
	history      []sample // recent (time, bytes delivered) for the drain rate
	lastDelay    time.Duration
	// drainSince and drainDelay: when draining began, and the delay then.
	drainSince time.Duration
	drainDelay time.Duration
	drainPeak  time.Duration // the highest delay since
	grewSince  time.Duration // when the backlog the last congestion first met began to grow
	// before is what the stream carried (video and audio, kb/s) before the congestion, or before
	// the raise it followed.
	before      float64
	congestedAt time.Duration // when the last congestion began
	fell        bool          // the last congestion dropped the queued video
	// edge is the rate (video and audio, kb/s) a raise failed at, remembered until edgeUntil: on a
	// link with a shallow buffer, running close to its rate loses packets on every keyframe, so
	// raises stay clear of that edge until a probe shows the link wider.
	edge      float64
	edgeUntil time.Duration
	// fellFrom is what the stream carried (video and audio, kb/s) before the link last fell below
	// fellShare of it, remembered until fellUntil: links come back (a train leaves the tunnel), and
	// until then probes are bigger and more frequent, to be back within seconds.
	fellFrom  float64
	fellUntil time.Duration
	bigProbe  bool
	// wanderUntil: the link fell again after it had come back, and probes look for its return
	// every second until then.
	wanderUntil time.Duration
	resizedAt   time.Duration // when the picture's size last changed (resized)
	// skipStall, when set, asks the connection to drop its queued video (takeSkip).
	skipStall time.Duration
	// failedProbes counts raises the link then did not carry, failedPads padding probes it did
	// not carry (the bench's and the tests' measures).
	failedProbes, failedPads int
}

type sample struct {
	t       time.Duration
	bytes   uint64 // delivered across the link
	written uint64 // written into the socket
}

func newController(p Plan, set func(int), log *slog.Logger) *controller {
	return &controller{enabled: p.Adaptive && set != nil, ceiling: p.VideoKbps, floor: min(videoFloor, p.VideoKbps),
		audio: p.AudioKbps, audioChosen: p.AudioKbps, target: p.VideoKbps, set: set, log: log,
		probeWait: firstProbeWait, probeGain: 0.15, calmSince: -1, raisedAt: -1, resizedAt: -resizeSettle,
		congestedAt: -repeatWithin}
}

// setCeiling applies a manual bitrate change: it is the new ceiling at once. The floor stays: a
// low number typed on the way to a higher one must not let adaptation go that low for good.
func (c *controller) setCeiling(kbps int) {
	c.ceiling = kbps
	if !c.enabled || c.mode == modeSteady && c.capacity == 0 || kbps < c.target {
		c.apply(kbps, "manual change")
		c.mode = modeSteady
	}
}

// reconnected forgets the old connection's byte counts; the target stays where it was.
func (c *controller) reconnected() { c.history, c.lastDelay = c.history[:0], 0 }

// currentDelay is the last delay measured (the stats' queue_ms).
func (c *controller) currentDelay() time.Duration { return c.lastDelay }

// bounded keeps a rate between the floor and the user's ceiling.
func (c *controller) bounded(kbps int) int { return max(min(c.floor, c.ceiling), min(c.ceiling, kbps)) }

func (c *controller) apply(kbps int, why string) {
	audio := audioRung(c.bounded(kbps), c.audioChosen, c.audio)
	if audio > c.audio {
		// The link was shown room for the whole stream: sound stepping back up takes its share
		// from the picture, or the total would rise past what was probed.
		kbps -= audio - c.audio
	}
	kbps = c.bounded(kbps)
	c.audio = audio
	if kbps == c.target {
		return
	}
	if c.log != nil {
		c.log.Info("bitrate", "from_kbps", c.target, "to_kbps", kbps, "why", why)
	}
	c.target = kbps
	if c.set != nil {
		c.set(kbps)
	}
}

// observe takes one measurement.
func (c *controller) observe(now time.Duration, st rtmpout.Stats) {
	c.history = append(c.history, sample{now, delivered(st), st.SentBytes})
	c.minRTT = st.MinRTT
	if len(c.history) > 64 {
		c.history = append(c.history[:0], c.history[len(c.history)-40:]...)
	}
	delay := c.delay(st)
	c.lastDelay = delay
	if !c.enabled {
		return
	}
	if first, _, ok := c.window(); ok && c.raisedAt >= 0 && first.t >= c.raisedAt+raiseFollow &&
		now < c.fellUntil && !c.returning(now) && c.drainRate() >= float64(c.target+c.audio) {
		// The stream is back where the link was before it fell, and the link carried it: if it
		// falls again now, it wanders (Wi-Fi), and the raise did not fail. (Below that, on a
		// shallow buffer, a raise the link carries for a while still loses keyframes.)
		c.raisedAt = -1
	}
	if delay < calmDelay {
		if c.calmSince < 0 {
			c.calmSince = now
		}
		c.growSince = sample{t: now, bytes: delivered(st)}
	} else {
		c.calmSince = -1
	}

	switch c.mode {
	case modeSteady:
		if delay > congestedDelay {
			c.congested(now, st)
			return
		}
		due := c.calmSince >= 0 && now-c.calmSince >= c.probeWait
		switch {
		case c.wandering(now):
			// A second after the last probe began, once calm: a failed probe's backlog drains
			// slowly at 90 % of the link, and the link's return must not wait for that and more.
			due = c.calmSince >= 0 && now-c.calmSince >= climbWait && now-c.probeStart >= returnProbeWait
		case c.returning(now):
			due = c.calmSince >= 0 && now-c.calmSince >= min(c.probeWait, stepReturnWait)
		}
		if c.target < c.ceiling && due && now-c.resizedAt >= resizeSettle {
			c.startProbe(now)
		}
	case modeDraining:
		// A backlog that does not shrink within stuckAfter means the rate is still above the
		// link's (it narrowed further, or the last estimate was off): measure again.
		// A backlog that still grows by a tenth of a second once the lowered rate has reached the
		// link (the encoder follows within a second): the link narrowed again.
		// (At a new peak: the backlog the encoder's lag adds right after the cut is no regrowth.)
		c.drainPeak = max(c.drainPeak, delay)
		// The encoder makes the old rate for a moment after the cut: the backlog can grow past
		// what is worth waiting for after the congestion was measured.
		c.considerSkip(st, c.capacity)
		regrew := now-c.drainSince > time.Second && delay >= c.drainPeak && delay > c.drainDelay+100*time.Millisecond && delay > congestedDelay
		if now-c.drainSince > stuckAfter && delay > congestedDelay && delay > c.drainDelay*8/10 || regrew {
			c.growSince = c.history[max(0, len(c.history)-11)]
			c.congested(now, st)
			return
		}
		if delay < drainedDelay {
			c.mode = modeSteady
			c.calmSince = now
			if !c.fell {
				shown := c.deliveredSince(c.drainSince)
				if shown == 0 { // drained within an observation or two: TCP's recovery acknowledged it at once
					shown = c.drainRate()
				}
				if shown > 0 {
					// The link was full all through the drain: what it delivered is its rate, better
					// measured than at the congestion, which a TCP stall after a loss (a shallow
					// buffer loses a keyframe's tail) reads as a link near zero. No more than before.
					c.steadyAt = min(int(steadyShare*shown), int(c.before)) - c.audio
				}
			} else if link := c.fallenLinkRate(); link > 0 {
				// After a fall, the kernel's backlog drained at the link's rate: a TCP stall at the
				// fall reads as a link near zero at the congestion.
				c.steadyAt = max(c.steadyAt, min(int(steadyShare*link), int(c.before))-c.audio)
			}
			c.apply(c.steadyAt, "drained")
			if c.capacity == 0 {
				c.capacity = float64(c.target + c.audio)
			}
		}
	case modeProbing:
		if c.resizedAt > c.probeStart {
			// The encoder opened again at another size meanwhile and makes less for a while: the
			// probe shows nothing about the link. Another soon.
			c.pad, c.mode, c.calmSince, c.probeWait = 0, modeSteady, now, climbWait
			return
		}
		// A padding probe fails when the delay grows: past probeFailDelay at any time, or by a
		// tenth of a second over the probe (a full link shows as a rising queue before a long
		// one), and, at its end, unless the link delivered (nearly) all that was written meanwhile:
		// on a full link the difference piles up in the socket and the bottleneck's buffer.
		end := now >= c.probeEnd
		rising := end && delay > c.probeDelay+100*time.Millisecond
		if delay > max(c.failDelay, c.probeDelay+c.failDelay) || rising || end && !c.carried() {
			c.pad = 0
			c.failedPads++
			c.probeWait = min(maxProbeWait, c.probeWait*3/2)
			c.probeGain = max(minProbeGain, c.probeGain/3)
			c.calmSince = -1
			c.mode = modeSteady
			c.measuredByProbe(now)
			return
		}
		if end {
			// Rise by the padding, to no more than 95 % of what the link delivered meanwhile: a
			// deep bottleneck buffer can take a probe a little over the link's rate for a while,
			// but not deliver it faster than the link goes.
			shown := c.deliveredSince(c.probeStart + rateWindow/5)
			next := c.target + c.pad // delivered in full: the link has that room
			piled, written := c.piled()
			edgeFound := piled > pileShare*written // the link delivered less than was written
			// Short of what was asked, on the way back after a fall, only because the encoder
			// (opened again at another size) made less: the link delivered all of it.
			full := shown >= 0.97*float64(c.target+c.audio+c.pad) || c.returning(now) && !edgeFound
			if !full {
				next = int(0.95*shown) - c.audio // the link's edge, found
			}
			if c.atEdge(now) {
				if shown > 1.05*c.edge {
					c.edgeUntil = 0 // wider than where a raise failed: forget it
				} else {
					next = min(next, int(edgeShare*c.edge)-c.audio)
				}
			}
			c.pad = 0
			c.mode = modeSteady
			c.calmSince = now
			if next <= c.target {
				if full { // carried, but too small to show the link wider than its edge: a bigger one soon
					c.probeWait = climbWait
					c.probeGain = min(1, max(0.5, c.probeGain*5/2))
				} else {
					c.failedPads++
					c.probeWait = min(maxProbeWait, c.probeWait*3/2)
					c.probeGain = max(minProbeGain, c.probeGain/3)
				}
				return
			}
			c.raisedAt, c.raisedFrom = now, c.target
			c.apply(next, "probe carried")
			c.capacity = max(c.capacity, float64(c.target+c.audio))
			c.calmSince = now
			if !full && edgeFound {
				// At the edge found (the link delivered less than was written, not only less
				// than the encoder was asked for): a big probe right after would overrun a
				// shallow buffer, and TCP's losses then undo the raise. (Not a burst in flight at
				// the probe's end: the climb back would wait for nothing.)
				c.probeWait = maxProbeWait
				c.probeGain = max(minProbeGain, c.probeGain/3)
				return
			}
			c.probeWait = climbWait // the link has room: keep climbing
			c.probeGain = min(1, max(0.5, c.probeGain*5/2))
		}
	}
}

// resized tells the controller the picture's size changed at now.
func (c *controller) resized(now time.Duration) { c.resizedAt = now }

// padKbps is the padding the connection is to add now.
func (c *controller) padKbps() int { return c.pad }
