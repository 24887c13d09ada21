package encoder

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
