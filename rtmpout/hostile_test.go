package rtmpout

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"onair/tools/testpeer"
)

// A server that answers the handshake and then sends garbage, or declares huge messages, is not
// an RTMP server: the attempt ends at once, in those words, and reading it costs little memory.
func TestHostileServersEndTheAttempt(t *testing.T) {
	for _, how := range []testpeer.Misbehaviour{testpeer.SendsGarbage, testpeer.DeclaresHugeMessages} {
		addr := testpeer.HostileServer(t, how).Addr
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		err := dialErr(t, Config{Server: "rtmp://" + addr + "/live", Key: "k"})
		took := time.Since(start)
		runtime.ReadMemStats(&after)
		allocated := after.TotalAlloc - before.TotalAlloc
		var e *Error
		if !errors.Is(err, ErrHandshake) || !errors.As(err, &e) || !strings.Contains(e.Words(), "did not answer like an RTMP server") {
			t.Fatalf("misbehaviour %d: %v, want ErrHandshake", how, err)
		}
		t.Logf("misbehaviour %d: %q after %v, %d KB allocated; %s", how, e.Words(), took, allocated>>10, e.Detail)
		if took > 2*time.Second {
			t.Fatalf("misbehaviour %d: took %v", how, took)
		}
		if allocated > 8<<20 {
			t.Fatalf("misbehaviour %d: reading it allocated %d MB", how, allocated>>20)
		}
	}
	if hwm := peakRSS(t); hwm > 150<<20 {
		t.Fatalf("peak RSS %d MB", hwm>>20)
	}
}

// A server that accepts the stream and then stops reading: Close returns within a second, and
// without Close the connection fails once a write has waited WriteTimeout.
func TestServerThatStopsReading(t *testing.T) {
	addr := testpeer.HostileServer(t, testpeer.StopsReading).Addr
	frame := Frame{Keyframe: true, Data: append([]byte{0, 0, 0, 1, 0x65}, make([]byte, 200<<10)...)}
	for _, closeIt := range []bool{true, false} {
		c := dial(t, Config{Server: "rtmp://" + addr + "/live", Key: "k", WriteTimeout: 2 * time.Second,
			Drop: DropPolicy{Disposable: time.Hour, ToKeyframe: time.Hour}})
		for i := 0; i < 100; i++ { // 20 MB: more than the kernel's buffers on both sides
			frame.DTS = time.Duration(i) * 33 * time.Millisecond
			frame.PTS = frame.DTS
			_ = c.WriteVideo(frame)
		}
		time.Sleep(500 * time.Millisecond) // the writer is blocked in the socket by now
		start := time.Now()
		if closeIt {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			c.Close(ctx)
			cancel()
			if d := time.Since(start); d > 1500*time.Millisecond {
				t.Fatalf("Close took %v", d)
			}
			continue
		}
		select {
		case <-c.Failed():
		case <-time.After(5 * time.Second):
			t.Fatal("no failure 5 s after the server stopped reading, with a 2 s write timeout")
		}
		if !errors.Is(c.Err(), ErrTimeout) || Permanent(c.Err()) {
			t.Fatalf("err = %v, want a retryable ErrTimeout", c.Err())
		}
		t.Logf("failed %v after the writes backed up: %v", time.Since(start), c.Err())
		closeConn(t, c)
	}
}

// peakRSS is this process's peak resident memory (Linux; 0 elsewhere).
func peakRSS(t *testing.T) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			t.Logf("peak RSS of the test process: %d MB", kb>>10)
			return kb << 10
		}
	}
	return 0
}
