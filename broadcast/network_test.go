package broadcast

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"onair/rtmpout"
	"onair/tools/testpeer"
)

// TestStreamSurvivesAWiFiDrop: mid-stream the server goes away and its name stops resolving (the
// test's DNS server first goes silent, then answers "no such name") for 6 s, as on a Wi-Fi drop.
// OnAir keeps trying, says it waits for the network, and is live again within 2 s once both are
// back, over RTMP and RTMPS.
func TestStreamSurvivesAWiFiDrop(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run(map[bool]string{false: "rtmp", true: "rtmps"}[secure], func(t *testing.T) {
			dns := testpeer.StartDNS(t)
			cfg := Config{Preset: "custom", Key: "wifi", Width: 640, Height: 360, FPS: 30, VideoKbps: 1000, Resolver: dns.Resolver()}
			opts := testpeer.NginxOptions{}
			var ca *testpeer.CA
			if secure {
				ca = testpeer.NewCA(t)
				opts.TLSCert, opts.TLSKey = ca.CertFile, ca.KeyFile
			}
			n := testpeer.StartNginx(t, opts)
			cfg.Server = fmt.Sprintf("rtmp://%s:%d/live", testpeer.TestHost, n.Port)
			if secure {
				cfg.Server = fmt.Sprintf("rtmps://%s:%d/live", testpeer.TestHost, n.TLSPort)
				cfg.CAFile = filepath.Join(t.TempDir(), "ca.pem")
				if err := os.WriteFile(cfg.CAFile, ca.CertPEM, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			s, err := Start(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Stop)
			waitState(t, s, StateLive, 10*time.Second)
			time.Sleep(time.Second)

			seen := watchStates(s)
			dns.SetMode(testpeer.DNSSilent)
			n.Stop()
			time.Sleep(3 * time.Second)
			dns.SetMode(testpeer.DNSNameError)
			time.Sleep(3 * time.Second)
			dns.SetMode(testpeer.DNSAnswer)
			n.Start()
			back := time.Now()
			live := waitState(t, s, StateLive, 10*time.Second)
			states := seen()
			t.Logf("live again %v after the network came back; states meanwhile %v; %d DNS questions", live.Sub(back), states, dns.Queries())
			if d := live.Sub(back); d > 2*time.Second {
				t.Fatalf("live again only %v after the network and the server came back", d)
			}
			if !states[StateWaitingNetwork] || states[StateFailed] {
				t.Fatalf("states during the drop: %v; want waiting_network and never failed", states)
			}
			if st := s.Snapshot(); st.Reconnects != 1 {
				t.Fatalf("%d reconnects counted", st.Reconnects)
			}
		})
	}
}

// watchStates records the states the session passes through until the returned func is called.
func watchStates(s *Session) func() map[State]bool {
	var mu sync.Mutex
	seen := map[State]bool{}
	done := make(chan struct{})
	go func() {
		for {
			st := s.State()
			mu.Lock()
			seen[st] = true
			mu.Unlock()
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() map[State]bool {
		close(done)
		mu.Lock()
		defer mu.Unlock()
		return seen
	}
}

// TestServerThatTurnsHostileEndsTheStream: mid-stream the server is replaced by one that answers
// the handshake with garbage. After at most one more try the stream ends, within 12 s, in words.
func TestServerThatTurnsHostileEndsTheStream(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	s := startSession(t, n.URL(""), "turns")
	waitState(t, s, StateLive, 5*time.Second)
	n.Stop()
	stopped := time.Now()
	hostile := testpeer.HostileServerAt(t, fmt.Sprintf("127.0.0.1:%d", n.Port), testpeer.SendsGarbage)
	select {
	case <-s.Done():
	case <-time.After(15 * time.Second):
		t.Fatalf("still %s 15 s after the server turned hostile", s.State())
	}
	err := s.Wait()
	words, _ := Explain(err)
	st := s.Snapshot()
	t.Logf("ended %v after the server turned hostile, attempt %d, %d of them to it: %s", time.Since(stopped), st.Attempt, hostile.Handshakes(), words)
	if !errors.Is(err, rtmpout.ErrHandshake) || !strings.Contains(words, "did not answer like an RTMP server") {
		t.Fatalf("ended with %v (%q)", err, words)
	}
	if d := time.Since(stopped); d > 12*time.Second {
		t.Fatalf("ended %v after the server turned hostile", d)
	}
	if hostile.Handshakes() > 2 {
		t.Fatalf("%d attempts at a server that does not speak RTMP", hostile.Handshakes())
	}
}

// TestCancelledContextEndsTheSession: cancelling the context given to Start ends the session as
// Stop does.
func TestCancelledContextEndsTheSession(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Start(ctx, Config{Preset: "custom", Server: n.URL(""), Key: "cancel", Width: 640, Height: 360, FPS: 30, VideoKbps: 1000})
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, s, StateLive, 5*time.Second)
	cancel()
	select {
	case <-s.Done():
	case <-time.After(3 * time.Second):
		t.Fatalf("still %s 3 s after the context was cancelled", s.State())
	}
	if err := s.Wait(); err != nil || s.State() != StateStopped {
		t.Fatalf("ended %s with %v", s.State(), err)
	}
}

// TestStopWithAServerThatStopsReading: Stop returns within 2 s though the server takes nothing.
func TestStopWithAServerThatStopsReading(t *testing.T) {
	addr := testpeer.HostileServer(t, testpeer.StopsReading).Addr
	s := startSession(t, "rtmp://"+addr+"/live", "stuck")
	waitState(t, s, StateLive, 5*time.Second)
	time.Sleep(3 * time.Second) // the socket's buffers fill
	start := time.Now()
	s.Stop()
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Stop took %v", d)
	}
}

// giveUp's rules, for a stream that was live: what heals is retried, what cannot is not; a busy key
// is our own old connection for busyGrace; a server that does not speak RTMP gets one more try.
func TestGiveUpRules(t *testing.T) {
	busy := &rtmpout.Error{Kind: rtmpout.ErrStreamBusy}
	for _, c := range []struct {
		name      string
		live      bool
		lostAgo   time.Duration
		protocol  int
		max, done int
		err       error
		gives     bool
	}{
		{"no such name while live", true, 0, 0, 0, 0, &rtmpout.Error{Kind: rtmpout.ErrNoSuchHost}, false},
		{"no such name before live", false, 0, 0, 0, 0, &rtmpout.Error{Kind: rtmpout.ErrNoSuchHost}, true},
		{"DNS timeout while live", true, 0, 0, 0, 0, &rtmpout.Error{Kind: rtmpout.ErrDNS}, false},
		{"TLS reset while live", true, 0, 0, 0, 0, &rtmpout.Error{Kind: rtmpout.ErrTLS}, false},
		{"refused certificate", true, 0, 0, 0, 0, &rtmpout.Error{Kind: rtmpout.ErrCertificate}, true},
		{"refused key", true, 0, 0, 0, 0, &rtmpout.Error{Kind: rtmpout.ErrPublishRejected}, true},
		{"busy key just after a drop", true, time.Minute, 0, 0, 0, busy, false},
		{"busy key long after a drop", true, 3 * time.Minute, 0, 0, 0, busy, true},
		{"busy key before live", false, 0, 0, 0, 0, busy, true},
		{"not RTMP, first time", true, 0, 1, 0, 0, &rtmpout.Error{Kind: rtmpout.ErrHandshake}, false},
		{"not RTMP, second time", true, 0, 2, 0, 0, &rtmpout.Error{Kind: rtmpout.ErrHandshake}, true},
		{"unlimited attempts", true, 0, 0, 0, 500, &rtmpout.Error{Kind: rtmpout.ErrRefused}, false},
		{"attempts used up", true, 0, 0, 5, 5, &rtmpout.Error{Kind: rtmpout.ErrRefused}, true},
	} {
		s := &Session{}
		s.plan.MaxAttempts = c.max
		d := &destination{s: s, attempt: c.done, lostAt: time.Now().Add(-c.lostAgo), protocolFailures: c.protocol}
		if c.live {
			d.liveSince = time.Now().Add(-time.Hour)
		}
		if got := d.giveUp(c.err) != nil; got != c.gives {
			t.Errorf("%s: gives up %v, want %v", c.name, got, c.gives)
		}
	}
}
