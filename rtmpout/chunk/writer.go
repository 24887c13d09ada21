package chunk

import (
	"encoding/binary"
	"io"
)

// Writer writes messages as chunks, compressing headers against the previous message of the same
// chunk stream. It reuses one buffer, so steady-state writes do not allocate.
type Writer struct {
	w         io.Writer
	chunkSize int
	streams   map[uint32]*header
	buf       []byte
	written   uint64
}

// NewWriter returns a Writer with the default chunk size of 128.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, chunkSize: DefaultChunkSize, streams: make(map[uint32]*header)}
}

// SetChunkSize changes the size of the chunks written from now on. The caller sends the Set Chunk
// Size message itself, before calling this.
func (w *Writer) SetChunkSize(n int) error {
	if n < 1 || n > MaxChunkSize {
		return ErrBadChunkSize
	}
	w.chunkSize = n
	return nil
}

// ChunkSize returns the current chunk size.
func (w *Writer) ChunkSize() int { return w.chunkSize }

// BytesWritten returns the number of bytes written so far.
func (w *Writer) BytesWritten() uint64 { return w.written }

// WriteMessage writes m in one Write call.
func (w *Writer) WriteMessage(m *Message) error {
	b, err := w.AppendMessage(w.buf[:0], m)
	if err != nil {
		return err
	}
	w.buf = b
	n, err := w.w.Write(b)
	w.written += uint64(n)
	return err
}

// AppendMessage appends m's chunks to dst and updates the chunk stream state as if it were sent.
func (w *Writer) AppendMessage(dst []byte, m *Message) ([]byte, error) {
	if m.CSID < 2 || m.CSID > maxCSID {
		return nil, ErrBadCSID
	}
	if len(m.Payload) > maxMessageLength {
		return nil, ErrTooLong
	}
	prev := w.streams[m.CSID]
	if prev == nil {
		prev = &header{}
		w.streams[m.CSID] = prev
	}
	length := uint32(len(m.Payload))

	// Choose the most compact header the receiver can expand unambiguously.
	var fmtType byte
	var tsField uint32
	delta := m.Timestamp - prev.timestamp
	switch {
	case !prev.valid || m.StreamID != prev.streamID || m.Timestamp < prev.timestamp:
		fmtType, tsField, delta = 0, m.Timestamp, 0
	case length != prev.length || m.Type != prev.typ:
		fmtType, tsField = 1, delta
	case delta != prev.delta || prev.delta == 0:
		// A type 3 header for a new message repeats the previous delta; after a type 0 header
		// receivers disagree on what that delta is, so spell it out.
		fmtType, tsField = 2, delta
	default:
		fmtType, tsField = 3, delta
	}
	extended := tsField >= extendedTimestamp
	if fmtType == 3 {
		extended = prev.extended
	}

	dst = appendBasicHeader(dst, fmtType, m.CSID)
	field := tsField
	if extended {
		field = extendedTimestamp
	}
	switch fmtType {
	case 0:
		dst = append(dst, byte(field>>16), byte(field>>8), byte(field))
		dst = append(dst, byte(length>>16), byte(length>>8), byte(length), m.Type)
		dst = binary.LittleEndian.AppendUint32(dst, m.StreamID)
	case 1:
		dst = append(dst, byte(field>>16), byte(field>>8), byte(field))
		dst = append(dst, byte(length>>16), byte(length>>8), byte(length), m.Type)
	case 2:
		dst = append(dst, byte(field>>16), byte(field>>8), byte(field))
	}
	if extended {
		dst = binary.BigEndian.AppendUint32(dst, tsField)
	}

	p := m.Payload
	for {
		n := min(len(p), w.chunkSize)
		dst = append(dst, p[:n]...)
		p = p[n:]
		if len(p) == 0 {
			break
		}
		dst = appendBasicHeader(dst, 3, m.CSID)
		if extended { // continuation chunks repeat the extended timestamp
			dst = binary.BigEndian.AppendUint32(dst, tsField)
		}
	}

	*prev = header{valid: true, timestamp: m.Timestamp, delta: delta, length: length,
		typ: m.Type, streamID: m.StreamID, extended: extended}
	return dst, nil
}
