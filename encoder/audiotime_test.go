package encoder

import (
	"testing"
	"time"
)

// An hour of microphone sound, simulated: the sound card's clock runs 0.1 % fast (48 048 samples
// a second of real time) and one 20 ms chunk in a hundred is lost. The timeline keeps every
// chunk's sound within maxAVDrift (and one correction's rounding) of when it was captured; plain
// sample counting drifts by seconds.
func TestAudioTimelineHoldsSyncForAnHour(t *testing.T) {
	for _, c := range []struct {
		clock     float64 // the sound card's rate against real time
		lostEvery int     // one chunk in this many is lost (0: none)
	}{{1.001, 100}, {1.001, 0}, {0.999, 0}} {
		holdsSync(t, c.clock, c.lostEvery)
	}
}

func holdsSync(t *testing.T, clock float64, lostEvery int) {
	const rate, n = 48000, 960
	tl := audioTimeline{rate: rate}
	var counted int64 // plain counting, for comparison
	worst, naiveWorst := time.Duration(0), time.Duration(0)
	pads, trims := 0, 0
	for i := 0; ; i++ {
		// the capture time of chunk i's first sample, on the session clock
		pts := time.Duration(float64(i*n) / (rate * clock) * float64(time.Second))
		if pts > time.Hour {
			break
		}
		if lostEvery > 0 && i%lostEvery == lostEvery-1 {
			continue // lost on its way
		}
		pad, trim := tl.place(pts, n)
		if pad > 0 {
			pads++
		}
		if trim > 0 {
			trims++
		}
		// where the chunk's first kept sample lands, against when it was captured
		landed := tl.at(tl.placed-int64(n-trim)) - (pts + time.Duration(trim)*time.Second/rate)
		if landed.Abs() > worst {
			worst = landed.Abs()
		}
		if tl.Offset() != landed {
			t.Fatalf("chunk %d: Offset says %v, the sound landed %v off", i, tl.Offset(), landed)
		}
		naive := time.Duration(counted)*time.Second/rate - pts
		counted += n
		if naive.Abs() > naiveWorst {
			naiveWorst = naive.Abs()
		}
	}
	t.Logf("clock ×%.3f, one chunk in %d lost: worst offset %v over an hour (%d pads, %d trims); counting samples alone: %v",
		clock, lostEvery, worst, pads, trims, naiveWorst)
	if worst > maxAVDrift+time.Millisecond {
		t.Fatalf("audio strayed %v from its capture time", worst)
	}
	if naiveWorst < time.Second {
		t.Fatalf("the simulation is too gentle: counting alone strays only %v", naiveWorst)
	}
}

// A chunk that comes early is cut, never to less than nothing; one within the bound is untouched.
func TestAudioTimelineTrimsAndLeavesAlone(t *testing.T) {
	tl := audioTimeline{rate: 48000}
	tl.place(0, 4800) // 100 ms placed
	if pad, trim := tl.place(90*time.Millisecond, 960); pad != 0 || trim != 0 {
		t.Fatalf("10 ms early: pad %d, trim %d; want none", pad, trim)
	}
	if pad, trim := tl.place(60*time.Millisecond, 960); trim != 960 || pad != 0 {
		t.Fatalf("60 ms early with 20 ms of sound: pad %d, trim %d; want all of it cut", pad, trim)
	}
	if pad, _ := tl.place(300*time.Millisecond, 960); pad != 180*48 {
		t.Fatalf("180 ms late: pad %d samples, want %d", pad, 180*48)
	}
}
