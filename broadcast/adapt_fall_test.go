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

// TestSteadyRateLeavesTheStallOut: a drain at 2 Mb/s (12.5 KB a sample) with a stall in it, which
// the acknowledgement ending it makes up for at once. Over the long drain's span the rate reads
// 1.8 Mb/s, from the stall's last sample on 3.2 Mb/s; with the stall left out, 2 Mb/s. A drain that
// ends a sample after the stall (TCP delivered most of the backlog meanwhile) still reads the link.
func TestSteadyRateLeavesTheStallOut(t *testing.T) {
	for _, tc := range []struct {
		name      string
		delivered []float64 // kB, 50 ms apart
	}{
		{"a long drain", []float64{0, 0, 0, 0, 0, 50, 62.5, 75, 87.5, 100}},
		{"a short drain", []float64{0, 0, 50, 62.5}},
	} {
		c := chosen4500()
		for i, kB := range tc.delivered {
			c.history = append(c.history, sample{t: 10*time.Second + time.Duration(i)*observeEvery, bytes: uint64(kB * 1000)})
		}
		span, steady := c.deliveredSince(10*time.Second), c.steadyRateSince(10*time.Second)
		t.Logf("%s: over the span %.0f kb/s, with the stall left out %.0f", tc.name, span, steady)
		if steady != 2000 {
			t.Errorf("%s: the drain's rate with the stall left out is %.0f kb/s, want 2000", tc.name, steady)
		}
	}
}
