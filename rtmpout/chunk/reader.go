package chunk

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// maxChunkStreams bounds the chunk streams a peer may open, so a hostile peer cannot make the
// reader hold unbounded partial messages.
const maxChunkStreams = 64

// Reader reassembles messages from chunks.
type Reader struct {
	r         *bufio.Reader
	chunkSize int
	streams   map[uint32]*inStream
	read      uint64
	hdr       [11]byte
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
		st.partial = make([]byte, 0, min(int(st.length), 64<<10))
	}
	start := len(st.partial)
	st.partial = append(st.partial, make([]byte, n)...)
	if err := r.full(st.partial[start:]); err != nil {
		return nil, err
	}
	if len(st.partial) < int(st.length) {
		return nil, nil
	}
	m := &Message{CSID: csid, Type: st.typ, StreamID: st.streamID, Timestamp: st.timestamp, Payload: st.partial}
	st.partial = nil
	return m, nil
}
