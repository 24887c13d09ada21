package rtmpout

import (
	"context"
	"runtime"
	"testing"
	"time"

	"onair/tools/testpeer"
)

// BenchmarkPublishToNginx measures packet -> FLV -> chunks -> socket on loopback to nginx-rtmp:
// MB/s and allocations per packet. Frames are 18750 bytes, a 4500 kb/s 30 fps stream's average.
func BenchmarkPublishToNginx(b *testing.B) {
	n := testpeer.StartNginx(b, testpeer.NginxOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, Config{Server: n.URL("bench"), Drop: DropPolicy{Disposable: time.Hour, ToKeyframe: 2 * time.Hour}})
	if err != nil {
		b.Fatal(err)
	}
	frame := make([]byte, 18750)
	copy(frame, []byte{0, 0, 0, 1, 0x41, 0x9a}) // one reference P slice
	for i := 6; i < len(frame); i++ {
		frame[i] = byte(i*31) | 1 // no accidental start codes
	}
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for c.q.len() > 64 { // keep the queue short, as a real-time producer would
			runtime.Gosched()
		}
		d := time.Duration(i) * 33 * time.Millisecond
		if err := c.WriteVideo(Frame{DTS: d, PTS: d, Keyframe: i%60 == 0, Data: frame}); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if st := c.Stats(); st.VideoSent != uint64(b.N) {
		b.Fatalf("sent %d of %d", st.VideoSent, b.N)
	}
}
