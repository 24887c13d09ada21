package broadcast

import (
	"sync"
	"time"

	"onair/rtmpout"
)

// subscribers fan snapshots out to readers; a slow reader misses snapshots rather than blocking
// the session.
type subscribers struct {
	mu     sync.Mutex
	chans  []chan Stats
	closed bool
	last   Stats
}

// Subscribe returns a channel of snapshots: the latest one at once, then one a second and one per
// state change, and the final one before the channel closes.
func (s *Session) Subscribe() <-chan Stats {
	ch := make(chan Stats, 64)
	s.subs.mu.Lock()
	defer s.subs.mu.Unlock()
	if s.subs.last.State != "" {
		ch <- s.subs.last
	}
	if s.subs.closed {
		close(ch)
		return ch
	}
	s.subs.chans = append(s.subs.chans, ch)
	return ch
}

// Snapshot returns the current stats.
func (s *Session) Snapshot() Stats { return s.snapshot(false) }

func (s *Session) publish(final bool) {
	st := s.snapshot(final)
	s.subs.mu.Lock()
	defer s.subs.mu.Unlock()
	if s.subs.closed {
		return
	}
	s.subs.last = st
	for _, ch := range s.subs.chans {
		select {
		case ch <- st:
		default:
		}
	}
	if final {
		s.subs.closed = true
		for _, ch := range s.subs.chans {
			close(ch)
		}
	}
}

// statsLoop publishes once a second, and the final snapshot when the session ends.
func (s *Session) statsLoop() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.publish(false)
		case <-s.senderDone:
			s.publish(true)
			return
		}
	}
}

func (s *Session) setConn(c *rtmpout.Conn) {
	s.mu.Lock()
	s.conn = c
	s.mu.Unlock()
}

func (s *Session) snapshot(final bool) Stats {
	now := time.Now()
	s.mu.Lock()
	st := Stats{
		T: now.Sub(s.started).Seconds(), State: s.state, Reconnects: s.reconnects, Attempt: s.attempt,
		Final: final, Warnings: s.plan.Warnings,
		FramesSent: s.prevTotals.videoSent, AudioSent: s.prevTotals.audioSent,
		FramesDropped: s.prevTotals.dropped, BytesSent: s.prevTotals.bytes,
	}
	if !s.liveSince.IsZero() {
		st.UptimeS = now.Sub(s.liveSince).Seconds()
	}
	offline := s.state == StateReconnecting || s.state == StateWaitingNetwork
	if offline && s.retryAt.After(now) {
		st.RetryInS = s.retryAt.Sub(now).Seconds()
	}
	st.Ended = s.endedBy
	errShown := s.err
	if errShown == nil && offline {
		errShown = s.lastConnErr
	}
	conn := s.conn
	s.mu.Unlock()
	if errShown != nil {
		st.Error, st.ErrorDetail = Explain(errShown)
	}
	if conn != nil {
		cs := conn.Stats()
		st.FramesSent += cs.VideoSent
		st.AudioSent += cs.AudioSent
		st.FramesDropped += cs.VideoDropped
		st.BytesSent += cs.SentBytes
		st.SentKbps = cs.SendRate1s / 1000
		st.KernelUnsent = cs.KernelUnsent
		s.ctlMu.Lock()
		st.QueueMS = s.ctl.currentDelay().Seconds() * 1000
		s.ctlMu.Unlock()
	}
	st.FramesDropped += s.lostVideo.Load()
	if s.venc != nil {
		vs := s.venc.Stats()
		st.TargetKbps, st.FramesSkipped, st.Encoder, st.EncoderPreset = vs.BitrateKbps, vs.Skipped, vs.Codec, vs.Preset
		st.EncoderThreads = vs.Threads
		st.EncodeFPS = float64(s.plan.FPS) / float64(max(1, vs.FrameDivisor))
	}
	st.LostDevices = s.src.lost()
	s.recordingStats(&st)
	if s.aenc != nil {
		st.AVOffsetMS = float64(s.aenc.Offset().Microseconds()) / 1000
	}
	if !final && s.mix != nil {
		first, second := s.mix.levels()
		st.MicDBFS = &first
		if s.src.audio2 != nil {
			st.DesktopDBFS = &second
		}
	}
	if !final {
		st.LatencyMS, st.LatencyP95MS = s.lat.take()
		st.AudioLatencyMS, _ = s.audioLat.take()
		s.mu.Lock()
		if !s.prevAt.IsZero() {
			st.FPS = float64(st.FramesSent-s.prevVideo) / now.Sub(s.prevAt).Seconds()
		}
		s.prevVideo, s.prevAt = st.FramesSent, now
		s.mu.Unlock()
	}
	return st
}
