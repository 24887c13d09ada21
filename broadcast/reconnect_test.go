package broadcast

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"onair/rtmpout"
	"onair/tools/testpeer"
)

func startSession(t *testing.T, server, key string) *Session {
	t.Helper()
	s, err := Start(context.Background(), Config{Preset: "custom", Server: server, Key: key, Width: 640, Height: 360, FPS: 30, VideoKbps: 1000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// waitState waits for the session to reach st and returns when it did.
func waitState(t *testing.T, s *Session, st State, limit time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if s.State() == st {
			return time.Now()
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("state %s, not %s, after %v (%+v)", s.State(), st, limit, s.Snapshot())
	return time.Time{}
}

// TestReconnectAfterOutages stops nginx mid-stream for 5 s, then for 20 s: each time OnAir must be
// live again within 2 s of the server's return, by itself, count what it lost, and the stream must
// be readable afterwards. No goroutine may be left behind.
func TestReconnectAfterOutages(t *testing.T) {
	before := runtime.NumGoroutine()
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	s, err := Start(context.Background(), Config{Preset: "custom", Server: n.URL(""), Key: "again", Width: 640, Height: 360, FPS: 30, VideoKbps: 1000})
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, s, StateLive, 5*time.Second)
	time.Sleep(2 * time.Second)

	for i, outage := range []time.Duration{5 * time.Second, 20 * time.Second} {
		dropped := s.Snapshot().FramesDropped
		n.Stop()
		waitState(t, s, StateReconnecting, 3*time.Second)
		time.Sleep(outage / 2)
		mid := s.Snapshot()
		if mid.State != StateReconnecting || mid.Attempt < 1 || mid.Error == "" {
			t.Fatalf("outage %d: during the outage the stats say %+v", i, mid)
		}
		if outage > 10*time.Second && (mid.Attempt < 3 || mid.RetryInS <= 0) {
			t.Fatalf("outage %d: a long outage shows attempt %d, retry in %.1f s", i, mid.Attempt, mid.RetryInS)
		}
		time.Sleep(outage - outage/2)
		back := time.Now()
		n.Start()
		live := waitState(t, s, StateLive, 10*time.Second)
		t.Logf("outage %v: live again %v after the server came back (attempt %d shown midway)", outage, live.Sub(back), mid.Attempt)
		if d := live.Sub(back); d > 2*time.Second {
			t.Fatalf("outage %d: live again only %v after the server returned", i, d)
		}
		// The stream is readable after the reconnect: a player gets video and audio. It copies video
		// from the first keyframe it sees, up to one 2 s GOP after joining: of 5 s, at least 3 s.
		rec := filepath.Join(t.TempDir(), "after.flv")
		r := testpeer.Record(t, n.URL("again"), rec, 5*time.Second)
		_ = r.Wait()
		p := testpeer.ProbeFile(t, rec)
		if len(p.PacketsOf("video")) < 85 || len(p.PacketsOf("audio")) < 200 {
			t.Fatalf("outage %d: after reconnecting a player read %d video and %d audio packets in 5 s", i, len(p.PacketsOf("video")), len(p.PacketsOf("audio")))
		}
		st := s.Snapshot()
		lost := st.FramesDropped - dropped
		if lost < uint64(outage.Seconds()*30*0.8) {
			t.Fatalf("outage %d: %v without a server, but only %d frames counted lost", i, outage, lost)
		}
		if st.Reconnects != i+1 {
			t.Fatalf("outage %d: %d reconnects counted", i, st.Reconnects)
		}
	}
	start := time.Now()
	s.Stop()
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Stop took %v", d)
	}
	for i := 0; i < 100 && runtime.NumGoroutine() > before+2; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before+2 { // nginx's and ffmpeg's waiters belong to testpeer
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines before, %d after:\n%s", before, g, buf[:runtime.Stack(buf, true)])
	}
}

// TestStopDuringCountdownIsImmediate stops a session that waits to reconnect.
func TestStopDuringCountdownIsImmediate(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	s := startSession(t, n.URL(""), "countdown")
	waitState(t, s, StateLive, 5*time.Second)
	n.Stop()
	waitState(t, s, StateReconnecting, 3*time.Second)
	time.Sleep(3 * time.Second)
	start := time.Now()
	s.Stop()
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Stop during the countdown took %v", d)
	}
	if s.State() != StateStopped {
		t.Fatalf("state %s after Stop", s.State())
	}
}

// TestRefusedKeyStopsAtOnce: a refused publish is not retried; the session fails with the words.
func TestRefusedKeyStopsAtOnce(t *testing.T) {
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) }))
	defer hook.Close()
	n := testpeer.StartNginx(t, testpeer.NginxOptions{OnPublish: hook.URL})
	start := time.Now()
	s := startSession(t, n.URL(""), "bad-key-42")
	err := s.Wait()
	if !errors.Is(err, rtmpout.ErrPublishRejected) {
		t.Fatalf("err = %v, want the publish-rejected error", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("failed after %v", d)
	}
	st := s.Snapshot()
	if st.State != StateFailed || st.Attempt > 0 || !strings.Contains(st.Error, "stream key") || strings.Contains(st.Error+st.ErrorDetail, "bad-key-42") {
		t.Fatalf("stats %+v", st)
	}
}

// TestSilentAndGarbageServers end in words that name the server, within the bounds: a timeout
// within 10 s, a server that is not an RTMP server (garbage instead of the handshake, or after it)
// at once.
func TestSilentAndGarbageServers(t *testing.T) {
	for _, c := range []struct {
		name, addr string
		want       error
		limit      time.Duration
	}{
		{"silent", testpeer.SilentServer(t, false), rtmpout.ErrTimeout, 11 * time.Second},
		{"garbage for a handshake", testpeer.SilentServer(t, true), rtmpout.ErrHandshake, 2 * time.Second},
		{"garbage after the handshake", testpeer.HostileServer(t, testpeer.SendsGarbage).Addr, rtmpout.ErrHandshake, 2 * time.Second},
	} {
		start := time.Now()
		s := startSession(t, "rtmp://"+c.addr+"/live", "k")
		err := s.Wait()
		words, _ := Explain(err)
		t.Logf("%s: after %v: %s", c.name, time.Since(start), words)
		if !errors.Is(err, c.want) || time.Since(start) > c.limit || !strings.Contains(words, "server at 127.0.0.1") {
			t.Fatalf("%s: %v (%q) after %v", c.name, err, words, time.Since(start))
		}
	}
}

// TestFrozenServerCountsAsDropped: a server that hangs (no reset, no acknowledgement) is a dropped
// connection after ackTimeout, and OnAir reconnects once it answers again.
func TestFrozenServerCountsAsDropped(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	s := startSession(t, n.URL(""), "frozen")
	waitState(t, s, StateLive, 5*time.Second)
	n.Freeze()
	frozen := time.Now()
	waitState(t, s, StateReconnecting, ackTimeout+8*time.Second)
	d := time.Since(frozen)
	t.Logf("judged dropped %v after the server froze: %s", d, s.Snapshot().Error)
	if d < ackTimeout {
		t.Fatalf("dropped after %v, before %v without acknowledgements", d, ackTimeout)
	}
	n.Thaw()
	n.Stop() // its old sockets are stuck: a restart is what a real ingest would do
	n.Start()
	waitState(t, s, StateLive, 5*time.Second)
}
