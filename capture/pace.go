package capture

import (
	"runtime"
	"time"
)

// waitUntil sleeps until clock time t, or returns false if stop closes first. Sources that pace
// themselves (files, test sources) wait here for each frame.
//
// It yields once after the timer fires so that the frame's work (capture, encoder, sender) starts
// a fresh scheduler slice: otherwise Go's monitor thread sees one long slice and preempts x264 in
// the middle of a frame (what that cost is in docs/performance.md).
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
