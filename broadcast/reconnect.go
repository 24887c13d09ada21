package broadcast

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"time"

	"onair/rtmpout"
)

// Reconnect schedule: at once, then 1 s growing ×1.5 with ±10 % jitter, capped at 10 s so that a
// network that comes back is tried again soon. Meanwhile a TCP probe every second notices the
// server's return sooner still.
const (
	firstRetryDelay = time.Second
	maxRetryDelay   = 10 * time.Second
	probeEvery      = time.Second
	// busyGrace is how long after losing the connection a server's "already publishing" is taken
	// for OnAir's own old connection, which the server has not yet noticed is gone.
	busyGrace = 2 * time.Minute
	// protocolTries is how many attempts in a row may end with a server that does not speak RTMP.
	protocolTries = 2
	// staleDial is how old an attempt must be for the network's return to start a fresh one: it
	// may be waiting on a name look-up or a connection that was lost with the network.
	staleDial = time.Second
)

// connFailed takes the live connection's failure: a reconnect at once, or the end.
func (d *destination) connFailed() {
	err := d.conn.Err()
	d.endConn()
	d.failed = nil
	d.lostAt = time.Now()
	if rtmpout.Permanent(err) {
		d.fail(err)
		return
	}
	if errors.Is(err, rtmpout.ErrHandshake) {
		d.protocolFailures++
	}
	d.log.Warn("connection lost, reconnecting", "err", err)
	d.setError(err)
	d.startDial() // the first retry is immediate
	d.startProbe()
	d.bumpAttempt(0, StateReconnecting)
}

// dialFailed decides what a failed attempt leads to: another one after a wait, or the end.
func (d *destination) dialFailed(err error) {
	if errors.Is(err, rtmpout.ErrHandshake) {
		d.protocolFailures++
	}
	if giveUp := d.giveUp(err); giveUp != nil {
		d.fail(giveUp)
		return
	}
	d.setError(err)
	state := StateReconnecting
	if rtmpout.NetworkDown(err) {
		state = StateWaitingNetwork
	}
	d.retry = d.scheduleRetry(state)
	d.startProbe()
}

// giveUp returns the error that ends the stream after a failed attempt, or nil to try again.
// Before the stream was ever live, only a connection that dropped is tried again: anything else
// (a wrong name, a refused key, a server that never answered) is the user's to fix at once.
func (d *destination) giveUp(err error) error {
	switch {
	case rtmpout.Permanent(err):
		return err
	case !d.everLive():
		if !isDrop(err) {
			return err
		}
	case errors.Is(err, rtmpout.ErrStreamBusy) && time.Since(d.lostAt) > busyGrace:
		return err
	case d.protocolFailures >= protocolTries:
		return err
	}
	if max := d.s.plan.MaxAttempts; max > 0 && d.attemptCount() >= max {
		return err
	}
	return nil
}

// isDrop reports whether err looks like a connection that was working going away, as opposed to
// a server that never answered.
func isDrop(err error) bool {
	return errors.Is(err, rtmpout.ErrServerClosed) || errors.Is(err, rtmpout.ErrNetwork)
}

func (d *destination) everLive() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return !d.liveSince.IsZero()
}

func (d *destination) attemptCount() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.attempt
}

func (d *destination) bumpAttempt(wait time.Duration, state State) {
	d.mu.Lock()
	d.attempt++
	d.retryAt = time.Now().Add(wait)
	d.mu.Unlock()
	d.setState(state)
	d.s.publish(false)
}

func (d *destination) setError(err error) {
	d.mu.Lock()
	d.lastConnErr = err
	d.mu.Unlock()
}

// scheduleRetry starts the backoff wait and returns the channel that ends it.
func (d *destination) scheduleRetry(state State) <-chan time.Time {
	n := d.attemptCount()
	wait := firstRetryDelay
	for i := 1; i < n; i++ {
		wait = wait * 3 / 2
	}
	wait = min(wait, maxRetryDelay)
	wait = time.Duration(float64(wait) * (0.9 + 0.2*rand.Float64()))
	d.bumpAttempt(wait, state)
	return time.After(wait)
}

// startProbe starts a probe of the server unless one runs.
func (d *destination) startProbe() {
	if d.stopProbe != nil {
		return
	}
	ctx, cancel := context.WithCancel(d.s.ctx)
	d.stopProbe = cancel
	go d.s.probe(ctx, d.plan.target.Addr(), d.probed)
}

// endProbe stops the probe, if one runs.
func (d *destination) endProbe() {
	if d.stopProbe != nil {
		d.stopProbe()
		d.stopProbe = nil
	}
}

// probe dials TCP every second until the server accepts, then says whether it had been
// unreachable before (the network came back) on probed, and ends.
func (s *Session) probe(ctx context.Context, addr string, probed chan<- bool) {
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	failedOnce := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		dialer := net.Dialer{Timeout: probeEvery, Resolver: s.plan.Resolver}
		c, err := dialer.DialContext(ctx, "tcp", addr)
		if err != nil {
			failedOnce = true
			continue
		}
		c.Close()
		select {
		case probed <- failedOnce:
		case <-ctx.Done():
		}
		return
	}
}

// serverReachable acts on the probe's success: an attempt at once, or a fresh one in place of an
// attempt that began before the network came back.
func (d *destination) serverReachable(cameBack bool) {
	d.stopProbe = nil
	if d.conn != nil {
		return
	}
	switch {
	case !d.dialing:
		d.startDial()
	case cameBack && time.Since(d.dialStarted) > staleDial:
		d.log.Info("the network is back: a fresh attempt")
		d.startDial()
	}
}
