package broadcast

import (
	"bytes"
	"testing"
	"time"

	"onair/encoder"
	"onair/internal/annexb"
)

// TestProbePaddingIsFiller: a probe's padding rides on video frames as one H.264 filler unit each
// (type 12, which decoders skip), worth the time since the last frame at the probe's rate, after
// the frame's own units, which stay as they were.
func TestProbePaddingIsFiller(t *testing.T) {
	d := &destination{padFrom: -1}
	frame := []byte{0, 0, 0, 1, 0x65, 0x88, 0x84, 0, 0, 1, 0x06, 0x05}
	p := func(at time.Duration) packet {
		return packet{video: true, Packet: encoder.Packet{DTS: at, Data: frame}}
	}
	if got := d.pad(p(0)); !bytes.Equal(got, frame) {
		t.Fatal("padded without a probe")
	}
	d.padKbps = 400
	if got := d.pad(p(33 * time.Millisecond)); !bytes.Equal(got, frame) {
		t.Fatal("the first frame of a probe has no time to pad for")
	}
	got := d.pad(p(66 * time.Millisecond))
	if !bytes.HasPrefix(got, frame) {
		t.Fatal("the frame's own units changed")
	}
	var types []byte
	var fillerLen int
	annexb.Units(got, func(_, body, end int) {
		types = append(types, got[body]&0x1f)
		if got[body]&0x1f == 12 {
			fillerLen = end - body
		}
	})
	want := 400 * 125 * 33 / 1000 // bytes: 400 kb/s for 33 ms
	if len(types) != 3 || types[2] != 12 || fillerLen < want || fillerLen > want+4 || got[len(got)-1] != 0x80 {
		t.Fatalf("units %v, filler of %d bytes (want about %d), ending %#x", types, fillerLen, want, got[len(got)-1])
	}
	d.padKbps = 0
	if got := d.pad(p(99 * time.Millisecond)); !bytes.Equal(got, frame) {
		t.Fatal("padded after the probe")
	}
}
