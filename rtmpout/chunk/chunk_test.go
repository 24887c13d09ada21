package chunk

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func pay(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func hexOf(n int) string { return hex.EncodeToString(pay(n)) }

// sequences are byte-exact: the messages, the chunk size, and the bytes on the wire. They also seed
// FuzzReader.
var sequences = []struct {
	name      string
	chunkSize int
	msgs      []Message
	wire      string
}{
	{
		name: "type 0 then type 1, 2 and 3",
		msgs: []Message{
			{CSID: 4, Type: TypeAudio, StreamID: 1, Timestamp: 0, Payload: pay(3)},
			{CSID: 4, Type: TypeAudio, StreamID: 1, Timestamp: 20, Payload: pay(4)},
			{CSID: 4, Type: TypeAudio, StreamID: 1, Timestamp: 41, Payload: pay(4)},
			{CSID: 4, Type: TypeAudio, StreamID: 1, Timestamp: 62, Payload: pay(4)},
		},
		wire: "04" + "000000" + "000003" + "08" + "01000000" + hexOf(3) +
			"44" + "000014" + "000004" + "08" + hexOf(4) +
			"84" + "000015" + hexOf(4) +
			"c4" + hexOf(4),
	},
	{
		name:      "continuation chunks",
		chunkSize: 4,
		msgs:      []Message{{CSID: 6, Type: TypeVideo, StreamID: 1, Timestamp: 33, Payload: pay(10)}},
		wire:      "06" + "000021" + "00000a" + "09" + "01000000" + "00010203" + "c6" + "04050607" + "c6" + "0809",
	},
	{
		name:      "extended timestamp in type 0 and its continuation",
		chunkSize: 4,
		msgs:      []Message{{CSID: 6, Type: TypeVideo, StreamID: 1, Timestamp: 0x01000000, Payload: pay(6)}},
		wire:      "06" + "ffffff" + "000006" + "09" + "01000000" + "01000000" + "00010203" + "c6" + "01000000" + "0405",
	},
	{
		name: "extended timestamp just at the limit",
		msgs: []Message{{CSID: 3, Type: TypeCommandAMF0, Timestamp: 0xFFFFFF, Payload: pay(1)}},
		wire: "03" + "ffffff" + "000001" + "14" + "00000000" + "00ffffff" + "00",
	},
	{
		name: "below the limit needs no extension",
		msgs: []Message{{CSID: 3, Type: TypeCommandAMF0, Timestamp: 0xFFFFFE, Payload: pay(1)}},
		wire: "03" + "fffffe" + "000001" + "14" + "00000000" + "00",
	},
	{
		name:      "interleaved chunk streams",
		chunkSize: 128,
		msgs: []Message{
			{CSID: 6, Type: TypeVideo, StreamID: 1, Timestamp: 0, Payload: pay(2)},
			{CSID: 4, Type: TypeAudio, StreamID: 1, Timestamp: 0, Payload: pay(2)},
			{CSID: 6, Type: TypeVideo, StreamID: 1, Timestamp: 33, Payload: pay(2)},
			{CSID: 4, Type: TypeAudio, StreamID: 1, Timestamp: 21, Payload: pay(2)},
		},
		wire: "06" + "000000" + "000002" + "09" + "01000000" + hexOf(2) +
			"04" + "000000" + "000002" + "08" + "01000000" + hexOf(2) +
			"86" + "000021" + hexOf(2) +
			"84" + "000015" + hexOf(2),
	},
	{
		name: "two-byte basic header",
		msgs: []Message{{CSID: 100, Type: TypeAudio, StreamID: 1, Payload: pay(1)}},
		wire: "00" + "24" + "000000" + "000001" + "08" + "01000000" + "00",
	},
	{
		name: "three-byte basic header",
		msgs: []Message{{CSID: 65599, Type: TypeAudio, StreamID: 1, Payload: pay(1)}},
		wire: "01" + "ffff" + "000000" + "000001" + "08" + "01000000" + "00",
	},
	{
		name: "timestamp going backwards gets a full header",
		msgs: []Message{
			{CSID: 4, Type: TypeAudio, StreamID: 1, Timestamp: 100, Payload: pay(1)},
			{CSID: 4, Type: TypeAudio, StreamID: 1, Timestamp: 50, Payload: pay(1)},
		},
		wire: "04" + "000064" + "000001" + "08" + "01000000" + "00" +
			"04" + "000032" + "000001" + "08" + "01000000" + "00",
	},
	{
		name: "extended delta in type 2 and a type 3 message after it",
		msgs: []Message{
			{CSID: 4, Type: TypeAudio, StreamID: 1, Timestamp: 0, Payload: pay(1)},
			{CSID: 4, Type: TypeAudio, StreamID: 1, Timestamp: 0x01000000, Payload: pay(1)},
			{CSID: 4, Type: TypeAudio, StreamID: 1, Timestamp: 0x02000000, Payload: pay(1)},
		},
		wire: "04" + "000000" + "000001" + "08" + "01000000" + "00" +
			"84" + "ffffff" + "01000000" + "00" +
			"c4" + "01000000" + "00",
	},
	{
		name: "empty payload",
		msgs: []Message{{CSID: 2, Type: TypeAck, Payload: []byte{}}},
		wire: "02" + "000000" + "000000" + "03" + "00000000",
	},
}

func TestWriterByteExact(t *testing.T) {
	for _, s := range sequences {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		if s.chunkSize != 0 {
			if err := w.SetChunkSize(s.chunkSize); err != nil {
				t.Fatal(err)
			}
		}
		for i := range s.msgs {
			if err := w.WriteMessage(&s.msgs[i]); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		if got := hex.EncodeToString(buf.Bytes()); got != s.wire {
			t.Errorf("%s:\n got %s\nwant %s", s.name, got, s.wire)
		}
		if w.BytesWritten() != uint64(buf.Len()) {
			t.Errorf("%s: BytesWritten %d, wrote %d", s.name, w.BytesWritten(), buf.Len())
		}
	}
}

func TestReaderByteExact(t *testing.T) {
	for _, s := range sequences {
		b, _ := hex.DecodeString(s.wire)
		r := NewReader(bytes.NewReader(b))
		if s.chunkSize != 0 {
			_ = r.SetChunkSize(s.chunkSize)
		}
		for i, want := range s.msgs {
			got, err := r.ReadMessage()
			if err != nil {
				t.Fatalf("%s: message %d: %v", s.name, i, err)
			}
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("%s: message %d = %+v, want %+v", s.name, i, *got, want)
			}
		}
		if _, err := r.ReadMessage(); err != io.EOF {
			t.Errorf("%s: after the last message: %v, want EOF", s.name, err)
		}
		if r.BytesRead() != uint64(len(b)) {
			t.Errorf("%s: BytesRead %d of %d", s.name, r.BytesRead(), len(b))
		}
	}
}

func TestReaderErrors(t *testing.T) {
	for _, c := range []struct {
		wire string
		want error
	}{
		{"44" + "000014" + "000004" + "08", ErrNoPrevious},
		{"c4", ErrNoPrevious},
		{"04" + "0000", io.ErrUnexpectedEOF},
		{"04" + "000000" + "100001" + "08" + "01000000", ErrTooLong}, // 1 MiB + 1
		{"04" + "000000" + "000001" + "07" + "01000000" + "00", ErrBadType},
		{partials(9), ErrTooMuchPending}, // nine messages begun at once
	} {
		b, _ := hex.DecodeString(c.wire)
		if _, err := NewReader(bytes.NewReader(b)).ReadMessage(); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.wire, err, c.want)
		}
	}
}

