package testpeer

import (
	"crypto/rand"
	"net"
	"testing"
)

// SilentServer accepts TCP on 127.0.0.1 and then says nothing or, with garbage, sends random bytes
// that are not an RTMP handshake. It returns host:port.
func SilentServer(t testing.TB, garbage bool) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			if garbage {
				b := make([]byte, 4000)
				_, _ = rand.Read(b)
				b[0] = 0x17 // never the RTMP version byte
				_, _ = c.Write(b)
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return l.Addr().String()
}
