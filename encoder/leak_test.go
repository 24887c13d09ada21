package encoder

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rssKB reads the process's resident set size from /proc.
func rssKB(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// TestNoLeak pushes 10 000 frames and audio chunks through the encoders: RSS after the first 1 000
// and after all 10 000 must stay within 8 MB. It takes about a minute: ONAIR_LONG_TESTS=1 (make
// test-long) runs it.
func TestNoLeak(t *testing.T) {
	if os.Getenv("ONAIR_LONG_TESTS") == "" {
		t.Skip("set ONAIR_LONG_TESTS=1 (make test-long) to run the 10 000-frame leak test")
	}
	const w, h, n = 640, 360, 10000
	v, err := NewVideo(VideoConfig{Width: w, Height: h, FPS: 30, BitrateKbps: 1500, Codec: "libx264", Preset: "ultrafast"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewAudio(AudioConfig{SampleRate: 48000, Channels: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	go func() {
		for range v.Packets() {
		}
	}()
	y, u, vv := pattern(w, h, 0)
	chunk := AudioChunk{Float32: make([]float32, 2*1600)}
	var base int
	for i := 0; i < n; i++ {
		if i%500 == 0 {
			v.SetBitrate(1000 + i%1500)
		}
		submitWait(t, v, i420Frame(w, h, y, u, vv, time.Duration(i)*time.Second/30))
		chunk.PTS = time.Duration(i) * time.Second / 30
		if _, err := a.Encode(chunk); err != nil {
			t.Fatal(err)
		}
		if i == 1000 {
			runtime.GC()
			base = rssKB(t)
		}
	}
	_ = v.Close()
	runtime.GC()
	end := rssKB(t)
	t.Logf("RSS after 1000 frames %d kB, after %d frames %d kB", base, n, end)
	if end-base > 8*1024 {
		t.Fatalf("RSS grew by %d kB over %d frames", end-base, n-1000)
	}
}
