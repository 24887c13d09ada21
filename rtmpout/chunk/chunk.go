// Package chunk splits RTMP messages into chunks and reassembles them (RTMP specification, 5.3).
package chunk

import (
	"errors"
	"fmt"
)

// Message is one RTMP message.
type Message struct {
	CSID      uint32 // chunk stream id, 2..65599
	Type      uint8  // message type id
	StreamID  uint32 // message stream id
	Timestamp uint32 // milliseconds, absolute
	Payload   []byte
}

// Message type ids used by a publisher.
const (
	TypeSetChunkSize     = 1
	TypeAbort            = 2
	TypeAck              = 3
	TypeUserControl      = 4
	TypeWindowAckSize    = 5
	TypeSetPeerBandwidth = 6
	TypeAudio            = 8
	TypeVideo            = 9
	TypeDataAMF3         = 15
	TypeCommandAMF3      = 17
	TypeDataAMF0         = 18
	TypeCommandAMF0      = 20
)

const (
	// DefaultChunkSize is the chunk size both sides use until told otherwise.
	DefaultChunkSize = 128
	// MaxChunkSize is the largest chunk size the specification allows (31 bits).
	MaxChunkSize = 0x7FFFFFFF
	// extendedTimestamp in a timestamp field means a 4-byte timestamp follows the header.
	extendedTimestamp = 0xFFFFFF
	maxCSID           = 65599
	maxMessageLength  = 0xFFFFFF
)

// ErrProtocol is wrapped by every error that means the peer does not speak RTMP as it should.
var ErrProtocol = errors.New("chunk: protocol violation")

var (
	// ErrBadCSID means a chunk stream id outside 2..65599.
	ErrBadCSID = fmt.Errorf("%w: chunk stream id out of range", ErrProtocol)
	// ErrBadChunkSize means a chunk size of 0 or above 2^31-1.
	ErrBadChunkSize = fmt.Errorf("%w: invalid chunk size", ErrProtocol)
	// ErrTooLong means a message over the 3-byte length limit, or over what a Reader accepts.
	ErrTooLong = fmt.Errorf("%w: message too long", ErrProtocol)
	// ErrNoPrevious means a compressed header on a chunk stream that has had no full header.
	ErrNoPrevious = fmt.Errorf("%w: compressed header with no previous header on its chunk stream", ErrProtocol)
	// ErrBadType means a message type RTMP does not define.
	ErrBadType = fmt.Errorf("%w: unknown message type", ErrProtocol)
	// ErrTooMuchPending means more partial messages, or more of their bytes, than a Reader holds.
	ErrTooMuchPending = fmt.Errorf("%w: too many unfinished messages", ErrProtocol)
)

// header is what a chunk stream remembers of its last message, on both sides.
type header struct {
	valid     bool
	timestamp uint32
	delta     uint32 // timestamp delta of the last message (0 after a type 0 header)
	length    uint32
	typ       uint8
	streamID  uint32
	extended  bool // the last header carried an extended timestamp
}

// appendBasicHeader appends the 1-3 byte basic header.
func appendBasicHeader(dst []byte, fmtType byte, csid uint32) []byte {
	switch {
	case csid < 64:
		return append(dst, fmtType<<6|byte(csid))
	case csid < 320:
		return append(dst, fmtType<<6, byte(csid-64))
	default:
		v := csid - 64
		return append(dst, fmtType<<6|1, byte(v), byte(v>>8))
	}
}
