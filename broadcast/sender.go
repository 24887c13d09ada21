package broadcast

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync/atomic"
	"time"

	"onair/encoder"
	"onair/rtmpout"
)

// Reconnect schedule: at once, then 1 s growing ×1.5 with ±10 % jitter, capped; a TCP probe every
// second notices the server's return sooner.
const (
	firstRetryDelay = time.Second
	maxRetryDelay   = 30 * time.Second
	maxAttempts     = 25
	probeEvery      = time.Second
	// mergeWait is how long past its capture time a packet waits for the other stream before it
	// may go alone. AAC packets come out about 50 ms after their audio was captured (the encoder
	// looks one frame ahead); holding video back until then would add that to every frame's
	// latency, so video waits only this long and audio may follow it slightly out of order. A held
	// packet goes with the next packet to arrive once it has waited mergeWait; shorter than a
	// 30 fps frame interval, that is the next frame's. Only when nothing arrives does a timer send
	// it, mergeWait later still: a wake of its own costs an idle process about 0.15 ms of CPU here.
	mergeWait = 30 * time.Millisecond
	// observeEvery is how often the controller samples the connection; silentObserveEvery, how
	// often when no packet comes to trigger it.
	observeEvery       = 50 * time.Millisecond
	silentObserveEvery = 250 * time.Millisecond
)

type totals struct {
	videoSent, audioSent, dropped, bytes uint64
}

type dialResult struct {
	conn *rtmpout.Conn
	err  error
}

// ackTimeout is how long data may wait unacknowledged before the connection counts as dropped: a
// Wi-Fi that vanished sends no reset, and writes into the socket buffer still succeed.
const ackTimeout = 10 * time.Second

// link is the sender's view of the connection and its timeline.
type link struct {
	acked    uint64    // TCP-acknowledged bytes at the last progress
	progress time.Time // when they last grew
	conn     *rtmpout.Conn
	base     atomic.Int64 // session-clock DTS of the stream's first keyframe; -1 before it
	waitKey  bool         // drop video until a keyframe (after connecting)
	inFlight int          // the in-flight limit last given to conn; 0: none yet
}

