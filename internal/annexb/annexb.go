// Package annexb finds the NAL units of an H.264 Annex B byte stream, for the encoder (which drops
// filler units) and the RTMP client (which repackages units for FLV).
package annexb

import "bytes"

var startCode = []byte{0, 0, 1}

// Units calls fn for each NAL unit of b in order, and reports whether b has a start code at all.
// A unit's start code begins at start and its header byte is at body; it ends where the next start
// code begins, or at len(b), so the units cover b from the first start code on. A start code is
// 00 00 01, and 00 00 00 01 when the extra zero follows the previous unit's body. A unit may be
// empty (body == end).
func Units(b []byte, fn func(start, body, end int)) bool {
	start, body := next(b, 0)
	if start < 0 {
		return false
	}
	for {
		nextStart, nextBody := next(b, body)
		if nextStart < 0 {
			fn(start, body, len(b))
			return true
		}
		fn(start, body, nextStart)
		start, body = nextStart, nextBody
	}
}

// next finds the first start code at or after from (bytes.Index is vectorised: a frame is mostly
// slice data, scanned once); a zero just before it, and after from, makes it four bytes long.
func next(b []byte, from int) (start, body int) {
	i := bytes.Index(b[from:], startCode)
	if i < 0 {
		return -1, 0
	}
	i += from
	if i > from && b[i-1] == 0 {
		return i - 1, i + 3
	}
	return i, i + 3
}
