package broadcast

import (
	"sort"
	"testing"
	"time"

	"onair/rtmpout"
	"onair/tools/linkkinds"
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
		if time.Duration(len(l.queue))*dt > 900*time.Millisecond {
			for i, bits := range l.queue {
				if sound := float64(c.audio) * 1000 * dt.Seconds(); bits > sound {
					l.queue[i] = sound
					tr.dropped += dt
				}
			}
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
		c.observe(now, st)
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

// obsSchedule is the benchmark's link: 6 Mb/s, 2 Mb/s from 20 s to 50 s, then 6 Mb/s.
func obsSchedule(t time.Duration) float64 {
	if t >= 20*time.Second && t < 50*time.Second {
		return 1920 // a 2 Mbit tbf measured 1.92 Mb/s here
	}
	return 6000
}

func TestControllerOnTheBenchmarkSchedule(t *testing.T) {
	tr := runLink(t, 4500, 160, obsSchedule, 80*time.Second)
	drop, back := 20*time.Second, 50*time.Second

	// React: below the simLink's capacity within 1.5 s of the drop.
	reacted := time.Duration(-1)
	for i, at := range tr.t {
		if at >= drop && float64(tr.target[i]+160) < tr.capacity[i] {
			reacted = at - drop
			break
		}
	}
	if reacted < 0 || reacted > 1500*time.Millisecond {
		t.Errorf("reacted %v after the drop, want within 1.5 s", reacted)
	}
	// Delay while constrained.
	var delays []time.Duration
	var sent, capSum float64
	for i, at := range tr.t {
		if at >= drop && at < back {
			delays = append(delays, tr.delay[i])
			sent += tr.sentKbps[i]
			capSum += tr.capacity[i]
		}
	}
	sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
	p95, worst := delays[len(delays)*95/100], delays[len(delays)-1]
	if p95 > 500*time.Millisecond || worst > 1500*time.Millisecond {
		t.Errorf("delay while constrained: p95 %v, max %v", p95, worst)
	}
	if use := sent / capSum; use < 0.85 {
		t.Errorf("used %.0f%% of the simLink while constrained, want >= 85%%", use*100)
	}
	// Calm: at most 2 down-steps after the first reaction while constrained; none with headroom.
	var during, before int
	for _, at := range tr.downStepsAt {
		switch {
		case at < drop:
			before++
		case at < back:
			during++
		}
	}
	if before > 0 {
		t.Errorf("%d down-steps with headroom", before)
	}
	if during-1 > 2 {
		t.Errorf("%d down-steps after the first reaction while constrained (at %v)", during-1, tr.downStepsAt)
	}
	// Recover: >= 90 % of the start within 12 s of the simLink's return.
	recovered := time.Duration(-1)
	for i, at := range tr.t {
		if at >= back && tr.target[i] >= 4500*9/10 {
			recovered = at - back
			break
		}
	}
	if recovered < 0 || recovered > 12*time.Second {
		t.Errorf("back to 90%% of 4500 kb/s %v after the simLink returned, want within 12 s", recovered)
	}
	t.Logf("reacted %v, delay p95 %v max %v, simLink use %.0f%%, down-steps after reaction %d, recovered in %v",
		reacted, p95, worst, sent/capSum*100, during-1, recovered)
}

func TestControllerHoldsOnAHeadroomLink(t *testing.T) {
	tr := runLink(t, 4500, 160, func(time.Duration) float64 { return 6000 }, 60*time.Second)
	if len(tr.downStepsAt) > 0 {
		t.Fatalf("down-steps at %v on a simLink with headroom", tr.downStepsAt)
	}
	if tr.target[len(tr.target)-1] != 4500 {
		t.Fatalf("target %d at the end, want 4500", tr.target[len(tr.target)-1])
	}
}

func TestControllerRespectsFloorAndManualCeiling(t *testing.T) {
	tr := runLink(t, 4500, 160, func(time.Duration) float64 { return 300 }, 20*time.Second)
	for _, v := range tr.target {
		if v < videoFloor {
			t.Fatalf("target %d below the floor", v)
		}
	}
	var got []int
	c := newController(Plan{Config: Config{VideoKbps: 4500, AudioKbps: 160, Adaptive: true}}, func(k int) { got = append(got, k) }, nil)
	c.setCeiling(2500)
	if c.target != 2500 || len(got) != 1 || got[0] != 2500 {
		t.Fatalf("a manual change to 2500 gave target %d, calls %v", c.target, got)
	}
	c.observe(0, rtmpout.Stats{})
	for i := 1; i < 400; i++ { // 20 s of a calm simLink: probes stop at the new ceiling
		c.observe(time.Duration(i)*50*time.Millisecond, rtmpout.Stats{SentBytes: uint64(i) * 20000})
	}
	if c.target > 2500 {
		t.Fatalf("probed to %d above the manual ceiling of 2500", c.target)
	}
	// Typing 4500 sends 4, 45, 450 and 4500 on the way: the floor is the same after.
	for _, k := range []int{4, 45, 450, 4500} {
		c.setCeiling(k)
	}
	if c.floor != videoFloor {
		t.Fatalf("after typing 4500 the floor is %d kb/s, want %d", c.floor, videoFloor)
	}
	c.setCeiling(100)
	if c.target != 100 {
		t.Fatalf("a ceiling of 100 below the floor gave target %d", c.target)
	}
}

// TestProbeJudgesBacklogNotJitter: acknowledgements arrive a frame at a time, so what is in flight
// swings by a frame whenever it is sampled. A probe on a link with room must pass all the same,
// and one on a link 5 % too narrow must fail.
func TestProbeJudgesBacklogNotJitter(t *testing.T) {
	const rate = 2000.0 // kb/s the probe writes
	for _, c := range []struct {
		link float64 // kb/s
		want bool
	}{{3000, true}, {1.5 * rate, true}, {0.95 * rate, false}} {
		ctl := newController(Plan{Config: Config{VideoKbps: 4500, Adaptive: true}}, func(int) {}, nil)
		frame := uint64(8333) // bytes a frame at the probe rate, 30 fps
		var written, delivered float64
		for i := 0; i <= 61; i++ { // 3 s: one before the probe, two of it; it ends on a late sample
			now := time.Duration(i) * 50 * time.Millisecond
			written += rate * 1000 / 8 * 0.05
			delivered = min(written, delivered+c.link*1000/8*0.05)
			// Seen a frame at a time, and late by one on every third sample.
			seen := uint64(delivered) / frame * frame
			if i%3 == 1 && seen >= frame {
				seen -= frame
			}
			ctl.history = append(ctl.history, sample{t: now, bytes: seen, written: uint64(written)})
			if i == 20 {
				ctl.probeWritten, ctl.probeBacklog = ctl.history[len(ctl.history)-1].written, ctl.backlog()
			}
		}
		if got := ctl.carried(); got != c.want {
			t.Errorf("link %.0f kb/s, probe %.0f kb/s: carried = %v, want %v", c.link, rate, got, c.want)
		}
	}
}

func TestFrameDivisorSecondFloor(t *testing.T) {
	for _, c := range []struct {
		kbps, w, h, fps, current, want int
	}{
		{4500, 1280, 720, 30, 1, 1},
		{1200, 1280, 720, 30, 1, 1}, // above 1106
		{1000, 1280, 720, 30, 1, 2}, // below: half rate
		{1200, 1280, 720, 30, 2, 2}, // between the lines: stays
		{1450, 1280, 720, 30, 2, 1}, // a quarter above: back
		{2000, 1920, 1080, 30, 1, 2},
		{600, 1280, 720, 20, 1, 1}, // 20 fps is low enough already
		{400, 1280, 720, 30, 2, 4}, // under 415: a quarter
		{480, 1280, 720, 30, 4, 4}, // between the lines: stays
		{540, 1280, 720, 30, 4, 2}, // a quarter above: back to half
		{1000, 1280, 720, 30, 4, 2},
	} {
		if got := frameDivisor(c.kbps, c.w, c.h, c.fps, c.current); got != c.want {
			t.Errorf("%d kb/s at %dx%d@%d (now /%d): /%d, want /%d", c.kbps, c.w, c.h, c.fps, c.current, got, c.want)
		}
	}
}

// TestControllerSurvivesAReconnect: a connection replaced while the bitrate was lowered keeps the
// lowered target (never 0, never the ceiling at once), and climbs back when the new one has room.
func TestControllerSurvivesAReconnect(t *testing.T) {
	narrowThenWide := func(at time.Duration) float64 {
		if at < 30*time.Second {
			return 1920
		}
		return 6000
	}
	tr := runLink(t, 4500, 160, narrowThenWide, 60*time.Second, 30*time.Second)
	var lowest int
	back := time.Duration(-1)
	for i, at := range tr.t {
		if at < 20*time.Second {
			continue
		}
		if lowest == 0 || tr.target[i] < lowest {
			lowest = tr.target[i]
		}
		if at >= 30*time.Second && back < 0 && tr.target[i] >= 4500*9/10 {
			back = at - 30*time.Second
		}
	}
	i30 := int(30 * time.Second / (50 * time.Millisecond))
	t.Logf("lowest target %d kb/s, at the reconnect %d kb/s, back to 90 %% %v after it", lowest, tr.target[i30], back)
	if lowest < 250 {
		t.Fatalf("target fell to %d kb/s", lowest)
	}
	if tr.target[i30] > 2000 {
		t.Fatalf("the reconnect reset the target to %d kb/s: the narrow link was forgotten", tr.target[i30])
	}
	if back < 0 || back > 12*time.Second {
		t.Fatalf("back to 90 %% %v after the reconnect, want within 12 s", back)
	}
}

// TestControllerOnEveryLinkKind replays every kind of link the bench measures (tools/linkkinds)
// through the simulated link and checks the adaptation goals on each: on a steady narrow link
// ≥ 90 % of what the link carries, delay p95 < 300 ms and max < 1 s, at most one failed raise per
// 30 s; everywhere a reaction within 1 s of a drop and 90 % of the chosen rate within 8 s of the
// link's return. On a wandering link the goals are ≥ 80 % and p95 < 400 ms, judged by `make
// bench-adapt` on a real link; the simulated one counts every byte in flight as delay and so
// reads high there, and this test only guards against a controller that does worse than now
// (70 %, 500 ms).
func TestControllerOnEveryLinkKind(t *testing.T) {
	const ceiling, audio = 4500, 160
	for _, k := range linkkinds.All() {
		t.Run(k.Name, func(t *testing.T) {
			tr := runBufferedLink(t, ceiling, audio, k.Rate, k.Buffer.Seconds(), k.Duration)
			r := judge(tr, k, ceiling, audio)
			dropped := float64(tr.dropped) / float64(tr.sent)
			t.Logf("%s: use %.0f%%, delay p95 %v max %v, failed raises %d, failed padding probes %d, reacted %v, back %v, video dropped %.1f%%",
				k.Name, r.use*100, r.p95, r.worst, tr.failedProbes, tr.failedPads, r.reacted, r.back, dropped*100)
			want, p95 := 0.9, 300*time.Millisecond
			if k.Wandering {
				want, p95 = 0.7, 500*time.Millisecond
			}
			if r.use < want {
				t.Errorf("carried %.0f%% of what the link could, want ≥ %.0f%%", r.use*100, want*100)
			}
			if r.p95 > p95 || !k.Wandering && r.worst > time.Second {
				t.Errorf("delay p95 %v, max %v", r.p95, r.worst)
			}
			if !k.Wandering {
				if limit := 1 + int(k.Duration/(30*time.Second)); tr.failedProbes > limit {
					t.Errorf("%d failed probes in %v", tr.failedProbes, k.Duration)
				}
			}
			if k.NarrowFrom > 0 && (r.reacted < 0 || r.reacted > time.Second) {
				t.Errorf("reacted %v after the drop", r.reacted)
			}
			// The goal is 8 s; from under 0.5 Mb/s the climb takes longer (the issue stays open on
			// it), and this guards the 10 s it takes now.
			backWithin := 8 * time.Second
			if k.Rate(k.NarrowFrom) < 500 {
				backWithin = 10 * time.Second
			}
			if k.Back > 0 && (r.back < 0 || r.back > backWithin) {
				t.Errorf("back to 90%% %v after the link returned", r.back)
			}
		})
	}
}

type judgement struct {
	use           float64
	p95, worst    time.Duration
	reacted, back time.Duration
}

// judge measures a trace against its link: use is what went through over what the link could
// carry of the stream (never more than the chosen rate), over the judged span.
func judge(tr trace, k linkkinds.Kind, ceiling, audio int) judgement {
	j := judgement{reacted: -1, back: -1}
	from, to := k.JudgeFrom, k.Duration
	if !k.Wandering {
		from, to = k.NarrowFrom+5*time.Second, k.Duration
		if k.Back > 0 {
			to = k.Back
		}
	}
	var delays []time.Duration
	var sent, could float64
	for i, at := range tr.t {
		if at >= from && at < to {
			delays = append(delays, tr.delay[i])
			sent += tr.sentKbps[i]
			could += min(tr.capacity[i], float64(ceiling+audio))
		}
		if k.NarrowFrom > 0 && j.reacted < 0 && at >= k.NarrowFrom && float64(tr.target[i]+tr.audio[i]) < tr.capacity[i] {
			j.reacted = at - k.NarrowFrom
		}
		if k.Back > 0 && j.back < 0 && at >= k.Back && tr.target[i] >= ceiling*9/10 {
			j.back = at - k.Back
		}
	}
	sort.Slice(delays, func(a, b int) bool { return delays[a] < delays[b] })
	if len(delays) > 0 {
		j.p95, j.worst = delays[len(delays)*95/100], delays[len(delays)-1]
	}
	j.use = sent / max(1, could)
	return j
}
