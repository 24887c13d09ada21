package rtmpout

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"onair/tools/testpeer"
)

// TestLimitInFlightCapsTheKernel fills a slow uplink from a long queue, once with the kernel left
// to size its buffers and once capped: the cap must bound what the kernel holds (sent but
// unacknowledged included), and the uncapped run shows the cap is what did it.
func TestLimitInFlightCapsTheKernel(t *testing.T) {
	cl := testClip(t)
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	const limit = 32 << 10
	maxHeld := func(capped bool) int {
		th := testpeer.StartThrottle(t, fmt.Sprintf("127.0.0.1:%d", n.Port), 40<<10)
		defer th.Close()
		c := dial(t, Config{Server: "rtmp://" + th.Addr + "/live/inflight", Drop: DropPolicy{Disposable: time.Hour, ToKeyframe: time.Hour}})
		if capped {
			c.LimitInFlight(limit)
		}
		cl.queueVideo(t, c, 6) // 24 s of media at once: the queue stays full throughout
		held := 0
		for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			held = max(held, c.Stats().KernelUnsent)
		}
		c.Abort(nil)
		if !errors.Is(c.Err(), ErrNetwork) {
			t.Fatalf("after Abort(nil): %v; want ErrNetwork", c.Err())
		}
		return held
	}
	free, capped := maxHeld(false), maxHeld(true)
	t.Logf("kernel held at most %d B left alone, %d B capped at %d B", free, capped, limit)
	if capped > limit*3/2 { // the kernel lets one write's worth past the limit
		t.Fatalf("capped at %d B, the kernel still held %d B", limit, capped)
	}
	if free < 2*limit {
		t.Fatalf("left alone the kernel held only %d B: this link does not test the cap", free)
	}
}
