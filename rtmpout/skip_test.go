package rtmpout

import (
	"testing"
	"time"
)

// TestSkipToKeyframe: the queued video goes at once (the audio stays), new video waits for a
// keyframe, the producer is asked for one once, and for the announced stall the drop policy lets
// the queue run that much longer before it drops again.
func TestSkipToKeyframe(t *testing.T) {
	q := newQueue(DropPolicy{})
	frame := func(k kind, dts time.Duration, key bool) *item {
		it := newItem()
		it.kind, it.dts, it.keyframe = k, dts, key
		it.body = append(it.body, make([]byte, 1000)...)
		return it
	}
	const step = 33 * time.Millisecond
	var dts time.Duration
	for i := 0; i < 6; i++ {
		q.push(frame(kindVideo, dts, i == 0))
		q.push(frame(kindAudio, dts, false))
		dts += step
	}
	if !q.skipToKeyframe(1500 * time.Millisecond) {
		t.Fatal("no keyframe asked for after the skip")
	}
	st := q.stats()
	if st.videoDropped != 6 || st.packets != 6 {
		t.Fatalf("after the skip: %d video dropped, %d packets queued; want 6 and the 6 audio frames", st.videoDropped, st.packets)
	}
	if q.push(frame(kindVideo, dts, false)); q.stats().videoDropped != 7 {
		t.Fatal("a frame that is no keyframe was queued while waiting for one")
	}
	q.push(frame(kindVideo, dts, true))
	if q.stats().packets != 7 {
		t.Fatal("the keyframe was not queued")
	}
	// 2 s of queue: past the policy's 900 ms, within it plus the 1.5 s stall.
	for dts < 2*time.Second {
		dts += step
		if q.push(frame(kindVideo, dts, false)) {
			t.Fatalf("keyframe asked for again at a queue of %v, within the stall", dts)
		}
	}
	if dropped := q.stats().videoDropped; dropped != 7 {
		t.Fatalf("%d frames dropped within the stall, want none more than the 7", dropped)
	}
	for dts < 2600*time.Millisecond {
		dts += step
		q.push(frame(kindVideo, dts, false))
	}
	if q.stats().videoDropped == 7 {
		t.Fatalf("nothing dropped at a queue of %v, past the stall and the policy's limit", dts)
	}
}
