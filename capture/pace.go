package capture

import (
	"runtime"
	"time"
)

// waitUntil sleeps until clock time t, or returns false if stop closes first. Sources that pace
// themselves (files, test sources) wait here for each frame.
//
// After the timer fires it yields once, so that the frame's work starts a new scheduler time
// slice. A goroutine woken by a timer runs in the slice its processor last started, and so does
// every goroutine it wakes in turn (encoder, sender, writer). Go's monitor thread (sysmon) then
// sees one slice that has lasted since an earlier frame, far over its 10 ms limit, and takes the
// processor from whichever goroutine is inside x264 or another C call. Each such take sets sysmon
// polling every 20 µs for a millisecond or more, at a cost of a thread wake each time. Measured on
// a 10 s 720p30 file stream: processors taken back 193 → 7, nanosleep calls (nearly all sysmon's)
// 2 700–5 900 → 1 050–1 500, futex calls 2 400–2 600 → 2 100–2 200 (README, Performance).
func waitUntil(clock *Clock, t time.Duration, stop <-chan struct{}) bool {
	if d := time.Until(clock.At(t)); d > 0 {
		tm := time.NewTimer(d)
		defer tm.Stop()
		select {
		case <-tm.C:
			runtime.Gosched()
		case <-stop:
			return false
		}
	}
	select {
	case <-stop:
		return false
	default:
		return true
	}
}
