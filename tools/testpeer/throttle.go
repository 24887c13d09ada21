package testpeer

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Throttle is a TCP relay on 127.0.0.1 that forwards client-to-server bytes at a set rate: a slow
// uplink in front of a real server. Server-to-client bytes pass freely.
type Throttle struct {
	Addr string
	rate atomic.Int64 // bytes per second; 0 = unlimited
	l    net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	cons []net.Conn
}

// StartThrottle relays to target at bytesPerSecond until the test ends.
func StartThrottle(t testing.TB, target string, bytesPerSecond int) *Throttle {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	th := &Throttle{Addr: l.Addr().String(), l: l}
	th.rate.Store(int64(bytesPerSecond))
	th.wg.Add(1)
	go th.accept(target)
	t.Cleanup(th.Close)
	return th
}

// SetRate changes the rate (bytes per second, 0 for unlimited).
func (th *Throttle) SetRate(bytesPerSecond int) { th.rate.Store(int64(bytesPerSecond)) }

// Close stops the relay and its connections.
func (th *Throttle) Close() {
	th.l.Close()
	th.mu.Lock()
	for _, c := range th.cons {
		c.Close()
	}
	th.mu.Unlock()
	th.wg.Wait()
}

func (th *Throttle) accept(target string) {
	defer th.wg.Done()
	for {
		c, err := th.l.Accept()
		if err != nil {
			return
		}
		// A small receive buffer, so the slow uplink pushes back at the sender at once.
		_ = c.(*net.TCPConn).SetReadBuffer(32 << 10)
		s, err := net.Dial("tcp", target)
		if err != nil {
			c.Close()
			continue
		}
		th.mu.Lock()
		th.cons = append(th.cons, c, s)
		th.mu.Unlock()
		th.wg.Add(2)
		go func() { defer th.wg.Done(); th.pace(s, c); s.Close() }()
		go func() { defer th.wg.Done(); _, _ = io.Copy(c, s); c.Close() }()
	}
}

// pace copies src to dst in 10 ms slices of the current rate.
func (th *Throttle) pace(dst io.Writer, src io.Reader) {
	buf := make([]byte, 64<<10)
	for {
		r := int(th.rate.Load())
		n := len(buf)
		if r > 0 {
			n = max(1, min(n, r/100))
		}
		got, err := src.Read(buf[:n])
		if got > 0 {
			if _, werr := dst.Write(buf[:got]); werr != nil {
				return
			}
			if r > 0 {
				time.Sleep(time.Duration(got) * time.Second / time.Duration(r))
			}
		}
		if err != nil {
			return
		}
	}
}
