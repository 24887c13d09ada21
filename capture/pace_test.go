package capture

import (
	"testing"
	"time"
)

func TestWaitUntilReturnsAtTheDeadline(t *testing.T) {
	clock := NewClock()
	due := clock.Now() + 20*time.Millisecond
	if !waitUntil(clock, due, make(chan struct{})) {
		t.Fatal("waitUntil reported a stop that did not happen")
	}
	if now := clock.Now(); now < due {
		t.Fatalf("returned at %v, before the deadline %v", now, due)
	}
}

func TestWaitUntilStops(t *testing.T) {
	clock := NewClock()
	stop := make(chan struct{})
	close(stop)
	// A past deadline must not hide a stop: a source that fell behind still ends when closed.
	if waitUntil(clock, -time.Second, stop) {
		t.Fatal("a closed stop with a past deadline: want false")
	}
	done := make(chan bool)
	stop2 := make(chan struct{})
	go func() { done <- waitUntil(clock, clock.Now()+time.Hour, stop2) }()
	close(stop2)
	if <-done {
		t.Fatal("stopped during the wait: want false")
	}
}
