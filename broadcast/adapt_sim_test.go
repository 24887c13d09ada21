package broadcast

import (
	"testing"
	"time"

	"onair/rtmpout"
)

// simLink simulates a bottleneck link: the encoder produces target+audio kb/s (CBR, with filler),
// taking encoderLag to follow a change; OnAir's queue feeds the kernel, which holds 64 KiB of unsent
// bytes plus the bottleneck's own buffer (500 ms at its rate, like the benchmark's tbf); the link
// drains at its capacity. The controller's in-flight budget caps the kernel's share, as the
// session has rtmpout do.
type simLink struct {
	capacity  func(t time.Duration) float64 // kb/s
	queue     []float64                     // bits waiting in OnAir, one entry per 50 ms of media
	kernel    float64                       // bits in the socket and the bottleneck's buffer
	sentBytes uint64                        // written into the socket
	delivered uint64                        // across the link
	pending   []pendingRate
	encoded   int     // kb/s the encoder produces now
	buffer    float64 // the bottleneck's buffer, in seconds at its rate
	// stall and stallUntil: the drop limit's extension after a SkipToKeyframe.
	stall, stallUntil time.Duration
}

type pendingRate struct {
	at   time.Duration
	kbps int
}

const encoderLag = 300 * time.Millisecond // measured: 6-11 frames at 30 fps

// trace is what one simulated run measured.
type trace struct {
	t, delay    []time.Duration
	target      []int
	sentKbps    []float64
	capacity    []float64
	audio       []int // the audio bitrate asked for
	downStepsAt []time.Duration
	// failedProbes counts raises the link did not carry; failedPads padding probes.
	failedProbes, failedPads int
	// dropped is the video time the send queue dropped, sent the video time encoded.
	dropped, sent time.Duration
	skips         int // the queued video dropped at once after a fall
}

// runLink simulates until the given time; at each of reconnects the connection is replaced: the
// socket's bytes and counters start from zero, as a new rtmpout connection's do.
func runLink(t *testing.T, ceiling, audio int, capacity func(time.Duration) float64, until time.Duration, reconnects ...time.Duration) trace {
	return runBufferedLink(t, ceiling, audio, capacity, 0.5, until, reconnects...)
}

// runBufferedLink is runLink with a bottleneck buffer of buffer seconds at the link's rate.
func runBufferedLink(t *testing.T, ceiling, audio int, capacity func(time.Duration) float64, buffer float64, until time.Duration, reconnects ...time.Duration) trace {
	t.Helper()
	const dt = 50 * time.Millisecond
	l := &simLink{capacity: capacity, encoded: ceiling, buffer: buffer}
	var tr trace
	c := newController(Plan{Config: Config{VideoKbps: ceiling, AudioKbps: audio, Adaptive: true}}, func(kbps int) {
		l.pending = append(l.pending, pendingRate{kbps: kbps})
	}, nil)
	for now := time.Duration(0); now < until; now += dt {
		if len(reconnects) > 0 && now >= reconnects[0] {
			reconnects = reconnects[1:]
			l.kernel, l.sentBytes, l.delivered, l.queue = 0, 0, 0, nil
			c.reconnected()
		}
		for i := range l.pending {
			if l.pending[i].at == 0 {
				l.pending[i].at = now + encoderLag
			}
		}
		for len(l.pending) > 0 && l.pending[0].at <= now {
			l.encoded = l.pending[0].kbps
			l.pending = l.pending[1:]
		}
		// The encoder follows with a lag; padding and audio at once.
		media, pad := float64(l.encoded+c.audio), float64(c.padKbps())
		l.queue = append(l.queue, (media+pad)*1000*dt.Seconds())
		tr.sent += dt
		// rtmpout's send queue past its ToKeyframe limit drops the queued video; the audio stays.
		late := time.Duration(len(l.queue)) * dt
		if now < l.stallUntil {
			late -= l.stall
		}
		if late > 900*time.Millisecond {
			l.dropVideo(c.audio, dt, &tr)
		}
		through := min(l.kernel, capacity(now)*1000*dt.Seconds())
		l.kernel -= through
		l.delivered += uint64(through / 8)
		room := 64*1024*8 + l.buffer*capacity(now)*1000
		if b := c.inFlightBudget(dt); b > 0 { // the simulated link's round trip is one step
			room = min(room, float64(b)*8) // the session gives rtmpout this cap
		}
		room -= l.kernel
		sent := 0.0
		for len(l.queue) > 0 && room > 0 {
			n := min(room, l.queue[0])
			l.queue[0] -= n
			room -= n
			sent += n
			if l.queue[0] <= 0 {
				l.queue = l.queue[1:]
			}
		}
		l.kernel += sent
		l.sentBytes += uint64(sent / 8)
		// The delay is the media time waiting in OnAir (whole chunks, like rtmpout's queue
		// duration) plus the kernel's bytes at the link's rate, as sendDelay computes it.
		st := rtmpout.Stats{QueueDuration: time.Duration(len(l.queue)) * dt, SentBytes: l.sentBytes, MinRTT: dt,
			DeliveredBytes: l.delivered, KernelUnsent: int(l.kernel / 8), SendRate2s: through / dt.Seconds()}
		delay := sendDelay(st, st.SendRate2s)
		for _, bits := range l.queue {
			st.QueueBytes += int(bits / 8)
		}
		c.observe(now, st)
		if skip, stall := c.takeSkip(); skip { // the connection's SkipToKeyframe
			tr.skips++
			// Video waits for the keyframe asked for (a frame or two), which starts at the new rate.
			l.dropVideo(c.audio, dt, &tr)
			l.stall, l.stallUntil = stall, now+stall
			l.encoded, l.pending = c.target, nil
			tr.dropped += 2 * time.Second / 30
		}
		if n := len(tr.target); n > 0 && c.target < tr.target[n-1] {
			tr.downStepsAt = append(tr.downStepsAt, now)
		}
		tr.t = append(tr.t, now)
		tr.delay = append(tr.delay, delay)
		tr.target = append(tr.target, c.target)
		tr.sentKbps = append(tr.sentKbps, through/1000/dt.Seconds()*media/(media+pad))
		tr.capacity = append(tr.capacity, capacity(now))
		tr.audio = append(tr.audio, c.audio)
	}
	tr.failedProbes, tr.failedPads = c.failedProbes, c.failedPads
	return tr
}

// dropVideo leaves only the audio in the queue, as rtmpout's drop to the keyframe does.
func (l *simLink) dropVideo(audio int, dt time.Duration, tr *trace) {
	for i, bits := range l.queue {
		if sound := float64(audio) * 1000 * dt.Seconds(); bits > sound {
			l.queue[i] = sound
			tr.dropped += dt
		}
	}
}
