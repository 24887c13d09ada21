package broadcast

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"onair/broadcast/localtest"
	"onair/rtmpout"
)

// destination is one platform's connection: its goroutine connects, reconnects and watches the
// link; the sender hands it the stream's packets, which it queues without ever making the sender
// (or another destination) wait.
type destination struct {
	s     *Session
	index int // 0: the first destination, whose state is the session's
	plan  destPlan
	log   *slog.Logger
	recv  *localtest.Receiver // OnAir's own receiver, when this is the Local test

	// The write path, under wmu: the sender writes, the goroutine swaps the connection.
	wmu sync.Mutex
	tl  timeline
	out *liveConn // nil while disconnected
	// lagging mirrors behind for the write path; gopPolicy is whether out has the whole-GOP drop
	// policy, and skipGOP whether the current GOP is being left out.
	lagging   atomic.Bool
	gopPolicy bool
	skipGOP   bool
	observed  time.Time // when the controller last saw the connection
	// padKbps is the controller's probe padding; padFrom the DTS it was last added up to, and
	// padBuf the frame with its padding.
	padKbps int
	padFrom time.Duration
	padBuf  []byte

	// Under the session's ctlMu: this link's controller, the video bitrate it asks for, and
	// whether it is left out of the shared rate because it cannot keep up.
	ctl    *controller
	wanted int
	behind bool

	// Owned by the goroutine.
	conn   *liveConn       // nil while disconnected
	failed <-chan struct{} // the live connection's failure; nil while disconnected
	// Attempts: one is current; an older one given up for a fresh one is cancelled, and its result
	// dropped when it comes.
	dialed      chan dialResult
	dialing     bool // the current attempt runs
	dialGen     int  // the current attempt's number
	outstanding int  // attempts whose result has not come yet
	dialStarted time.Time
	cancelDial  context.CancelFunc
	retry       <-chan time.Time // fires when the backoff wait is over; nil when none runs
	// The probe runs while disconnected: it tells when the server can be reached again.
	probed    chan bool
	stopProbe context.CancelFunc
	// lostAt is when the live connection was lost; protocolFailures counts attempts in a row that
	// met a server not speaking RTMP.
	lostAt           time.Time
	protocolFailures int
	gaveUp           bool // failed for good: no more attempts
	reconnectCh      chan struct{}
	end              chan struct{} // closed by the sender once every packet is written
	done             chan struct{} // closed when the goroutine has closed the connection

	// What snapshots read, under mu.
	mu          sync.Mutex
	state       State
	err         error // why it failed for good
	liveSince   time.Time
	reconnects  int
	attempt     int
	retryAt     time.Time
	prevTotals  totals        // counters of connections that ended
	live        *rtmpout.Conn // the live connection, nil while disconnected
	lastConnErr error         // why the last connection ended
	lostVideo   atomic.Uint64 // video frames lost while disconnected
}

func newDestination(s *Session, index int, p destPlan) *destination {
	d := &destination{s: s, index: index, plan: p, log: s.log, state: StateConnecting,
		dialed: make(chan dialResult, 4), probed: make(chan bool, 1), reconnectCh: make(chan struct{}, 1),
		end: make(chan struct{}), done: make(chan struct{})}
	if len(s.plan.Dests) > 1 {
		d.log = s.log.With("destination", p.name)
	}
	d.tl.waitKey = true
	d.tl.base.Store(-1)
	d.padFrom = -1
	d.ctl = newController(s.plan, func(kbps int) { s.wantRate(d, kbps) }, d.log)
	d.wanted = d.ctl.target
	return d
}

// run is the destination's goroutine: it ends once the sender has closed end and the connection
// is closed.
func (d *destination) run() {
	defer close(d.done)
	d.startDial()
	silent := time.NewTicker(silentObserveEvery)
	defer silent.Stop()
	for {
		select {
		case r := <-d.dialed:
			d.dialDone(r)
		case <-d.failed:
			d.connFailed()
		case <-d.retry:
			d.startDial()
		case <-d.reconnectCh:
			if d.conn == nil && !d.dialing && !d.gaveUp {
				d.startDial()
			}
		case cameBack := <-d.probed:
			d.serverReachable(cameBack)
		case now := <-silent.C:
			d.wmu.Lock()
			if now.Sub(d.observed) >= silentObserveEvery {
				d.observe(now)
			}
			d.wmu.Unlock()
		case <-d.end:
			d.finish()
			return
		}
	}
}

// finish waits for a dial in progress and closes the connection, flushing what is queued.
func (d *destination) finish() {
	s := d.s
	d.endProbe()
	limit := 5 * time.Second // a clean end flushes what is queued
	if s.ctx.Err() != nil {
		limit = time.Second // Stop is at once
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	if d.cancelDial != nil {
		d.cancelDial()
	}
	for d.outstanding > 0 { // leave no attempt behind
		r := <-d.dialed
		d.outstanding--
		if r.conn != nil {
			r.conn.Close(ctx)
		}
	}
	if d.conn != nil {
		d.conn.Close(ctx)
		d.endConn()
	}
	if d.recv != nil {
		d.recv.Stop()
	}
	d.mu.Lock()
	if d.state != StateFailed {
		d.state = StateStopped
	}
	d.mu.Unlock()
}

// setState moves the destination; the first destination's state is the session's.
func (d *destination) setState(st State) {
	d.mu.Lock()
	changed := d.state != st
	d.state = st
	if st == StateLive && d.liveSince.IsZero() {
		d.liveSince = time.Now()
	}
	d.mu.Unlock()
	if d.index == 0 {
		d.s.setState(st, nil)
	} else if changed {
		d.log.Info("state", "state", st)
		d.s.publish(false)
	}
}

// fail ends this destination for good. The stream goes on to the others; when none is left, the
// session fails with the first one's reason.
func (d *destination) fail(err error) {
	d.log.Error("destination failed", "err", err)
	d.gaveUp, d.retry = true, nil
	d.endProbe()
	d.mu.Lock()
	d.err = err
	d.mu.Unlock()
	d.setState(StateFailed)
	s := d.s
	s.ctlMu.Lock()
	s.shareRate()
	s.ctlMu.Unlock()
	for _, o := range s.dests {
		if o.failure() == nil {
			return
		}
	}
	s.fail(s.dests[0].failure())
}

// failure is why the destination failed for good, or nil.
func (d *destination) failure() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// write queues one packet for this destination.
func (d *destination) write(p packet) {
	d.wmu.Lock()
	defer d.wmu.Unlock()
	if now := time.Now(); now.Sub(d.observed) >= observeEvery {
		d.observe(now)
	}
	d.tl.write(d, p)
}

// setOut gives the write path its connection (nil: disconnected); a new connection starts on a
// keyframe.
func (d *destination) setOut(c *liveConn) {
	d.wmu.Lock()
	d.out, d.gopPolicy, d.skipGOP = c, false, false
	if c != nil {
		d.tl.waitKey = true
	}
	d.wmu.Unlock()
	d.mu.Lock()
	d.live = nil
	if c != nil {
		d.live = c.Conn
	}
	d.mu.Unlock()
}

// ReconnectNow skips the rest of every backoff wait.
func (s *Session) ReconnectNow() {
	for i := range s.dests {
		s.ReconnectDestination(i)
	}
}

// ReconnectDestination skips the rest of one destination's backoff wait (0 is the first).
func (s *Session) ReconnectDestination(i int) {
	if i < 0 || i >= len(s.dests) {
		return
	}
	select {
	case s.dests[i].reconnectCh <- struct{}{}:
	default:
	}
}
