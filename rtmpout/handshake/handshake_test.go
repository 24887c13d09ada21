package handshake

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
)

// serve plays a server: it reads C0+C1, sends reply(c1), then reads C2.
func serve(t *testing.T, conn net.Conn, reply func(c0c1 []byte) []byte) {
	defer conn.Close()
	c0c1 := make([]byte, 1+Size)
	if _, err := io.ReadFull(conn, c0c1); err != nil {
		return
	}
	r := reply(c0c1)
	_, _ = conn.Write(r)
	if len(r) == 1+2*Size {
		_, _ = io.ReadFull(conn, make([]byte, Size))
	}
}

func echoServer(c0c1 []byte) []byte {
	s := make([]byte, 1+2*Size)
	s[0] = Version
	for i := 9; i <= Size; i++ {
		s[i] = byte(i * 7)
	}
	copy(s[1+Size:], c0c1[1:])
	return s
}

func TestHandshakeAgainstEchoServer(t *testing.T) {
	c, s := tcpPair(t)
	go serve(t, s, echoServer)
	if err := Do(c); err != nil {
		t.Fatal(err)
	}
}

func TestC0C1Layout(t *testing.T) {
	c, s := tcpPair(t)
	got := make(chan []byte, 1)
	go serve(t, s, func(c0c1 []byte) []byte { got <- c0c1; return echoServer(c0c1) })
	if err := Do(c); err != nil {
		t.Fatal(err)
	}
	b := <-got
	if b[0] != 3 || !bytes.Equal(b[5:9], []byte{0, 0, 0, 0}) {
		t.Fatalf("C0 = %d, C1 zero field = %x", b[0], b[5:9])
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		reply []byte
		want  error
	}{
		{"http answer", []byte("HTTP/1.1 400 Bad Request\r\n\r\n"), ErrNotRTMP},
		{"tls alert", []byte{0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46}, ErrNotRTMP},
		{"closed at once", nil, ErrShort},
		{"closed inside S1", append([]byte{3}, make([]byte, 100)...), ErrShort},
		{"all zero S1 and S2", append([]byte{3}, make([]byte, 2*Size)...), ErrNotRTMP},
	} {
		cl, sv := tcpPair(t)
		go serve(t, sv, func([]byte) []byte { return c.reply })
		if err := Do(cl); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

// FuzzHandshake feeds arbitrary server bytes: the client must return (an error or nil), never panic
// or hang.
func FuzzHandshake(f *testing.F) {
	f.Add(echoServer(make([]byte, 1+Size)))
	f.Add([]byte("HTTP/1.1 200 OK\r\n"))
	f.Add([]byte{3})
	f.Fuzz(func(t *testing.T, reply []byte) {
		err := Do(&scripted{in: bytes.NewReader(reply)})
		if err == nil && len(reply) < 1+2*Size {
			t.Fatalf("handshake succeeded on %d bytes", len(reply))
		}
	})
}

type scripted struct{ in io.Reader }

func (s *scripted) Read(b []byte) (int, error)  { return s.in.Read(b) }
func (s *scripted) Write(b []byte) (int, error) { return len(b), nil }

// tcpPair returns the two ends of a loopback TCP connection: unlike net.Pipe it buffers, as the
// handshake needs (both sides write before they read).
func tcpPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err = l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client, server
}