// sender owns the connection: it connects, interleaves audio and video in time order, writes,
// reconnects, and closes at the end.
func (s *Session) sender() {
	defer close(s.sent)
	l := &link{waitKey: true}
	l.base.Store(-1)
	m := newMerger(s.video != nil, s.audio != nil)
	dialed := make(chan dialResult, 1)
	dialing := false
	var retry <-chan time.Time
	var probeStop context.CancelFunc
	startDial := func() {
		if probeStop != nil {
			probeStop()
			probeStop = nil
		}
		dialing, retry = true, nil
		go func() { c, err := s.dial(l); dialed <- dialResult{c, err} }()
	}
	startDial()
	// The connection is observed every observeEvery, when a packet comes through (it always does
	// while live); silent fires only when nothing came for silentObserveEvery. A 50 ms ticker of
	// its own woke a thread twenty times a second for nothing.
	silent := time.NewTimer(silentObserveEvery)
	defer silent.Stop()
	var observed time.Time
	held := time.NewTimer(time.Hour) // sends a held packet when no other packet came to take it along
	held.Stop()
	defer held.Stop()
	heldFor := time.Duration(-1)
	var failed <-chan struct{}
	var video <-chan encoder.Packet // nil when there is none: a nil channel is never ready
	if s.venc != nil {
		video = s.venc.Packets()
	}
	audio := s.audioOut
	stopping := s.ctx.Done()

	for video != nil || audio != nil || m.pending() {
		select {
		case p, ok := <-video:
			if !ok {
				video = nil
				m.ended(true)
			} else {
				m.push(packet{video: true, Packet: p})
			}
		case p, ok := <-audio:
			if !ok {
				audio = nil
				m.ended(false)
			} else {
				m.push(packet{Packet: p})
			}
		case <-silent.C: // observed below
		case <-held.C: // a packet waited long enough for the other stream: popped below
			heldFor = -1
		case r := <-dialed:
			dialing = false
			if s.ctx.Err() != nil {
				if r.conn != nil {
					r.conn.Close(context.Background())
				}
				continue
			}
			if r.err != nil {
				if !rtmpout.Retryable(r.err) || s.attemptCount() >= maxAttempts || !s.everLive() && !isDrop(r.err) {
					s.fail(r.err)
					continue
				}
				retry, probeStop = s.scheduleRetry()
				continue
			}
			l.conn, failed = r.conn, r.conn.Failed()
			l.inFlight = 0
			l.progress = time.Time{}
			s.ctlMu.Lock()
			s.ctl.reconnected()
			s.ctlMu.Unlock()
			l.waitKey = true
			s.setConn(r.conn)
			// The stream must start on a keyframe: ask for one unless one is already on its way
			// (the encoder's first frame is one).
			if s.venc != nil && !m.holdsKeyframe() && s.venc.Stats().Encoded > 0 {
				s.venc.ForceKeyframe()
			}
			s.mu.Lock()
			if s.attempt > 0 {
				s.reconnects++
			}
			s.attempt = 0
			s.mu.Unlock()
			s.setState(StateLive, nil)
		case <-failed:
			err := l.conn.Err()
			s.endConn(l)
			failed = nil
			if !rtmpout.Retryable(err) {
				s.fail(err)
				continue
			}
			s.log.Warn("connection lost, reconnecting", "err", err)
			s.setError(err)
			startDial() // the first retry is immediate
			s.bumpAttempt(0)
		case <-retry:
			startDial()
		case <-s.reconnectCh:
			if l.conn == nil && !dialing {
				startDial()
			}
		case <-stopping:
			// Stopping: keep draining (without writing) until the producers have closed their channels.
			stopping = nil
			m.flush()
		}
		if now := time.Now(); now.Sub(observed) >= observeEvery {
			observed = now
			silent.Reset(silentObserveEvery) // pushed back while packets come: it never fires then
			if l.conn != nil {
				s.observe(l)
			}
		}
		for {
			p, ok := m.pop(s.clock.Now())
			if !ok {
				break
			}
			if s.ctx.Err() == nil {
				s.write(l, p) // the connection copies what it queues
			}
			p.Release()
		}
		if due, ok := m.due(); ok && due != heldFor {
			heldFor = due
			held.Reset(time.Until(s.clock.At(due)))
		}
	}
	if probeStop != nil {
		probeStop()
	}
	for dialing { // do not leave a dial behind
		r := <-dialed
		dialing = false
		if r.conn != nil {
			l.conn = r.conn
		}
	}
	if l.conn != nil {
		limit := 5 * time.Second // a clean end flushes what is queued
		if s.ctx.Err() != nil {
			limit = time.Second // Stop is at once
		}
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		l.conn.Close(ctx)
		cancel()
		s.endConn(l)
	}
	if s.aenc != nil {
		s.aenc.Close()
	}
	if s.recv != nil {
		s.recv.Stop()
	}
	s.mu.Lock()
	err := s.err
	s.mu.Unlock()
	if err != nil {
		s.setState(StateFailed, nil)
	} else {
		s.setState(StateStopped, nil)
	}
}

