package encoder

import "time"

// Packet is one encoded packet. Video data is an Annex B access unit, audio one raw AAC frame.
type Packet struct {
	Data     []byte
	PTS, DTS time.Duration // on the session clock
	Keyframe bool
	// Config, on a video keyframe, is the SPS and PPS (Annex B) of the stream it starts: it
	// changes when the picture's size does (Video.SetSize). Shared: do not modify.
	Config []byte
	reuse  packetBuffers // where Release returns Data; nil when Data is simply the caller's
}

// Release gives Data back to the encoder, which reuses its memory for a later packet. Call it at
// most once per packet, when Data is no longer needed; a packet never released is garbage
// collected as usual.
func (p Packet) Release() {
	if p.reuse != nil {
		p.reuse.put(p.Data)
	}
}

// packetBuffers recycles the Go memory encoded packets are copied into. At 30 frames a second
// those copies were half of the program's garbage, and every collection wakes each thread.
type packetBuffers chan []byte

// maxReused keeps an unusually large packet's memory (a keyframe after a scene change) from
// staying in the pool: it is left to the garbage collector instead.
const maxReused = 256 << 10

func newPacketBuffers(n int) packetBuffers { return make(packetBuffers, n) }

// copyOf returns a copy of b, in recycled memory when a free buffer is large enough.
func (pb packetBuffers) copyOf(b []byte) []byte {
	var buf []byte
	select {
	case buf = <-pb:
	default:
	}
	if cap(buf) < len(b) {
		buf = make([]byte, len(b), len(b)+len(b)/4) // room for the next, slightly larger packet
	}
	buf = buf[:len(b)]
	copy(buf, b)
	return buf
}

func (pb packetBuffers) put(b []byte) {
	if cap(b) > maxReused {
		return
	}
	select {
	case pb <- b[:0]:
	default:
	}
}
