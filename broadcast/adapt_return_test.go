package broadcast

import (
	"testing"
	"time"

	"onair/rtmpout"
)

// TestReturnProbesFindTheLinkSoon: after a fall the link widens again, part of the way. A probe
// every 1.5 s at most, every other one aiming back half way, finds it within a few seconds.
func TestReturnProbesFindTheLinkSoon(t *testing.T) {
	const ceiling, audio = 4500, 160
	const fall, partReturn = 10 * time.Second, 20 * time.Second
	link := func(at time.Duration) float64 {
		switch {
		case at >= partReturn:
			return 1800
		case at >= fall:
			return 1000
		}
		return 6000
	}
	tr := runBufferedLink(t, ceiling, audio, link, 0.2, 30*time.Second)
	reached := time.Duration(-1)
	for i, at := range tr.t {
		if at >= partReturn && float64(tr.target[i]+tr.audio[i]) >= 0.8*link(at) {
			reached = at - partReturn
			break
		}
	}
	t.Logf("at 80 %% of the wider link %v after it widened; failed padding probes %d", reached, tr.failedPads)
	if reached < 0 || reached > 2500*time.Millisecond {
		t.Fatalf("at 80 %% of the wider link %v after it widened, want within 2.5 s", reached)
	}
}

// TestAWanderingLinkIsProbedEverySecond: a link that fell, came back and fell again (Wi-Fi) is
// probed for its return every second, each probe aiming all the way back; one that fell once,
// and then stalled on the way down, is probed as a narrow link is.
func TestAWanderingLinkIsProbedEverySecond(t *testing.T) {
	probe := func(c *controller, at time.Duration) (step int, length time.Duration) {
		c.mode, c.target = modeSteady, 1840
		c.startProbe(at)
		c.startProbe(at) // the second of two: after a single fall every other probe is small
		return c.pad, c.probeEnd - c.probeStart
	}
	wandering := chosen4500()
	congestAt(wandering, 10*time.Second, 4500, 2000)
	congestAt(wandering, 20*time.Second, 4000, 2000) // it had come back to 4.16 Mb/s
	if step, length := probe(wandering, 25*time.Second); step != 4660-1840-160 || length != returnProbeLength {
		t.Fatalf("on a wandering link a return probe pads %d kb/s for %v, want %d (back to 4.66 Mb/s) for %v", step, length, 4660-1840-160, returnProbeLength)
	}
	narrow := chosen4500()
	congestAt(narrow, 10*time.Second, 4500, 2000)
	congestAt(narrow, 20*time.Second, 1640, 500) // a stall on the narrow link
	if step, _ := probe(narrow, 25*time.Second); step >= 1840*stepReturnGain {
		t.Fatalf("after a single fall the second of two return probes pads %d kb/s, want a small one", step)
	}
}

// TestTheClimbBackIsProbedShort: after a fall, the probes that look for the link's return last
// probeLength; once one found it back, those of the climb last returnProbeLength. The climb from
// 0.4 Mb/s takes six or seven probes.
func TestTheClimbBackIsProbedShort(t *testing.T) {
	c := chosen4500()
	congestAt(c, 10*time.Second, 4500, 400)
	for _, tc := range []struct {
		name      string
		probeWait time.Duration
		want      time.Duration
	}{{"looking for the link's return", maxProbeWait, probeLength}, {"after a probe the link carried", climbWait, returnProbeLength}} {
		c.mode, c.target, c.probeWait = modeSteady, 300, tc.probeWait
		c.startProbe(25 * time.Second)
		if length := c.probeEnd - c.probeStart; c.mode != modeProbing || length != tc.want {
			t.Errorf("%s: a probe of %v (mode %d), want one of %v", tc.name, length, c.mode, tc.want)
		}
	}
}

