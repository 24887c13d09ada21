package rtmpout

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"syscall"

	"onair/rtmpout/handshake"
)

// Kinds of failure. Each is a sentinel to check with errors.Is; its text is what a user reads.
var (
	ErrBadURL          = errors.New("the server address is not valid")
	ErrDNS             = errors.New("the server's name could not be found (check the address and your internet connection)")
	ErrRefused         = errors.New("the server refused the connection (is the address right, is the server running?)")
	ErrTimeout         = errors.New("the server did not answer in time")
	ErrTLS             = errors.New("the secure connection (TLS) to the server failed")
	ErrHandshake       = errors.New("the server did not answer like an RTMP server")
	ErrConnectRejected = errors.New("the server rejected the connection (check the server address)")
	ErrPublishRejected = errors.New("the server refused the stream key (is it right, and not already in use?)")
	ErrServerClosed    = errors.New("the server closed the connection")
	ErrNetwork         = errors.New("the network connection failed")
)

// Error is a failure with its kind (a sentinel above) and the technical detail beside it.
type Error struct {
	Kind   error  // one of the Err* sentinels
	Detail string // technical detail: codes, server descriptions
	Err    error  // the underlying error, if any
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

// Unwrap lets errors.Is find both the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Retryable reports whether trying again later may succeed: a rejected key or certificate will not
// fix itself, a dropped connection may.
func Retryable(err error) bool {
	switch {
	case errors.Is(err, ErrBadURL), errors.Is(err, ErrPublishRejected), errors.Is(err, ErrConnectRejected),
		errors.Is(err, ErrTLS), errors.Is(err, ErrDNS):
		return false
	}
	return true
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
	case errors.As(err, &dnsErr):
		kind = ErrDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		kind = ErrRefused
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr),
		errors.As(err, &recordErr), errors.As(err, &alert):
		kind = ErrTLS
	case errors.Is(err, handshake.ErrNotRTMP):
		kind = ErrHandshake
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		kind = ErrTimeout
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, handshake.ErrShort),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		kind = ErrServerClosed
	}
	return &Error{Kind: kind, Detail: during, Err: err}
}
