package encoder

import (
	"bytes"
	"testing"
)

func TestWithoutFiller(t *testing.T) {
	sps := []byte{0, 0, 0, 1, 0x67, 0x64, 0x00, 0x1f}
	idr := []byte{0, 0, 1, 0x65, 0x88, 0x84, 0x00}
	p := []byte{0, 0, 0, 1, 0x41, 0x9a, 0x02}
	filler := []byte{0, 0, 0, 1, 0x0c, 0xff, 0xff, 0xff, 0x80}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, c := range []struct {
		name    string
		in      []byte
		want    []byte
		removed int
	}{
		{"no filler", cat(sps, idr), cat(sps, idr), 0},
		{"filler last", cat(idr, filler), idr, len(filler)},
		{"filler between", cat(sps, filler, idr, filler, p), cat(sps, idr, p), 2 * len(filler)},
		{"filler only", filler, []byte{}, len(filler)},
		{"three-byte start code", cat(p, []byte{0, 0, 1, 0x0c, 0xff, 0x80}), p, 6},
		{"empty", nil, nil, 0},
		{"no start code", []byte{1, 2, 3}, []byte{1, 2, 3}, 0},
		{"bytes before the first start code", cat([]byte{9}, filler, p), cat([]byte{9}, p), len(filler)},
	} {
		got, removed := withoutFiller(c.in)
		if !bytes.Equal(got, c.want) || removed != c.removed {
			t.Errorf("%s: got % x (removed %d), want % x (removed %d)", c.name, got, removed, c.want, c.removed)
		}
	}
}