// TestAFailedProbeStillMeasures: a return probe on a wandering link aims back at 4.66 Mb/s on a
// 2 Mb/s link and fails within 100 ms. The link was full all through it, so what it delivered meanwhile is its
// rate: a stream under 90 % of that rises to it.
func TestAFailedProbeStillMeasures(t *testing.T) {
	const link, audio = 2000.0, 160
	c := newController(Plan{Config: Config{VideoKbps: 4500, AudioKbps: audio, Adaptive: true}}, func(int) {}, nil)
	c.apply(1400, "test")
	c.fellFrom, c.fellUntil = 4660, time.Hour // fell from 4.66 Mb/s: probes aim back there,
	c.wanderUntil = time.Hour                 // all at once (it fell before, and came back)
	l := &fluidLink{c: c, linkKbps: link, encoderShare: 1, minRTT: time.Millisecond}
	for c.failedPads == 0 {
		if l.now > 10*time.Second {
			t.Fatal("no probe failed within 10 s")
		}
		l.step()
	}
	t.Logf("after the failed probe: %d kb/s of video and %d of sound on a %.0f kb/s link", c.target, c.audio, link)
	if want := int(0.9*link) - audio; c.target < want*98/100 || c.target > want {
		t.Fatalf("after the failed probe the target is %d kb/s, want about %d", c.target, want)
	}
}

// TestAStallKeepsWhereTheLinkWas: after a fall from 4.66 to 2 Mb/s, a TCP stall reads as another
// fall, from 2 Mb/s. Return probes must still aim at 4.66 Mb/s, where the link was.
func TestAStallKeepsWhereTheLinkWas(t *testing.T) {
	c := chosen4500()
	congestAt(c, 10*time.Second, 4500, 2000)
	congestAt(c, 20*time.Second, 1640, 500)
	if c.fellFrom != 4660 || !c.returning(25*time.Second) {
		t.Fatalf("after a stall at 2 Mb/s the return aims at %.0f kb/s, want 4660, where the link was", c.fellFrom)
	}
}

// congestAt has c, steady at fromKbps of video with no raise lately, meet congestion at at, the
// link having delivered deliveredKbps over the second before.
func congestAt(c *controller, at time.Duration, fromKbps int, deliveredKbps float64) {
	c.mode, c.raisedAt = modeSteady, -1
	c.apply(fromKbps, "test")
	c.growSince = sample{t: at - time.Second, bytes: 0}
	c.congested(at, rtmpout.Stats{DeliveredBytes: uint64(deliveredKbps * 1000 / 8)})
}

// chosen4500 is an adaptive controller for a stream chosen at 4500 kb/s with 160 kb/s of sound.
func chosen4500() *controller {
	return newController(Plan{Config: Config{VideoKbps: 4500, AudioKbps: 160, Adaptive: true}}, func(int) {}, nil)
}

// TestARaiseTheLinkCarriedIsNoFailedRaise: the link fell, came back, and a raise back to where it
// was is carried for a second; then the link falls again (Wi-Fi). That is no failed raise: it
// marks the link as wandering. A raise the link never carried still counts.
func TestARaiseTheLinkCarriedIsNoFailedRaise(t *testing.T) {
	for _, tc := range []struct {
		name       string
		link       float64 // kb/s until the fall
		wantFailed int
	}{{"carried", 4800, 0}, {"past the edge", 4400, 1}} {
		c := chosen4500()
		c.fellFrom, c.fellUntil = 4660, time.Hour // it had fallen from 4.66 Mb/s before
		c.apply(2000, "test")
		l := &fluidLink{c: c, linkKbps: tc.link, encoderShare: 1, minRTT: time.Millisecond}
		for l.now < 3*time.Second {
			if l.now == time.Second {
				c.raisedAt, c.raisedFrom = l.now, c.target
				c.apply(4500, "probe carried")
			}
			if l.now >= 2500*time.Millisecond {
				l.linkKbps = 2400 // the fall
			}
			l.step()
		}
		if c.failedProbes != tc.wantFailed {
			t.Errorf("%s: a fall after a raise on a %.0f kb/s link counts %d failed raises, want %d", tc.name, tc.link, c.failedProbes, tc.wantFailed)
		}
	}
}
