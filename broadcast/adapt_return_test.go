package broadcast

import (
	"testing"
	"time"
)

// TestReturnProbesFindTheLinkSoon: after a fall the link widens again, part of the way. A probe a
// second, each aiming back at the rate before the fall, finds it within a probe or two (Wi-Fi's
// good spells last a few seconds). Every other probe aimed there, 1.5 s apart: 1.95 s.
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
	if reached < 0 || reached > 1200*time.Millisecond {
		t.Fatalf("at 80 %% of the wider link %v after it widened, want within 1.2 s", reached)
	}
}
