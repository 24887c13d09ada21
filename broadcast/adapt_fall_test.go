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
