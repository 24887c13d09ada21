package broadcast

import (
	"testing"
	"time"
)

// TestPacingLeavesRoomToDrain: the pace the kernel may send at stays half again above the stream
// and what the link delivered; after a cut during a TCP stall (nothing
// delivered, the target far down) it stays above the rate the stream settles back at, or the
// backlog would leave slower than the link takes it.
func TestPacingLeavesRoomToDrain(t *testing.T) {
	c := newController(Plan{Config: Config{VideoKbps: 1700, AudioKbps: 160, Adaptive: true}}, func(int) {}, nil)
	l := &fluidLink{c: c, linkKbps: 6000, encoderShare: 1, minRTT: 40 * time.Millisecond}
	for l.now < 2*time.Second {
		l.step()
	}
	steady := float64(c.pacingRate()) * 8 / 1000 // kb/s
	if want := pacingShare * float64(c.target+c.audio); steady < want*0.97 {
		t.Fatalf("steady at %d kb/s, paced at %.0f kb/s, want %.0f", c.target+c.audio, steady, want)
	}
	// TCP stalls after a loss: for a second only retransmissions get through.
	l.linkKbps = 200
	for stall := l.now + time.Second; l.now < stall; {
		l.step()
	}
	if c.mode != modeDraining || c.target >= 1700 {
		t.Fatalf("after a second's stall: mode %d, target %d kb/s; want a cut, draining", c.mode, c.target)
	}
	paced := float64(c.pacingRate()) * 8 / 1000
	t.Logf("steady paced at %.0f kb/s; in the stall, cut to %d kb/s, paced at %.0f kb/s", steady, c.target, paced)
	if want := pacingShare * float64(c.settled()+c.audio); paced < want*0.97 {
		t.Fatalf("draining toward %d kb/s, paced at %.0f kb/s, want %.0f", c.settled(), paced, want)
	}
}
