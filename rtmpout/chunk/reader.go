package chunk

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// Bounds on what a peer can make a Reader hold, so that a hostile server costs OnAir little memory.
// A publisher receives only small control and command messages.
const (
	maxChunkStreams = 64      // chunk streams a peer may open
	MaxMessage      = 1 << 20 // bytes in one incoming message
	maxPartial      = 8       // messages in progress at once (they interleave by chunk stream)
	maxPending      = 4 << 20 // bytes of all messages in progress
)

// Reader reassembles messages from chunks. It handles Abort messages itself (and returns them).
type Reader struct {
	r         *bufio.Reader
	chunkSize int
	streams   map[uint32]*inStream
	read      uint64
	hdr       [11]byte
	partial   int // messages in progress
	pending   int // their bytes so far
}

type inStream struct {
	header
	partial []byte // payload received so far of the message in progress
}

// NewReader returns a Reader with the default chunk size of 128.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 16<<10), chunkSize: DefaultChunkSize, streams: make(map[uint32]*inStream)}
}

// SetChunkSize sets the peer's chunk size, as announced by its Set Chunk Size message.
func (r *Reader) SetChunkSize(n int) error {
	if n < 1 || n > MaxChunkSize {
		return ErrBadChunkSize
	}
	r.chunkSize = n
	return nil
}

// BytesRead returns the number of bytes read so far (for acknowledgements).
func (r *Reader) BytesRead() uint64 { return r.read }

func (r *Reader) full(b []byte) error {
	n, err := io.ReadFull(r.r, b)
	r.read += uint64(n)
	return err
}

// ReadMessage reads chunks until one message is complete and returns it. The payload is the
// caller's to keep.
func (r *Reader) ReadMessage() (*Message, error) {
	for {
		m, err := r.readChunk()
		if err != nil || m != nil {
			return m, err
		}
	}
}

func (r *Reader) readChunk() (*Message, error) {
	if err := r.full(r.hdr[:1]); err != nil {
		return nil, err
	}
	fmtType := r.hdr[0] >> 6
	csid := uint32(r.hdr[0] & 0x3F)
	switch csid {
	case 0:
		if err := r.full(r.hdr[:1]); err != nil {
			return nil, err
		}
		csid = 64 + uint32(r.hdr[0])
	case 1:
		if err := r.full(r.hdr[:2]); err != nil {
			return nil, err
		}
		csid = 64 + uint32(r.hdr[0]) + uint32(r.hdr[1])<<8
	}
	if csid < 2 {
		return nil, ErrBadCSID
	}
	st := r.streams[csid]
	if st == nil {
		if len(r.streams) >= maxChunkStreams {
			return nil, fmt.Errorf("chunk: peer opened more than %d chunk streams", maxChunkStreams)
		}
		st = &inStream{}
		r.streams[csid] = st
	}
	if fmtType != 0 && !st.valid {
		return nil, fmt.Errorf("%w (chunk stream %d, header type %d)", ErrNoPrevious, csid, fmtType)
	}

	sizes := [4]int{11, 7, 3, 0}
	h := r.hdr[:sizes[fmtType]]
	if err := r.full(h); err != nil {
		return nil, err
	}
	newMessage := len(st.partial) == 0
	var field uint32
	if fmtType < 3 {
		field = uint32(h[0])<<16 | uint32(h[1])<<8 | uint32(h[2])
		st.extended = field == extendedTimestamp
	}
	if fmtType <= 1 {
		st.length = uint32(h[3])<<16 | uint32(h[4])<<8 | uint32(h[5])
		st.typ = h[6]
		if st.length > MaxMessage {
			return nil, fmt.Errorf("%w: %d bytes on chunk stream %d, at most %d accepted", ErrTooLong, st.length, csid, MaxMessage)
		}
		if !knownType(st.typ) {
			return nil, fmt.Errorf("%w: %d on chunk stream %d", ErrBadType, st.typ, csid)
		}
	}
	if fmtType == 0 {
		st.streamID = binary.LittleEndian.Uint32(h[7:11])
	}
	if st.extended {
		var ext [4]byte
		if err := r.full(ext[:]); err != nil {
			return nil, err
		}
		if fmtType < 3 {
			field = binary.BigEndian.Uint32(ext[:])
		}
	}
	if fmtType < 3 && !newMessage {
		return nil, fmt.Errorf("chunk: new header on chunk stream %d inside a message", csid)
	}
	if newMessage {
		switch fmtType {
		case 0:
			st.timestamp, st.delta = field, 0
		case 1, 2:
			st.timestamp += field
			st.delta = field
		case 3:
			st.timestamp += st.delta
		}
		st.valid = true
	}

	want := int(st.length) - len(st.partial)
	n := min(want, r.chunkSize)
	if st.partial == nil {
		if r.partial >= maxPartial {
			return nil, fmt.Errorf("%w: more than %d at once", ErrTooMuchPending, maxPartial)
		}
		r.partial++
		st.partial = make([]byte, 0, min(int(st.length), 64<<10))
	}
	if r.pending+n > maxPending {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooMuchPending, maxPending)
	}
	r.pending += n
	start := len(st.partial)
	st.partial = append(st.partial, make([]byte, n)...)
	if err := r.full(st.partial[start:]); err != nil {
		return nil, err
	}
	if len(st.partial) < int(st.length) {
		return nil, nil
	}
	m := &Message{CSID: csid, Type: st.typ, StreamID: st.streamID, Timestamp: st.timestamp, Payload: st.partial}
	r.forget(st)
	if m.Type == TypeAbort && len(m.Payload) >= 4 {
		if other := r.streams[binary.BigEndian.Uint32(m.Payload)]; other != nil {
			r.forget(other) // the peer will not finish that message
		}
	}
	return m, nil
}

// forget drops the message in progress on st.
func (r *Reader) forget(st *inStream) {
	if st.partial != nil {
		r.partial--
		r.pending -= len(st.partial)
	}
	st.partial = nil
}

// knownType reports whether t is a message type RTMP defines.
func knownType(t uint8) bool {
	switch t {
	case TypeSetChunkSize, TypeAbort, TypeAck, TypeUserControl, TypeWindowAckSize, TypeSetPeerBandwidth,
		TypeAudio, TypeVideo, 15, 16, TypeCommandAMF3, TypeDataAMF0, 19, TypeCommandAMF0, 22:
		return true
	}
	return false
}
