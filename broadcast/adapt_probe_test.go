package broadcast

import (
	"testing"
	"time"

	"onair/rtmpout"
)

// fluidLink feeds a controller what a link of linkKbps delivers of the stream it asks for: the
// encoder makes encoderShare of its target (padding and sound in full), and what the link does not
// carry waits in the kernel; the connection reports minRTT. step observes once and returns the
// delay the controller measured.
type fluidLink struct {
	c                  *controller
	linkKbps           float64
	encoderShare       float64
	minRTT             time.Duration
	written, delivered float64 // bytes
	now                time.Duration
}

func (l *fluidLink) step() time.Duration {
	made := float64(l.c.target)*l.encoderShare + float64(l.c.audio+l.c.pad)
	l.written += made * 1000 / 8 * observeEvery.Seconds()
	l.delivered += min(l.written-l.delivered, l.linkKbps*1000/8*observeEvery.Seconds())
	l.c.observe(l.now, rtmpout.Stats{SentBytes: uint64(l.written), DeliveredBytes: uint64(l.delivered),
		KernelUnsent: int(l.written - l.delivered), MinRTT: l.minRTT})
	l.now += observeEvery
	return l.c.currentDelay()
}

// steadyAfterAFall is a link of linkKbps whose encoder makes encoderShare of its rate, and a
// controller on it that fell from 4.66 Mb/s at 10 s and settled at kbps.
func steadyAfterAFall(kbps int, linkKbps, encoderShare float64) *fluidLink {
	c := chosen4500()
	congestAt(c, 10*time.Second, 4500, 2000)
	c.mode, c.calmSince = modeSteady, -1
	c.apply(kbps, "drained")
	return &fluidLink{c: c, linkKbps: linkKbps, encoderShare: encoderShare, minRTT: 40 * time.Millisecond, now: 11 * time.Second}
}

// TestAProbeThatFoundTheEdgeIsNotFollowedSoon: a probe the link carried only in part raises the
// stream to just under the link. A big probe right after overran a shallow buffer, and TCP's
// losses undid the raise: the next probe waits, and is small. A probe short only because the
// encoder made less than asked shows no edge: the climb goes on at once.
func TestAProbeThatFoundTheEdgeIsNotFollowedSoon(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		linkKbps, encoderShare float64
		wantWait               time.Duration
	}{{"at the link's edge", 1930, 1, maxProbeWait}, {"the encoder under its rate", 6000, 0.95, climbWait}} {
		c := chosen4500()
		c.apply(1600, "test")
		l := &fluidLink{c: c, linkKbps: tc.linkKbps, encoderShare: tc.encoderShare, minRTT: 40 * time.Millisecond}
		for c.raisedAt < 0 {
			if l.now > 10*time.Second {
				t.Fatalf("%s: no raise within 10 s", tc.name)
			}
			l.step()
		}
		if c.probeWait != tc.wantWait {
			t.Errorf("%s: after the raise to %d kb/s the next probe waits %v, want %v", tc.name, c.target, c.probeWait, tc.wantWait)
		}
	}
}

// TestTheClimbBackIsNotHeldByTheEncoder: on the way back after a fall, a probe the link carried
// in full raises by all its padding, although the encoder (opened again at another size) made
// less than asked: 0.95 of what went through would leave the stream at 3982 kb/s after the last
// probe of a return, short of the 4050 that is back.
func TestTheClimbBackIsNotHeldByTheEncoder(t *testing.T) {
	l := steadyAfterAFall(1500, 6000, 0.85)
	c, pad := l.c, 0
	for c.raisedAt < 0 {
		if l.now > 20*time.Second {
			t.Fatal("no raise within 9 s")
		}
		if c.mode == modeProbing {
			pad = c.pad
		}
		l.step()
	}
	if c.target != 1500+pad {
		t.Fatalf("a probe of %d kb/s the link carried in full raised the stream from 1500 to %d kb/s, want %d", pad, c.target, 1500+pad)
	}
}

// TestABigReturnProbeStopsEarly: after a fall, every other probe looks for the link's return, half
// the stream above it. On a narrow link it fails; it stops before it adds more delay than a
// shallow (50 ms) buffer holds, where TCP would lose packets and stall.
func TestABigReturnProbeStopsEarly(t *testing.T) {
	l := steadyAfterAFall(1560, 1920, 1)
	c := l.c
	var worst time.Duration
	for big := false; ; {
		delay := l.step()
		if c.mode == modeProbing && c.pad >= c.target/3 {
			big = true
		}
		if big {
			worst = max(worst, delay)
			if c.mode != modeProbing {
				break
			}
		}
		if l.now > 30*time.Second {
			t.Fatal("no big return probe within 20 s")
		}
	}
	t.Logf("the big return probe added %v of delay", worst)
	if worst > 80*time.Millisecond {
		t.Fatalf("the big return probe added %v of delay before it stopped, want under 80 ms", worst)
	}
}

// TestANearlyBackProbeGoesAllTheWay: climbing back after a fall, a big return probe that would take
// the stream to three quarters of where it was aims all the way back: the raise after it would
// otherwise stop short, and the last step, a normal probe on a busy link, often fails on a
// keyframe's burst (the return from 0.4 Mb/s took 10 s in one run).
func TestANearlyBackProbeGoesAllTheWay(t *testing.T) {
	for _, tc := range []struct{ target, wantPad int }{{1900, 4500 - 1900}, {1000, 1000}} {
		c := chosen4500()
		c.fellFrom, c.fellUntil = 4660, time.Hour
		c.apply(tc.target, "test")
		c.probeGain, c.bigProbe = 1, false // the last probe carried: the next is big, the stream's size
		c.startProbe(10 * time.Second)
		if c.pad != tc.wantPad {
			t.Errorf("at %d kb/s the big return probe pads %d kb/s, want %d", tc.target, c.pad, tc.wantPad)
		}
	}
}

// TestABurstInFlightIsNoEdge: a probe found the link's edge when bytes piled up over it, not when
// a burst (a keyframe just written) is in flight at its end: 20 KB more of the 130 KB written
// since the probe began are unacknowledged at the last sample only, and the delivered rate since
// the probe's first 0.1 s reads a fifth under the written. Where the backlog grew, it is the edge.
func TestABurstInFlightIsNoEdge(t *testing.T) {
	for _, tc := range []struct {
		name      string
		backlogKB []float64 // written, not yet delivered, 50 ms apart from the probe's start
		want      bool
	}{
		{"a burst in flight at the end", []float64{5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 25}, false},
		{"a backlog that grew", []float64{5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5, 10, 10.5}, true},
	} {
		c := chosen4500()
		for i, kB := range tc.backlogKB {
			written := 100000 + uint64(i)*12000 // 1.92 Mb/s
			c.history = append(c.history, sample{t: 10*time.Second + time.Duration(i)*observeEvery,
				written: written, bytes: written - uint64(kB*1000)})
		}
		c.probeWritten, c.probeBacklog = c.history[0].written, 5000
		if piled, written := c.piled(); piled > pileShare*written != tc.want {
			t.Errorf("%s: %.0f of %.0f bytes piled up, want an edge: %v", tc.name, piled, written, tc.want)
		}
	}
}
