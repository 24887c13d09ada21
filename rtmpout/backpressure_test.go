package rtmpout

import (
	"fmt"
	"testing"
	"time"

	"onair/tools/testpeer"
)

// TestBackpressureDropsVideoKeepsAudio publishes in real time through an uplink half as fast as the
// stream (the audio alone takes most of it): the queue must grow and show in the stats, the drop policy must keep it under its
// second threshold plus one GOP, and every audio frame must arrive.
func TestBackpressureDropsVideoKeepsAudio(t *testing.T) {
	cl := testClip(t)
	total := 0
	for _, f := range cl.frames {
		total += len(f.Data)
	}
	clipRate := total / 4 // bytes per second of the 4 s clip
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	th := testpeer.StartThrottle(t, fmt.Sprintf("127.0.0.1:%d", n.Port), clipRate/2)

	keyRequests := 0
	policy := DropPolicy{Disposable: 300 * time.Millisecond, ToKeyframe: 500 * time.Millisecond}
	c := dial(t, Config{Server: "rtmp://" + th.Addr + "/live/slow", Drop: policy, KernelBuffer: 16 << 10,
		OnKeyframeNeeded: func() { keyRequests++ }})

	const reps = 3
	gop := 2 * time.Second
	var maxQueue time.Duration
	maxKernel := 0
	sample := func() {
		st := c.Stats()
		maxQueue = max(maxQueue, st.QueueDuration)
		maxKernel = max(maxKernel, st.KernelUnsent)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.WriteVideoConfig(cl.videoConfig))
	must(c.WriteAudioConfig(cl.audioConfig))
	start := time.Now()
	audio := 0
	for r := 0; r < reps; r++ {
		off := time.Duration(r) * 4 * time.Second
		for _, f := range cl.frames {
			if d := f.DTS + off - time.Since(start); d > 0 {
				time.Sleep(d)
			}
			fr := f.Frame
			fr.DTS += off
			fr.PTS += off
			if f.video {
				must(c.WriteVideo(fr))
			} else {
				must(c.WriteAudio(fr))
				audio++
			}
			sample()
		}
	}
	th.SetRate(0) // let the rest through so Close can flush
	closeConn(t, c)
	st := c.Stats()
	t.Logf("clip %d B/s, link %d B/s: max queue %v, max kernel unsent %d B, video sent %d dropped %d, audio sent %d of %d, keyframe requests %d",
		clipRate, clipRate/2, maxQueue, maxKernel, st.VideoSent, st.VideoDropped, st.AudioSent, audio, keyRequests)

	if maxQueue <= policy.Disposable {
		t.Fatalf("the queue never grew past %v (max %v): no backpressure seen", policy.Disposable, maxQueue)
	}
	if maxQueue > policy.ToKeyframe+gop {
		t.Fatalf("queue reached %v, more than %v + one GOP", maxQueue, policy.ToKeyframe)
	}
	if st.VideoDropped == 0 || keyRequests == 0 || st.KeyframeRequests != uint64(keyRequests) {
		t.Fatalf("dropped %d video frames, %d keyframe requests (stats say %d)", st.VideoDropped, keyRequests, st.KeyframeRequests)
	}
	if st.AudioSent != uint64(audio) {
		t.Fatalf("audio sent %d of %d: audio must never be dropped", st.AudioSent, audio)
	}
	if st.VideoSent+st.VideoDropped != uint64(reps*cl.count(true)) {
		t.Fatalf("video sent %d + dropped %d != %d written", st.VideoSent, st.VideoDropped, reps*cl.count(true))
	}
}
