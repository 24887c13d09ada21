package encoder

import "bytes"

// fillerNAL is the H.264 NAL unit type of filler data: padding that carries no picture.
const fillerNAL = 12

// withoutFiller returns an Annex B access unit without its filler NAL units, and how many bytes
// were removed. The picture decodes the same; only the padding that makes the rate constant is
// gone. au is returned as it is when it holds no filler.
//
// Why: with CBR and filler, x264 pays back the VBV buffer a bitrate decrease took away, in filler,
// in the very next frame. Measured at 720p, 4500 -> 771 kb/s: a 429 KB frame, 411 KB of it filler,
// 1.7 s of a 2 Mb/s link, sent at the moment the link is known to be too narrow.
func withoutFiller(au []byte) ([]byte, int) {
	var out []byte
	removed := 0
	rest := au
	for len(rest) > 0 {
		start, body := nextNAL(rest)
		if start < 0 {
			break
		}
		end := len(rest)
		if next, _ := nextNAL(rest[body:]); next >= 0 {
			end = body + next
		}
		if rest[body]&0x1f == fillerNAL {
			if out == nil {
				out = append(make([]byte, 0, len(au)), au[:len(au)-len(rest)]...)
			}
			removed += end - start
		} else if out != nil {
			out = append(out, rest[start:end]...)
		}
		rest = rest[end:]
	}
	if out == nil {
		return au, 0
	}
	return out, removed
}

// nextNAL finds the next start code (00 00 01, or 00 00 00 01) in b: start is where the start code
// begins, body where the NAL unit's header byte is. start is -1 when there is none (or it ends b).
func nextNAL(b []byte) (start, body int) {
	i := bytes.Index(b, []byte{0, 0, 1})
	if i < 0 || i+3 >= len(b) {
		return -1, 0
	}
	if i > 0 && b[i-1] == 0 {
		return i - 1, i + 3
	}
	return i, i + 3
}
