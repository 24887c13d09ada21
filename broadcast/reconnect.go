package broadcast

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"time"

	"onair/rtmpout"
)

// Reconnect schedule: at once, then 1 s growing ×1.5 with ±10 % jitter, capped; a TCP probe every
// second notices the server's return sooner.
const (
	firstRetryDelay = time.Second
	maxRetryDelay   = 30 * time.Second
	maxAttempts     = 25
	probeEvery      = time.Second
)

// connFailed takes the live connection's failure: a reconnect at once, or the end.
func (snd *sender) connFailed() {
	s := snd.s
	err := snd.conn.Err()
	snd.endConn()
	snd.failed = nil
	if !rtmpout.Retryable(err) {
		s.fail(err)
		return
	}
	s.log.Warn("connection lost, reconnecting", "err", err)
	s.setError(err)
	snd.startDial() // the first retry is immediate
	s.bumpAttempt(0)
}

// isDrop reports whether err looks like a connection that was working going away, as opposed to
// a server that never answered: before the first success only the former is retried.
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

func (s *Session) bumpAttempt(wait time.Duration) {
	s.mu.Lock()
	s.attempt++
	s.retryAt = time.Now().Add(wait)
	s.mu.Unlock()
	s.setState(StateReconnecting, nil)
	s.publish(false)
}

func (s *Session) setError(err error) {
	s.mu.Lock()
	s.lastConnErr = err
	s.mu.Unlock()
}

// scheduleRetry waits on the backoff schedule and probes the server meanwhile.
func (s *Session) scheduleRetry() (<-chan time.Time, context.CancelFunc) {
	n := s.attemptCount()
	d := firstRetryDelay
	for i := 1; i < n; i++ {
		d = d * 3 / 2
	}
	d = min(d, maxRetryDelay)
	d = time.Duration(float64(d) * (0.9 + 0.2*rand.Float64()))
	s.bumpAttempt(d)
	ctx, cancel := context.WithCancel(s.ctx)
	go s.probe(ctx)
	return time.After(d), cancel
}

// probe dials TCP every second and asks for a reconnect as soon as the server accepts.
func (s *Session) probe(ctx context.Context) {
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		d := net.Dialer{Timeout: probeEvery}
		c, err := d.DialContext(ctx, "tcp", s.plan.Target.Addr())
		if err == nil {
			c.Close()
			s.ReconnectNow()
			return
		}
	}
}

// ReconnectNow skips the rest of the backoff wait.
func (s *Session) ReconnectNow() {
	select {
	case s.reconnectCh <- struct{}{}:
	default:
	}
}
