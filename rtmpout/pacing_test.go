package rtmpout

import (
	"testing"
	"time"

	"onair/tools/testpeer"
)

// TestLimitPacingCapsTheSendRate writes 24 s of media at once to nginx over loopback, once left
// alone and once paced: what the peer has acknowledged a second later must stay near the pace,
// and the run left alone shows the pace is what held it.
func TestLimitPacingCapsTheSendRate(t *testing.T) {
	cl := testClip(t)
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	const pace = 100 << 10 // bytes a second
	deliveredIn := func(paced bool) uint64 {
		c := dial(t, Config{Server: n.URL("pacing"), Drop: DropPolicy{Disposable: time.Hour, ToKeyframe: time.Hour}})
		defer c.Abort(nil)
		if paced {
			c.LimitPacing(pace)
		}
		start := c.Stats().DeliveredBytes
		cl.queueVideo(t, c, 6)
		time.Sleep(time.Second)
		return c.Stats().DeliveredBytes - start
	}
	free, paced := deliveredIn(false), deliveredIn(true)
	t.Logf("delivered in a second: %d B left alone, %d B paced at %d B/s", free, paced, pace)
	if paced > 2*pace { // the first window leaves unpaced
		t.Fatalf("paced at %d B/s, %d B went out in a second", pace, paced)
	}
	if free < 4*pace {
		t.Fatalf("left alone only %d B went out in a second: this link does not test the pace", free)
	}
}
