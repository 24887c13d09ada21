package broadcast

import (
	"testing"
	"time"

	"onair/rtmpout"
)

// TestABacklogThatGrowsOnIsDropped: the congestion is measured while the backlog is small (most of
// it in the kernel), and the encoder, slow to follow the cut, piles up more than a second's worth
// at the measured rate in the queue. The queued video is dropped then, once, instead of waiting
// for the drop policy to drop frame after frame.
func TestABacklogThatGrowsOnIsDropped(t *testing.T) {
	c := chosen4500()
	const kB = 1000
	c.growSince = sample{t: 9 * time.Second}
	c.congested(10*time.Second, rtmpout.Stats{DeliveredBytes: 100 * kB, QueueBytes: 20 * kB, KernelUnsent: 30 * kB}) // 800 kb/s
	if skip, _ := c.takeSkip(); skip || c.mode != modeDraining {
		t.Fatalf("a queue of 0.2 s at the measured rate dropped (%v), or no draining (mode %d)", skip, c.mode)
	}
	grown := rtmpout.Stats{DeliveredBytes: 105 * kB, SentBytes: 250 * kB, QueueBytes: 120 * kB, KernelUnsent: 30 * kB,
		QueueDuration: 400 * time.Millisecond}
	c.observe(10*time.Second+observeEvery, grown)
	if skip, _ := c.takeSkip(); !skip {
		t.Fatal("a queue of 1.2 s at the measured rate was not dropped")
	}
	c.observe(10*time.Second+2*observeEvery, grown)
	if skip, _ := c.takeSkip(); skip {
		t.Fatal("dropped twice in one fall")
	}
}

// TestAStallAtAFallIsMeasuredByTheDrain: the link falls from 6 to 2 Mb/s and TCP stalls on the
// losses (a shallow buffer). The congestion reads the link near zero and the queued video is
// dropped; then the kernel's backlog drains at the link's rate, and the stream settles there, not
// at the stall's rate, which took seconds of probes to climb back from. The acknowledgement that
// ends the stall covers all the link took meanwhile: the stream does not settle past the link.
func TestAStallAtAFallIsMeasuredByTheDrain(t *testing.T) {
	for _, tc := range []struct {
		stall    time.Duration
		inFlight float64 // bytes that get through during the stall, acknowledged at its end
	}{{600 * time.Millisecond, 20 << 10}, {300 * time.Millisecond, 20 << 10}} {
		const fallAt, lossesAfter, kernelHolds = 10 * time.Second, 100 * time.Millisecond, 64 << 10
		c := chosen4500()
		var queued, written, received, delivered float64 // bytes
		lowest := c.target
		for now := time.Duration(0); now < fallAt+3*time.Second; now += observeEvery {
			stream := float64(c.target + c.audio + c.pad)
			queued += stream * 1000 / 8 * observeEvery.Seconds()
			moved := min(queued, kernelHolds-(written-delivered))
			queued, written = queued-moved, written+moved
			link := 6000.0
			if now >= fallAt {
				link = 2000
			}
			carries := link * 1000 / 8 * observeEvery.Seconds()
			stalled := now >= fallAt+lossesAfter && now < fallAt+lossesAfter+tc.stall
			if stalled { // what was in flight when the losses began gets through, then nothing
				carries = min(carries, delivered+tc.inFlight-received)
			}
			received += max(0, min(written-received, carries))
			if !stalled {
				delivered = received
			}
			c.observe(now, rtmpout.Stats{SentBytes: uint64(written), DeliveredBytes: uint64(delivered),
				KernelUnsent: int(written - delivered), QueueBytes: int(queued),
				QueueDuration: seconds(queued * 8 / 1000 / stream), MinRTT: time.Millisecond})
			if skip, _ := c.takeSkip(); skip {
				queued = 0
			}
			lowest = min(lowest, c.target)
		}
		t.Logf("a %v stall: %d kb/s at the lowest, %d kb/s 3 s later", tc.stall, lowest, c.target)
		if !c.fell || lowest > 1000 {
			t.Fatalf("a %v stall: no fall that dropped the queue (lowest %d kb/s): the test shows nothing", tc.stall, lowest)
		}
		if c.target < 1500 || c.target+c.audio > 1900 {
			t.Fatalf("3 s after a fall to 2 Mb/s with a %v stall, the stream is at %d kb/s, want 1500 to %d", tc.stall, c.target, 1900-c.audio)
		}
	}
}

// TestFallenLinkRateLeavesTheStallOut: the link's rate after a fall to 2 Mb/s, from the samples'
// delivered bytes. A stall that left the link idle, then a drain at the link's rate: over the span
// the rate reads 1.5 Mb/s. Acknowledgements a stall held back, then delivered in two bursts (a
// shallow step's run): the drain's samples read 5.7 Mb/s with the stall left out, and the stream
// settled at 4.6 Mb/s on the 2 Mb/s link.
func TestFallenLinkRateLeavesTheStallOut(t *testing.T) {
	type at struct {
		ms int     // since the backlog began to grow
		kB float64 // delivered
	}
	for _, tc := range []struct {
		name    string
		drainMs int
		samples []at
	}{
		{"an idle stall, then a long drain", 250, []at{{0, 0}, {50, 12.5}, {100, 12.5}, {150, 12.5}, {200, 12.5}, {250, 12.5},
			{300, 37.5}, {350, 50}, {400, 62.5}, {450, 75}, {500, 87.5}, {550, 100}}},
		{"acknowledgements held back", 240, []at{{-59, 0}, {0, 12.25}, {51, 18.04}, {117, 18.04}, {184, 18.04}, {240, 18.04},
			{302, 84.65}, {360, 84.65}, {420, 84.65}, {481, 128.09}}},
	} {
		c := chosen4500()
		const grew = 10 * time.Second
		c.grewSince, c.drainSince = grew, grew+time.Duration(tc.drainMs)*time.Millisecond
		for _, s := range tc.samples {
			c.history = append(c.history, sample{t: grew + time.Duration(s.ms)*time.Millisecond, bytes: uint64(s.kB * 1000)})
		}
		link := c.fallenLinkRate()
		t.Logf("%s: %.0f kb/s (over the span %.0f, the drain with the stall left out %.0f)", tc.name, link,
			c.deliveredSince(c.grewSince), c.steadyRateSince(c.drainSince))
		if link < 1800 || link > 2100 {
			t.Errorf("%s: the link after the fall reads %.0f kb/s, want 1800 to 2100", tc.name, link)
		}
	}
}
