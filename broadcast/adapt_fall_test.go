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

// TestAStallAtAFallIsMeasuredByTheDrain: the link falls from 6 to 2 Mb/s and TCP stalls for 0.6 s
// on the losses (a shallow buffer). The congestion reads the link near zero and the queued video is
// dropped; then the kernel's backlog drains at the link's rate, and the stream settles there, not
// at the stall's rate, which took seconds of probes to climb back from.
func TestAStallAtAFallIsMeasuredByTheDrain(t *testing.T) {
	const fallAt, stall, kernelHolds = 10 * time.Second, 600 * time.Millisecond, 64 << 10
	c := chosen4500()
	var queued, written, delivered float64 // bytes
	lowest := c.target
	for now := time.Duration(0); now < fallAt+3*time.Second; now += observeEvery {
		stream := float64(c.target + c.audio + c.pad)
		queued += stream * 1000 / 8 * observeEvery.Seconds()
		moved := min(queued, kernelHolds-(written-delivered))
		queued, written = queued-moved, written+moved
		link := 6000.0
		switch {
		case now >= fallAt+stall:
			link = 2000
		case now >= fallAt:
			link = 0
		}
		delivered += min(written-delivered, link*1000/8*observeEvery.Seconds())
		c.observe(now, rtmpout.Stats{SentBytes: uint64(written), DeliveredBytes: uint64(delivered),
			KernelUnsent: int(written - delivered), QueueBytes: int(queued),
			QueueDuration: seconds(queued * 8 / 1000 / stream), MinRTT: time.Millisecond})
		if skip, _ := c.takeSkip(); skip {
			queued = 0
		}
		lowest = min(lowest, c.target)
	}
	t.Logf("after the fall: %d kb/s at the lowest, %d kb/s 3 s later", lowest, c.target)
	if !c.fell || lowest > 1000 {
		t.Fatalf("no fall that dropped the queue (lowest %d kb/s): the test shows nothing", lowest)
	}
	if c.target < 1500 {
		t.Fatalf("3 s after a fall to 2 Mb/s with a stall, the stream is at %d kb/s, want 1500 or more", c.target)
	}
}
