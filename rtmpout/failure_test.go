package rtmpout

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"onair/tools/testpeer"
)

func dialErr(t *testing.T, cfg Config) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Dial(ctx, cfg)
	if err == nil {
		closeConn(t, c)
		t.Fatal("Dial succeeded")
	}
	return err
}

func TestRTMPS(t *testing.T) {
	cl := testClip(t)
	ca := testpeer.NewCA(t)
	n := testpeer.StartNginx(t, testpeer.NginxOptions{TLSCert: ca.CertFile, TLSKey: ca.KeyFile})
	server := fmt.Sprintf("rtmps://localhost:%d/live", n.TLSPort)

	// Unpaced, the clip is queued faster than real time: no drops for this check.
	c := dial(t, Config{Server: server, Key: "secure", ExtraCAPEM: ca.CertPEM, Drop: DropPolicy{Disposable: time.Hour, ToKeyframe: time.Hour}})
	publish(t, c, cl, 0)
	closeConn(t, c) // flushes: everything queued has been written
	if st := c.Stats(); st.VideoSent != uint64(cl.count(true)) || st.AudioSent != uint64(cl.count(false)) {
		t.Fatalf("sent %d video and %d audio frames over TLS, of %d and %d", st.VideoSent, st.AudioSent, cl.count(true), cl.count(false))
	}

	other := testpeer.NewCA(t)
	err := dialErr(t, Config{Server: server, Key: "secure", ExtraCAPEM: other.CertPEM})
	if !errors.Is(err, ErrCertificate) || !Permanent(err) {
		t.Fatalf("wrong CA: %v, want a permanent ErrCertificate", err)
	}
	// Certificate verification is on by default: the system roots do not know the test CA.
	if err := dialErr(t, Config{Server: server, Key: "secure"}); !errors.Is(err, ErrCertificate) {
		t.Fatalf("no CA: %v, want ErrCertificate", err)
	}
	// RTMPS to a plain RTMP port fails as TLS, not as a hang.
	if err := dialErr(t, Config{Server: fmt.Sprintf("rtmps://localhost:%d/live", n.Port), Key: "k", Timeout: 3 * time.Second}); !errors.Is(err, ErrTLS) && !errors.Is(err, ErrTimeout) {
		t.Fatalf("rtmps to plain port: %v", err)
	}
}

func TestPublishRejected(t *testing.T) {
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
	}))
	defer hook.Close()
	n := testpeer.StartNginx(t, testpeer.NginxOptions{OnPublish: hook.URL + "/auth"})
	start := time.Now()
	err := dialErr(t, Config{Server: n.URL(""), Key: "wrong-key-123"})
	if !errors.Is(err, ErrPublishRejected) {
		t.Fatalf("err = %v, want ErrPublishRejected", err)
	}
	if !Permanent(err) {
		t.Fatal("a refused key must not be retried")
	}
	if strings.Contains(err.Error(), "wrong-key-123") {
		t.Fatalf("the error shows the key: %v", err)
	}
	t.Logf("rejected after %v: %v", time.Since(start), err)
}

func TestConnectionRefused(t *testing.T) {
	err := dialErr(t, Config{Server: fmt.Sprintf("rtmp://127.0.0.1:%d/live", testpeer.FreePort(t)), Key: "k"})
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("err = %v, want ErrRefused", err)
	}
}

// TestDNSFailures: each way a name look-up fails has its kind, its words name the host, and only
// a name that does not exist is not a network that is down. The test's own DNS server answers.
func TestDNSFailures(t *testing.T) {
	dns := testpeer.StartDNS(t)
	server := fmt.Sprintf("rtmp://%s:%d/live", testpeer.TestHost, testpeer.FreePort(t))
	for _, c := range []struct {
		mode testpeer.DNSMode
		want error
	}{
		{testpeer.DNSNameError, ErrNoSuchHost},
		{testpeer.DNSServerFailure, ErrDNS},
		{testpeer.DNSSilent, ErrDNS},
		{testpeer.DNSAnswer, ErrRefused}, // the name resolves; nothing listens there
	} {
		dns.SetMode(c.mode)
		start := time.Now()
		err := dialErr(t, Config{Server: server, Key: "k", Resolver: dns.Resolver(), Timeout: 2 * time.Second})
		var e *Error
		if !errors.Is(err, c.want) || !errors.As(err, &e) || !strings.Contains(e.Words(), testpeer.TestHost) {
			t.Fatalf("DNS mode %d: %v (words %q), want %v naming the host", c.mode, err, e.Words(), c.want)
		}
		if Permanent(err) || NetworkDown(err) != (c.want != ErrRefused) {
			t.Fatalf("DNS mode %d: permanent %v, network down %v", c.mode, Permanent(err), NetworkDown(err))
		}
		if d := time.Since(start); d > 4*time.Second {
			t.Fatalf("DNS mode %d: %v with a 2 s timeout", c.mode, d)
		}
	}
	if dns.Queries() == 0 {
		t.Fatal("the test's DNS server was never asked")
	}
}

func TestSilentServerTimesOut(t *testing.T) {
	start := time.Now()
	err := dialErr(t, Config{Server: "rtmp://" + testpeer.SilentServer(t, false) + "/live", Key: "k", Timeout: 2 * time.Second})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("gave up after %v with a 2 s timeout", d)
	}
}

func TestGarbageIsAHandshakeError(t *testing.T) {
	err := dialErr(t, Config{Server: "rtmp://" + testpeer.SilentServer(t, true) + "/live", Key: "k"})
	if !errors.Is(err, ErrHandshake) {
		t.Fatalf("err = %v, want ErrHandshake", err)
	}
}

// TestServerDiesMidStream kills nginx while publishing: the error must reach the caller within two
// seconds, and no goroutine may be left behind.
func TestServerDiesMidStream(t *testing.T) {
	cl := testClip(t)
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	before := runtime.NumGoroutine()
	c := dial(t, Config{Server: n.URL("dying")})
	go func() { time.Sleep(time.Second); n.Stop() }()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, f := range cl.frames {
			time.Sleep(5 * time.Millisecond)
			var err error
			if f.video {
				err = c.WriteVideo(f.Frame)
			} else {
				err = c.WriteAudio(f.Frame)
			}
			if err != nil {
				return
			}
		}
	}()
	stopped := time.Now().Add(time.Second)
	select {
	case <-c.Failed():
	case <-time.After(5 * time.Second):
		t.Fatal("no failure 4 s after the server died")
	}
	if d := time.Since(stopped); d > 2*time.Second {
		t.Fatalf("failure reported %v after the server died", d)
	}
	if !errors.Is(c.Err(), ErrServerClosed) || Permanent(c.Err()) {
		t.Fatalf("err = %v, want a retryable ErrServerClosed", c.Err())
	}
	<-done
	closeConn(t, c)
	for i := 0; i < 50 && runtime.NumGoroutine() > before; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines before, %d after:\n%s", before, g, buf[:runtime.Stack(buf, true)])
	}
}