// observe feeds the connection's counters to the controller, and applies what it decides.
func (s *Session) observe(l *link) {
	st := l.conn.Stats()
	s.ctlMu.Lock()
	s.ctl.observe(s.clock.Now(), st)
	budget := s.ctl.inFlightBudget(st.MinRTT)
	s.ctlMu.Unlock()
	l.limitInFlight(budget)
	l.watchAcks(st)
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
			select {
			case s.reconnectCh <- struct{}{}:
			default:
			}
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

func (s *Session) dial(l *link) (*rtmpout.Conn, error) {
	cfg := rtmpout.Config{
		Server: s.plan.serverURL(), Key: s.plan.Key, ExtraCAPEM: s.plan.ExtraCA, Logger: s.log,
		OnKeyframeNeeded: func() {
			if s.venc != nil {
				s.venc.ForceKeyframe()
			}
		},
		OnSent: func(video bool, dts time.Duration) {
			if b := l.base.Load(); b >= 0 {
				d := s.clock.Now() - time.Duration(b) - dts
				if video {
					s.lat.add(d)
				} else {
					s.audioLat.add(d)
				}
			}
		},
	}
	c, err := rtmpout.Dial(s.ctx, cfg)
	if err != nil {
		return nil, err
	}
	md := rtmpout.Metadata{Encoder: "OnAir", HasVideo: s.venc != nil, HasAudio: s.aenc != nil}
	if s.venc != nil {
		md.Width, md.Height, md.FrameRate, md.VideoKbps = s.plan.Width, s.plan.Height, float64(s.plan.FPS), s.plan.VideoKbps
	}
	if s.aenc != nil {
		info := s.audio.Info()
		md.AudioKbps, md.AudioSampleRate, md.AudioChannels = s.plan.AudioKbps, info.SampleRate, min(2, info.Channels)
	}
	err = c.WriteMetadata(md)
	if err == nil && s.venc != nil {
		err = c.WriteVideoConfig(s.venc.Config())
	}
	if err == nil && s.aenc != nil {
		err = c.WriteAudioConfig(s.aenc.Config())
	}
	if err != nil {
		c.Close(context.Background())
		return nil, fmt.Errorf("sending the stream headers: %w", err)
	}
	return c, nil
}

// limitInFlight passes the controller's in-flight budget to the connection when it moved by more
// than a tenth: a system call twenty times a second would be for nothing.
func (l *link) limitInFlight(budget int) {
	if budget <= 0 || l.inFlight > 0 && abs(budget-l.inFlight) < l.inFlight/10 {
		return
	}
	l.inFlight = budget
	l.conn.LimitInFlight(budget)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// watchAcks aborts a connection whose peer has acknowledged nothing for ackTimeout while data
// waits for it.
func (l *link) watchAcks(st rtmpout.Stats) {
	now := time.Now()
	if st.DeliveredBytes != l.acked || l.progress.IsZero() || st.KernelUnsent == 0 {
		l.acked, l.progress = st.DeliveredBytes, now
		return
	}
	if now.Sub(l.progress) > ackTimeout {
		l.conn.Abort(&rtmpout.Error{Kind: rtmpout.ErrTimeout, Detail: fmt.Sprintf("nothing acknowledged for %v", ackTimeout)})
	}
}

// write sends one packet on the stream's timeline, or counts it lost.
func (s *Session) write(l *link, p packet) {
	base := time.Duration(l.base.Load())
	if l.base.Load() < 0 {
		if l.conn == nil {
			return // the stream has not started yet
		}
		// The stream starts on a video keyframe (or the first audio when there is no video).
		if p.video && !p.Keyframe || !p.video && s.venc != nil {
			return
		}
		base = p.DTS
		l.base.Store(int64(base))
	}
	if p.DTS < base {
		return
	}
	if l.conn == nil {
		if p.video {
			s.lostVideo.Add(1)
		}
		return
	}
	if p.video && l.waitKey {
		if !p.Keyframe {
			s.lostVideo.Add(1)
			return
		}
		l.waitKey = false
	}
	f := rtmpout.Frame{DTS: p.DTS - base, PTS: p.PTS - base, Keyframe: p.Keyframe, Data: p.Data}
	if p.video {
		_ = l.conn.WriteVideo(f)
	} else if !l.waitKey || s.venc == nil {
		_ = l.conn.WriteAudio(f)
	}
}

// endConn adds a finished connection's counters to the session's totals.
func (s *Session) endConn(l *link) {
	st := l.conn.Stats()
	s.mu.Lock()
	s.prevTotals.videoSent += st.VideoSent
	s.prevTotals.audioSent += st.AudioSent
	s.prevTotals.dropped += st.VideoDropped
	s.prevTotals.bytes += st.SentBytes
	s.mu.Unlock()
	s.setConn(nil)
	l.conn = nil
}
