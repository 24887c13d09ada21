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
func (snd *sender) connFailed() {
	s := snd.s
	err := snd.conn.Err()
	snd.endConn()
	snd.failed = nil
	snd.lostAt = time.Now()
	if rtmpout.Permanent(err) {
		s.fail(err)
		return
	}
	if errors.Is(err, rtmpout.ErrHandshake) {
		snd.protocolFailures++
	}
	s.log.Warn("connection lost, reconnecting", "err", err)
	s.setError(err)
	snd.startDial() // the first retry is immediate
	snd.startProbe()
	s.bumpAttempt(0, StateReconnecting)
}

// dialFailed decides what a failed attempt leads to: another one after a wait, or the end.
func (snd *sender) dialFailed(err error) {
	s := snd.s
	if errors.Is(err, rtmpout.ErrHandshake) {
		snd.protocolFailures++
	}
	if giveUp := snd.giveUp(err); giveUp != nil {
		s.fail(giveUp)
		return
	}
	s.setError(err)
	state := StateReconnecting
	if rtmpout.NetworkDown(err) {
		state = StateWaitingNetwork
	}
	snd.retry = s.scheduleRetry(state)
	snd.startProbe()
}

// giveUp returns the error that ends the stream after a failed attempt, or nil to try again.
// Before the stream was ever live, only a connection that dropped is tried again: anything else
// (a wrong name, a refused key, a server that never answered) is the user's to fix at once.
func (snd *sender) giveUp(err error) error {
	s := snd.s
	switch {
	case rtmpout.Permanent(err):
		return err
	case !s.everLive():
		if !isDrop(err) {
			return err
		}
	case errors.Is(err, rtmpout.ErrStreamBusy) && time.Since(snd.lostAt) > busyGrace:
		return err
	case snd.protocolFailures >= protocolTries:
		return err
	}
	if max := s.plan.MaxAttempts; max > 0 && s.attemptCount() >= max {
		return err
	}
	return nil
}

// isDrop reports whether err looks like a connection that was working going away, as opposed to
// a server that never answered.
func isDrop(err error) bool {
	return errors.Is(err, rtmpout.ErrServerClosed) || errors.Is(err, rtmpout.ErrNetwork)
}

func (s *Session) everLive() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.liveSince.IsZero()
}

func (s *Session) attemptCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempt
}

func (s *Session) bumpAttempt(wait time.Duration, state State) {
	s.mu.Lock()
	s.attempt++
	s.retryAt = time.Now().Add(wait)
	s.mu.Unlock()
	s.setState(state, nil)
	s.publish(false)
}

func (s *Session) setError(err error) {
	s.mu.Lock()
	s.lastConnErr = err
	s.mu.Unlock()
}

// scheduleRetry starts the backoff wait and returns the channel that ends it.
func (s *Session) scheduleRetry(state State) <-chan time.Time {
	n := s.attemptCount()
	d := firstRetryDelay
	for i := 1; i < n; i++ {
		d = d * 3 / 2
	}
	d = min(d, maxRetryDelay)
	d = time.Duration(float64(d) * (0.9 + 0.2*rand.Float64()))
	s.bumpAttempt(d, state)
	return time.After(d)
}

// startProbe starts a probe of the server unless one runs.
func (snd *sender) startProbe() {
	if snd.stopProbe != nil {
		return
	}
	ctx, cancel := context.WithCancel(snd.s.ctx)
	snd.stopProbe = cancel
	go snd.s.probe(ctx, snd.probed)
}

// endProbe stops the probe, if one runs.
func (snd *sender) endProbe() {
	if snd.stopProbe != nil {
		snd.stopProbe()
		snd.stopProbe = nil
	}
}

// probe dials TCP every second until the server accepts, then says whether it had been
// unreachable before (the network came back) on probed, and ends.
func (s *Session) probe(ctx context.Context, probed chan<- bool) {
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	failedOnce := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		d := net.Dialer{Timeout: probeEvery, Resolver: s.plan.Resolver}
		c, err := d.DialContext(ctx, "tcp", s.plan.Target.Addr())
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
func (snd *sender) serverReachable(cameBack bool) {
	snd.stopProbe = nil
	if snd.conn != nil {
		return
	}
	switch {
	case !snd.dialing:
		snd.startDial()
	case cameBack && time.Since(snd.dialStarted) > staleDial:
		snd.s.log.Info("the network is back: a fresh attempt")
		snd.startDial()
	}
}

// ReconnectNow skips the rest of the backoff wait.
func (s *Session) ReconnectNow() {
	select {
	case s.reconnectCh <- struct{}{}:
	default:
	}
}
