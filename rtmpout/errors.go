package rtmpout

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"onair/rtmpout/chunk"
	"onair/rtmpout/handshake"
)

// Kinds of failure. Each is a sentinel to check with errors.Is; its text is what a user reads.
var (
	ErrBadURL          = errors.New("the server address is not valid")
	ErrNoSuchHost      = errors.New("the server's name does not exist (check the address)")
	ErrDNS             = errors.New("the server's name could not be looked up (check your internet connection)")
	ErrNetworkDown     = errors.New("the network cannot reach the server (check your internet connection)")
	ErrRefused         = errors.New("the server refused the connection (is the address right, is the server running?)")
	ErrTimeout         = errors.New("the server did not answer in time")
	ErrTLS             = errors.New("the secure connection (TLS) to the server failed")
	ErrCertificate     = errors.New("the server's certificate is not trusted (is the address right?)")
	ErrHandshake       = errors.New("the server did not answer like an RTMP server")
	ErrConnectRejected = errors.New("the server rejected the connection (check the server address)")
	ErrPublishRejected = errors.New("the server refused the stream key (is it right, and not already in use?)")
	ErrStreamBusy      = errors.New("the server says the stream key is already in use (is another program streaming with it?)")
	ErrServerClosed    = errors.New("the server closed the connection")
	ErrNetwork         = errors.New("the network connection failed")
)

// Error is a failure with its kind (a sentinel above) and the technical detail beside it.
type Error struct {
	Kind   error  // one of the Err* sentinels
	Detail string // technical detail: codes, server descriptions
	Err    error  // the underlying error, if any
	Host   string // the server's host name, when known: words name it
}

func (e *Error) Error() string {
	s := e.Kind.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Words is the kind's sentence for a user, naming the server where it speaks of one.
func (e *Error) Words() string {
	if e.Host == "" {
		return e.Kind.Error()
	}
	if w, ok := wordsWithHost[e.Kind]; ok {
		return fmt.Sprintf(w, e.Host)
	}
	if rest, ok := strings.CutPrefix(e.Kind.Error(), "the server "); ok {
		return "the server at " + e.Host + " " + rest
	}
	return e.Kind.Error()
}

var wordsWithHost = map[error]string{
	ErrNoSuchHost:  "the name %s does not exist (check the address)",
	ErrDNS:         "the name %s could not be looked up (check your internet connection)",
	ErrNetworkDown: "the network cannot reach %s (check your internet connection)",
	ErrCertificate: "the certificate of %s is not trusted (is the address right?)",
}

// Unwrap lets errors.Is find both the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Permanent reports whether trying again cannot help: a refused key or certificate, or an address
// that can never be valid. Everything else may heal once the network or the server is back.
func Permanent(err error) bool {
	for _, k := range []error{ErrBadURL, ErrPublishRejected, ErrConnectRejected, ErrCertificate} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

// NetworkDown reports whether err says the server could not be reached at all (no name look-up,
// no route, no answer to connecting) rather than that the server misbehaved: the way to the
// server is what is missing, so OnAir waits for the network.
func NetworkDown(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Kind {
	case ErrDNS, ErrNoSuchHost, ErrNetworkDown:
		return true
	case ErrTimeout:
		return strings.HasPrefix(e.Detail, "connecting to")
	}
	return false
}

// classify turns a network-level error into an *Error of the right kind.
func classify(err error, during string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	kind := ErrNetwork
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recordErr tls.RecordHeaderError
	var alert tls.AlertError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		kind = ErrNoSuchHost
	case errors.As(err, &dnsErr):
		kind = ErrDNS
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETDOWN):
		kind = ErrNetworkDown
	case errors.Is(err, syscall.ECONNREFUSED):
		kind = ErrRefused
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr):
		kind = ErrCertificate
	case errors.As(err, &recordErr), errors.As(err, &alert):
		kind = ErrTLS
	case errors.Is(err, handshake.ErrNotRTMP), errors.Is(err, chunk.ErrProtocol):
		kind = ErrHandshake
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		kind = ErrTimeout
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, handshake.ErrShort),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		kind = ErrServerClosed
	}
	return &Error{Kind: kind, Detail: during, Err: err}
}

// tlsFailure classifies a failed TLS handshake: a certificate that is not trusted will not heal;
// a timeout or a reset during the handshake may.
func tlsFailure(ctx context.Context, err error, host string) error {
	detail := "TLS handshake with " + host
	if errors.Is(ctx.Err(), context.Canceled) {
		return &Error{Kind: ErrNetwork, Detail: "cancelled", Err: ctx.Err()}
	}
	if ctx.Err() != nil {
		return &Error{Kind: ErrTimeout, Detail: detail, Err: err}
	}
	c := classify(err, detail)
	if k := c.(*Error).Kind; k == ErrCertificate || k == ErrServerClosed || k == ErrTimeout {
		return c
	}
	return &Error{Kind: ErrTLS, Detail: detail, Err: err}
}
