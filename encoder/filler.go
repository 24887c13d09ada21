package encoder

import "onair/internal/annexb"

// fillerNAL is the H.264 NAL unit type of filler data: padding that carries no picture.
const fillerNAL = 12

// withoutFiller returns an Annex B access unit without its filler NAL units, and how many bytes
// were removed. The picture decodes the same; only the padding that makes the rate constant is
// gone. au is returned as it is when it holds no filler.
//
// Why: with CBR and filler, x264 pays back the VBV buffer a bitrate decrease took away, in filler,
// in the very next frame: a burst of seconds of the link, sent just when it is known to be too
// narrow (TestDecreaseSendsNoFillerBurst).
func withoutFiller(au []byte) ([]byte, int) {
	var out []byte
	removed, kept := 0, 0 // au[:kept] is settled: copied to out, or removed
	annexb.Units(au, func(start, body, end int) {
		if body == end || au[body]&0x1f != fillerNAL {
			return
		}
		if out == nil {
			out = make([]byte, 0, len(au))
		}
		out = append(out, au[kept:start]...)
		removed += end - start
		kept = end
	})
	if out == nil {
		return au, 0
	}
	return append(out, au[kept:]...), removed
}
