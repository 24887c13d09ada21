package broadcast

import (
	"fmt"
	"time"

	"onair/rtmpout"
)

const (
	// observeEvery is how often the controller samples the connection; silentObserveEvery, how
	// often when no packet comes to trigger it.
	observeEvery       = 50 * time.Millisecond
	silentObserveEvery = 250 * time.Millisecond
	// ackTimeout is how long data may wait unacknowledged before the connection counts as dropped:
	// a Wi-Fi that vanished sends no reset, and writes into the socket buffer still succeed.
	ackTimeout = 10 * time.Second
)

// liveConn is the sender's connection and what it watches on it.
type liveConn struct {
	*rtmpout.Conn
	acked    uint64    // TCP-acknowledged bytes at the last progress
	progress time.Time // when they last grew
	inFlight int       // the in-flight limit last given to the connection; 0: none yet
	pacing   int       // and the pacing cap, bytes/s
	// videoConfig is the video configuration (SPS, PPS) last sent on it: a keyframe with another
	// (the picture's size changed) is preceded by a new sequence header.
	videoConfig []byte
}

// observe feeds the connection's counters to the controller, and applies what it decides (under
// wmu). The sender's packets trigger it as they pass, every observeEvery; the destination's
// goroutine only when none came for silentObserveEvery: a ticker would wake it for nothing.
func (d *destination) observe(now time.Time) {
	s, c := d.s, d.out
	if c == nil {
		return
	}
	d.observed = now
	st := c.Stats()
	s.ctlMu.Lock()
	d.ctl.observe(s.clock.Now(), st)
	budget := d.ctl.inFlightBudget(st.MinRTT)
	pacing := d.ctl.pacingRate()
	d.padKbps = d.ctl.padKbps()
	skip, stall := d.ctl.takeSkip()
	s.ctlMu.Unlock()
	if skip {
		d.log.Info("the link fell: queued video dropped, to a new keyframe", "stall_ms", stall.Milliseconds())
		c.SkipToKeyframe(stall)
	}
	c.limitInFlight(budget)
	c.limitPacing(pacing)
	c.watchAcks(st)
}

// limitInFlight passes the controller's in-flight budget to the connection when it moved (see
// movedByATenth).
func (c *liveConn) limitInFlight(budget int) {
	if movedByATenth(&c.inFlight, budget) {
		c.LimitInFlight(budget)
	}
}

// limitPacing passes the controller's pacing cap to the connection when it moved.
func (c *liveConn) limitPacing(bytesPerSecond int) {
	if movedByATenth(&c.pacing, bytesPerSecond) {
		c.LimitPacing(bytesPerSecond)
	}
}

// movedByATenth reports whether a limit (0 or less: none yet) differs from the one last given, in
// *last (0: none given), by a tenth or more, and keeps it then: a system call twenty times a second
// would be for nothing.
func movedByATenth(last *int, limit int) bool {
	if limit <= 0 || *last > 0 && abs(limit-*last) < *last/10 {
		return false
	}
	*last = limit
	return true
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// watchAcks aborts a connection whose peer has acknowledged nothing for ackTimeout while data
// waits for it.
func (c *liveConn) watchAcks(st rtmpout.Stats) {
	now := time.Now()
	if st.DeliveredBytes != c.acked || c.progress.IsZero() || st.KernelUnsent == 0 {
		c.acked, c.progress = st.DeliveredBytes, now
		return
	}
	if now.Sub(c.progress) > ackTimeout {
		c.Abort(&rtmpout.Error{Kind: rtmpout.ErrTimeout, Detail: fmt.Sprintf("nothing acknowledged for %v", ackTimeout)})
	}
}

// endConn adds a finished connection's counters to the session's totals.
func (d *destination) endConn() {
	st := d.conn.Stats()
	d.setOut(nil)
	d.mu.Lock()
	d.prevTotals.videoSent += st.VideoSent
	d.prevTotals.audioSent += st.AudioSent
	d.prevTotals.dropped += st.VideoDropped
	d.prevTotals.bytes += st.SentBytes
	d.mu.Unlock()
	d.conn = nil
	d.s.ctlMu.Lock()
	d.s.shareRate()
	d.s.ctlMu.Unlock()
}
