package broadcast

import (
	"sync"
	"time"
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

func (s *Session) snapshot(final bool) Stats {
	now := time.Now()
	s.mu.Lock()
	st := Stats{
		T: now.Sub(s.started).Seconds(), State: s.state, Final: final, Warnings: s.plan.Warnings, Ended: s.endedBy,
	}
	err := s.err
	s.mu.Unlock()
	for i, d := range s.dests {
		ds := d.snapshot(now)
		st.Destinations = append(st.Destinations, ds.DestinationStats)
		if i == 0 { // the top-level fields are the first destination's
			st.Reconnects, st.Attempt, st.RetryInS = ds.Reconnects, ds.attempt, ds.RetryInS
			st.FramesSent, st.AudioSent, st.FramesDropped, st.BytesSent = ds.FramesSent, ds.audioSent, ds.FramesDropped, ds.bytes
			st.SentKbps, st.KernelUnsent, st.QueueMS, st.UptimeS = ds.SentKbps, ds.kernelUnsent, ds.QueueMS, ds.uptime
			st.FailedRaises, st.FailedProbes = ds.failedRaises, ds.failedProbes
			if err == nil {
				err = ds.shown
			}
		}
	}
	if err != nil {
		st.Error, st.ErrorDetail = Explain(err)
	}
	if s.venc != nil {
		vs := s.venc.Stats()
		st.TargetKbps, st.FramesSkipped, st.Encoder, st.EncoderPreset = vs.BitrateKbps, vs.Skipped, vs.Codec, vs.Preset
		st.EncoderThreads = vs.Threads
		st.EncodeFPS = float64(s.plan.FPS) / float64(max(1, vs.FrameDivisor))
		st.Width, st.Height = s.venc.Size()
	}
	st.LostDevices = s.src.lost()
	s.recordingStats(&st)
	if s.aenc != nil {
		st.AudioKbps = s.aenc.Bitrate()
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

// destSnapshot is a destination's stats, with what the session's top-level fields take from the
// first one.
type destSnapshot struct {
	DestinationStats
	attempt          int
	audioSent, bytes uint64
	kernelUnsent     int
	failedRaises     int
	failedProbes     int
	uptime           float64
	shown            error // the error to show: why it failed, or why it is reconnecting
}

func (d *destination) snapshot(now time.Time) destSnapshot {
	d.mu.Lock()
	ds := destSnapshot{DestinationStats: DestinationStats{Name: d.plan.name, State: d.state, Reconnects: d.reconnects,
		FramesSent: d.prevTotals.videoSent, FramesDropped: d.prevTotals.dropped},
		attempt: d.attempt, audioSent: d.prevTotals.audioSent, bytes: d.prevTotals.bytes}
	if !d.liveSince.IsZero() {
		ds.uptime = now.Sub(d.liveSince).Seconds()
	}
	offline := d.state == StateReconnecting || d.state == StateWaitingNetwork
	if offline && d.retryAt.After(now) {
		ds.RetryInS = d.retryAt.Sub(now).Seconds()
	}
	ds.shown = d.err
	if ds.shown == nil && offline {
		ds.shown = d.lastConnErr
	}
	conn := d.live
	d.mu.Unlock()
	if ds.shown != nil {
		ds.Error, ds.ErrorDetail = Explain(ds.shown)
	}
	if conn != nil {
		cs := conn.Stats()
		ds.FramesSent += cs.VideoSent
		ds.audioSent += cs.AudioSent
		ds.FramesDropped += cs.VideoDropped
		ds.bytes += cs.SentBytes
		ds.SentKbps = cs.SendRate1s / 1000
		ds.kernelUnsent = cs.KernelUnsent
	}
	d.s.ctlMu.Lock()
	if conn != nil {
		ds.QueueMS = d.ctl.currentDelay().Seconds() * 1000
	}
	ds.TargetKbps, ds.CantKeepUp = d.wanted, d.behind
	ds.failedRaises, ds.failedProbes = d.ctl.failedProbes, d.ctl.failedPads
	d.s.ctlMu.Unlock()
	ds.FramesDropped += d.lostVideo.Load()
	return ds
}
