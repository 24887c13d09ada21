// Package chunk splits RTMP messages into chunks and reassembles them (RTMP specification, 5.3).
package chunk

import "errors"

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

// ErrBadCSID means a chunk stream id outside 2..65599.
var ErrBadCSID = errors.New("chunk: chunk stream id out of range")

// ErrBadChunkSize means a chunk size of 0 or above 2^31-1.
var ErrBadChunkSize = errors.New("chunk: invalid chunk size")

// ErrTooLong means a message over the 3-byte length limit.
var ErrTooLong = errors.New("chunk: message longer than 16 MiB")

// ErrNoPrevious means a compressed header on a chunk stream that has had no full header.
var ErrNoPrevious = errors.New("chunk: compressed header with no previous header on its chunk stream")

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
