// Package handshake performs the client side of the RTMP handshake (RTMP specification, 5.2):
// C0+C1, then S0+S1+S2 from the server, then C2.
package handshake

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

const (
	// Version is the RTMP version byte of C0/S0.
	Version = 3
	// Size is the size of C1, C2, S1 and S2.
	Size = 1536
)

// ErrNotRTMP means the server's first byte was not an RTMP version: something else (HTTP, TLS,
// random bytes) answered on that port.
var ErrNotRTMP = errors.New("handshake: the server does not speak RTMP")

// ErrShort means the server closed the connection during the handshake.
var ErrShort = errors.New("handshake: the server closed the connection during the handshake")

// Do runs the handshake over rw. The caller bounds it with a deadline on the connection.
func Do(rw io.ReadWriter) error {
	c1 := make([]byte, 1+Size)
	c1[0] = Version
	// C1: time (4 bytes, zero is allowed), zero (4), random (1528).
	if _, err := rand.Read(c1[9:]); err != nil {
		return err
	}
	if _, err := rw.Write(c1); err != nil {
		return fmt.Errorf("handshake: sending C0+C1: %w", err)
	}

	s0s1 := make([]byte, 1+Size)
	if err := readFull(rw, s0s1[:1]); err != nil {
		return err
	}
	if s0s1[0] != Version {
		return fmt.Errorf("%w (first byte 0x%02x, want 0x%02x)", ErrNotRTMP, s0s1[0], Version)
	}
	if err := readFull(rw, s0s1[1:]); err != nil {
		return err
	}
	// C2 echoes S1: its time, our read time (zero), its random bytes.
	s1 := s0s1[1:]
	c2 := make([]byte, Size)
	copy(c2, s1)
	binary.BigEndian.PutUint32(c2[4:8], 0)
	if _, err := rw.Write(c2); err != nil {
		return fmt.Errorf("handshake: sending C2: %w", err)
	}
	s2 := make([]byte, Size)
	if err := readFull(rw, s2); err != nil {
		return err
	}
	// A simple-handshake server echoes C1's random bytes in S2; servers that use the digest
	// handshake put their own there, which is fine too. All zeros is neither: a broken peer.
	if !bytes.Equal(s2[8:], c1[9:]) && allZero(s2) && allZero(s1) {
		return fmt.Errorf("%w (S1 and S2 are empty)", ErrNotRTMP)
	}
	return nil
}

func readFull(r io.Reader, b []byte) error {
	if _, err := io.ReadFull(r, b); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return ErrShort
		}
		return fmt.Errorf("handshake: %w", err)
	}
	return nil
}

func allZero(b []byte) bool {
	for _, v := range b {
		if v != 0 {
			return false
		}
	}
	return true
}