// partials begins n messages of 200 bytes on chunk streams 20, 21, … (first chunk of 128 only).
func partials(n int) string {
	var s strings.Builder
	for i := 0; i < n; i++ {
		s.WriteString(hex.EncodeToString([]byte{byte(20 + i)}) + "000000" + "0000c8" + "09" + "01000000" + hexOf(128))
	}
	return s.String()
}

// More than 4 MiB of unfinished messages ends the reading, even within the message count.
func TestReaderBoundsPendingBytes(t *testing.T) {
	var b bytes.Buffer
	for i := 0; i < 5; i++ { // five messages of 1 MiB, each short of its last byte
		b.Write([]byte{byte(20 + i), 0, 0, 0, 0x10, 0, 0, TypeVideo, 1, 0, 0, 0})
		b.Write(make([]byte, MaxMessage-1))
	}
	r := NewReader(&b)
	_ = r.SetChunkSize(MaxMessage - 1)
	if _, err := r.ReadMessage(); !errors.Is(err, ErrTooMuchPending) || !errors.Is(err, ErrProtocol) {
		t.Fatalf("%v, want ErrTooMuchPending", err)
	}
	if r.BytesRead() > 5<<20 {
		t.Fatalf("read %d bytes", r.BytesRead())
	}
}

// An Abort message drops the message in progress on the chunk stream it names: a new message may
// start there with a full header.
func TestReaderHandlesAbort(t *testing.T) {
	wire := "04" + "000000" + "0000c8" + "09" + "01000000" + hexOf(128) + // 200 bytes begun on stream 4
		"02" + "000000" + "000004" + "02" + "00000000" + "00000004" + // Abort stream 4
		"04" + "000021" + "000003" + "08" + "01000000" + hexOf(3) // a new message on stream 4
	b, _ := hex.DecodeString(wire)
	r := NewReader(bytes.NewReader(b))
	m, err := r.ReadMessage()
	if err != nil || m.Type != TypeAbort {
		t.Fatalf("first: %+v, %v; want the Abort", m, err)
	}
	m, err = r.ReadMessage()
	if err != nil || m.CSID != 4 || m.Type != TypeAudio || !bytes.Equal(m.Payload, pay(3)) {
		t.Fatalf("after Abort: %+v, %v", m, err)
	}
	if r.partial != 0 || r.pending != 0 {
		t.Fatalf("still holding %d messages, %d bytes", r.partial, r.pending)
	}
}

