package testpeer

import (
	"crypto/rand"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"onair/rtmpout/amf0"
	"onair/rtmpout/chunk"
)

// Misbehaviour is what a HostileServer does once the RTMP handshake is done.
type Misbehaviour int

const (
	// SendsGarbage sends random bytes where RTMP chunks belong.
	SendsGarbage Misbehaviour = iota
	// DeclaresHugeMessages opens 64 chunk streams, each declaring a 16 MiB message, and keeps
	// sending their chunks.
	DeclaresHugeMessages
	// StopsReading accepts the publish, then never reads again: the client's writes back up.
	StopsReading
)

// Hostile is a running HostileServer.
type Hostile struct {
	Addr       string // host:port
	handshakes atomic.Int64
}

// Handshakes counts the RTMP handshakes the server answered (a bare TCP connection, as a probe
// makes, is not one).
func (h *Hostile) Handshakes() int { return int(h.handshakes.Load()) }

// HostileServer is an RTMP server on a free loopback port that misbehaves as asked. Every
// connection is closed when the test ends.
func HostileServer(t testing.TB, how Misbehaviour) *Hostile {
	t.Helper()
	return HostileServerAt(t, "127.0.0.1:0", how)
}

// HostileServerAt is HostileServer listening on addr (a loopback address), for a server that
// comes back different.
func HostileServerAt(t testing.TB, addr string, how Misbehaviour) *Hostile {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	h := &Hostile{Addr: l.Addr().String()}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go h.misbehave(c, how)
		}
	}()
	return h
}

func (h *Hostile) misbehave(c net.Conn, how Misbehaviour) {
	if serverHandshake(c) != nil {
		return
	}
	h.handshakes.Add(1)
	switch how {
	case SendsGarbage:
		b := make([]byte, 64<<10)
		_, _ = rand.Read(b)
		b[0] = 0x42 // a chunk header on a chunk stream never opened: never a valid first chunk
		_, _ = c.Write(b)
		_, _ = io.Copy(io.Discard, c)
	case DeclaresHugeMessages:
		go func() { _, _ = io.Copy(io.Discard, c) }()
		payload := make([]byte, chunk.DefaultChunkSize)
		var b []byte
		for csid := byte(3); csid < 3+64; csid++ {
			// Type 0 header: timestamp 0, length 0xFFFFFF, video, stream 1; then one chunk.
			b = append(b, csid, 0, 0, 0, 0xFF, 0xFF, 0xFF, chunk.TypeVideo, 1, 0, 0, 0)
			b = append(b, payload...)
		}
		if _, err := c.Write(b); err != nil {
			return
		}
		for {
			b = b[:0]
			for csid := byte(3); csid < 3+64; csid++ {
				b = append(b, 0xC0|csid)
				b = append(b, payload...)
			}
			if _, err := c.Write(b); err != nil {
				return
			}
		}
	case StopsReading:
		_ = acceptPublish(c) // then read nothing more: the connection stays open until the test ends
	}
}

// serverHandshake is the server side of the simple RTMP handshake.
func serverHandshake(c net.Conn) error {
	c0c1 := make([]byte, 1+1536)
	if _, err := io.ReadFull(c, c0c1); err != nil {
		return err
	}
	s := make([]byte, 1+1536+1536)
	s[0] = 3
	_, _ = rand.Read(s[9 : 1+1536])
	copy(s[1+1536:], c0c1[1:])
	if _, err := c.Write(s); err != nil {
		return err
	}
	_, err := io.ReadFull(c, make([]byte, 1536))
	return err
}

// acceptPublish answers connect, createStream and publish as a server that accepts the stream.
func acceptPublish(c net.Conn) error {
	r, w := chunk.NewReader(c), chunk.NewWriter(c)
	status := func(code string) amf0.Object {
		return amf0.Object{{Key: "level", Value: "status"}, {Key: "code", Value: code}}
	}
	for {
		m, err := r.ReadMessage()
		if err != nil {
			return err
		}
		switch m.Type {
		case chunk.TypeSetChunkSize:
			if len(m.Payload) >= 4 {
				_ = r.SetChunkSize(int(m.Payload[0])<<24 | int(m.Payload[1])<<16 | int(m.Payload[2])<<8 | int(m.Payload[3]))
			}
			continue
		case chunk.TypeCommandAMF0:
		default:
			continue
		}
		vals, err := amf0.DecodeAll(m.Payload)
		if err != nil || len(vals) < 2 {
			return err
		}
		name, _ := vals[0].(string)
		txn, _ := vals[1].(float64)
		var reply []any
		switch name {
		case "connect":
			reply = []any{"_result", txn, amf0.Object{{Key: "fmsVer", Value: "FMS/3,0,1,123"}}, status("NetConnection.Connect.Success")}
		case "createStream":
			reply = []any{"_result", txn, nil, 1.0}
		case "publish":
			reply = []any{"onStatus", 0.0, nil, status("NetStream.Publish.Start")}
		default:
			continue
		}
		b, err := amf0.Append(nil, reply...)
		if err != nil {
			return err
		}
		if err := w.WriteMessage(&chunk.Message{CSID: 3, Type: chunk.TypeCommandAMF0, StreamID: m.StreamID, Payload: b}); err != nil {
			return err
		}
		if name == "publish" {
			return nil
		}
	}
}
