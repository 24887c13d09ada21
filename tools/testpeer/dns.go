package testpeer

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// DNSMode is how a DNS server of the tests' own answers.
type DNSMode int32

// The DNS server's modes: a working resolver, one that went silent (a network with no way out),
// one that says the name does not exist, and one that fails.
const (
	DNSAnswer DNSMode = iota
	DNSSilent
	DNSNameError
	DNSServerFailure
)

// DNS is a DNS server on a loopback UDP port that answers every A question with 127.0.0.1 (and
// AAAA with no address), or as its mode says. Point a net.Resolver at it with Resolver.
type DNS struct {
	Addr    string
	mode    atomic.Int32
	queries atomic.Int64
	pc      net.PacketConn
}

// StartDNS starts the server; it stops when the test ends.
func StartDNS(t testing.TB) *DNS {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &DNS{Addr: pc.LocalAddr().String(), pc: pc}
	t.Cleanup(func() { pc.Close() })
	go d.serve()
	return d
}

// SetMode changes how the server answers from the next question on.
func (d *DNS) SetMode(m DNSMode) { d.mode.Store(int32(m)) }

// Queries counts the questions received.
func (d *DNS) Queries() int64 { return d.queries.Load() }

// Resolver returns a resolver that asks only this server, whatever the system's configuration.
func (d *DNS) Resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var dl net.Dialer
		if strings.HasPrefix(network, "tcp") {
			network = "tcp"
		} else {
			network = "udp"
		}
		return dl.DialContext(ctx, network, d.Addr)
	}}
}

func (d *DNS) serve() {
	buf := make([]byte, 1500)
	for {
		n, from, err := d.pc.ReadFrom(buf)
		if err != nil {
			return
		}
		d.queries.Add(1)
		mode := DNSMode(d.mode.Load())
		if mode == DNSSilent {
			continue
		}
		if out, ok := answer(buf[:n], mode); ok {
			_, _ = d.pc.WriteTo(out, from)
		}
	}
}

func answer(query []byte, mode DNSMode) ([]byte, bool) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, false
	}
	q, err := p.Question()
	if err != nil {
		return nil, false
	}
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true}
	switch mode {
	case DNSNameError:
		rh.RCode = dnsmessage.RCodeNameError
	case DNSServerFailure:
		rh.RCode = dnsmessage.RCodeServerFailure
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	if b.StartQuestions() != nil || b.Question(q) != nil || b.StartAnswers() != nil {
		return nil, false
	}
	if mode == DNSAnswer && q.Type == dnsmessage.TypeA {
		res := dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 0}
		if b.AResource(res, dnsmessage.AResource{A: [4]byte{127, 0, 0, 1}}) != nil {
			return nil, false
		}
	}
	out, err := b.Finish()
	return out, err == nil
}

// TestHost is the name tests give a server behind the DNS server (the test CA's certificate
// names it too). ".test" is reserved: no real resolver answers for it.
const TestHost = "ingest.onair.test"