func TestWriterRejects(t *testing.T) {
	w := NewWriter(io.Discard)
	if err := w.WriteMessage(&Message{CSID: 1}); !errors.Is(err, ErrBadCSID) {
		t.Errorf("csid 1: %v", err)
	}
	if err := w.SetChunkSize(0); !errors.Is(err, ErrBadChunkSize) {
		t.Errorf("chunk size 0: %v", err)
	}
}

func TestWriterDoesNotAllocateInSteadyState(t *testing.T) {
	w := NewWriter(io.Discard)
	_ = w.SetChunkSize(4096)
	m := &Message{CSID: 6, Type: TypeVideo, StreamID: 1, Payload: pay(20000)}
	_ = w.WriteMessage(m)
	allocs := testing.AllocsPerRun(100, func() {
		m.Timestamp += 33
		_ = w.WriteMessage(m)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per message, want 0", allocs)
	}
}

func FuzzReader(f *testing.F) {
	for _, s := range sequences {
		b, _ := hex.DecodeString(s.wire)
		f.Add(b, uint16(s.chunkSize))
	}
	f.Add([]byte(strings.Repeat("\x03", 20)), uint16(1))
	f.Fuzz(func(t *testing.T, b []byte, chunkSize uint16) {
		r := NewReader(bytes.NewReader(b))
		if chunkSize > 0 {
			_ = r.SetChunkSize(int(chunkSize))
		}
		var msgs []*Message
		for {
			m, err := r.ReadMessage()
			if err != nil {
				break
			}
			msgs = append(msgs, m)
		}
		if r.BytesRead() > uint64(len(b)) {
			t.Fatalf("read %d of %d bytes", r.BytesRead(), len(b))
		}
		// What was read must write and read back to the same messages.
		var buf bytes.Buffer
		w := NewWriter(&buf)
		for _, m := range msgs {
			if err := w.WriteMessage(m); err != nil {
				t.Fatalf("rewrite: %v", err)
			}
		}
		r2 := NewReader(&buf)
		for i, want := range msgs {
			got, err := r2.ReadMessage()
			if err != nil {
				t.Fatalf("reread %d: %v", i, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("reread %d: %+v, want %+v", i, got, want)
			}
		}
	})
}
