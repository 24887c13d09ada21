package rtmpout

import (
	"sync"
	"time"
)

// Stats is a snapshot of the connection's send side.
type Stats struct {
	// QueueDuration is the media time between the oldest unsent and the newest queued packet.
	QueueDuration time.Duration
	QueueBytes    int
	QueuePackets  int
	// KernelUnsent is the number of bytes the kernel holds in the socket's send buffer that have
	// not reached the peer (SIOCOUTQ, less what the peer acknowledged selectively); delay hidden
	// from the queue above.
	KernelUnsent int
	// SentBytes counts what was written to the socket (TLS overhead excluded).
	SentBytes uint64
	// DeliveredBytes counts what the peer's TCP acknowledged, selectively past a loss too (TLS
	// overhead included): the rate it grows at is the link's, even while the socket's buffers fill
	// or TCP repairs a loss. 0 where the OS does not say.
	DeliveredBytes uint64
	// MinRTT is the smallest round trip TCP has measured (0 where the OS does not say).
	MinRTT time.Duration
	// SendRate1s and SendRate2s are bits per second written to the socket over the last 1 s and 2 s.
	SendRate1s, SendRate2s float64
	// WriteBlocked is the total time spent inside socket writes: time the network made us wait.
	WriteBlocked         time.Duration
	VideoSent, AudioSent uint64
	// VideoDropped counts video frames the drop policy discarded. Audio is never dropped.
	VideoDropped uint64
	// KeyframeRequests counts how often the producer was asked for a keyframe after a drop.
	KeyframeRequests uint64
	// AckedBytes is the last byte count the server acknowledged, with the time it arrived.
	AckedBytes uint64
	LastAck    time.Time
}

const (
	bucketWidth = 100 * time.Millisecond
	numBuckets  = 20 // 2 s
)

// meter measures bytes written over sliding windows, in 100 ms buckets.
type meter struct {
	mu      sync.Mutex
	buckets [numBuckets]uint64
	stamp   [numBuckets]int64 // bucket index (time / width) each bucket holds
	total   uint64
	blocked time.Duration
}

func (m *meter) add(now time.Time, n int, took time.Duration) {
	idx := now.UnixNano() / int64(bucketWidth)
	slot := idx % numBuckets
	m.mu.Lock()
	if m.stamp[slot] != idx {
		m.stamp[slot], m.buckets[slot] = idx, 0
	}
	m.buckets[slot] += uint64(n)
	m.total += uint64(n)
	m.blocked += took
	m.mu.Unlock()
}

// rates returns bits per second over the last 1 s and 2 s, counting whole buckets before now's.
func (m *meter) rates(now time.Time) (r1, r2 float64, total uint64, blocked time.Duration) {
	idx := now.UnixNano() / int64(bucketWidth)
	m.mu.Lock()
	defer m.mu.Unlock()
	var s1, s2 uint64
	for i := int64(1); i <= numBuckets; i++ {
		b := idx - i
		slot := b % numBuckets
		if m.stamp[slot] != b {
			continue
		}
		s2 += m.buckets[slot]
		if i <= numBuckets/2 {
			s1 += m.buckets[slot]
		}
	}
	return float64(s1 * 8), float64(s2*8) / 2, m.total, m.blocked
}

// reached counts the bytes that reached the peer (delivered, never less than before) and those the
// kernel holds that have not (unsent), from the bytes acknowledged, those acknowledged selectively
// and those the kernel holds unacknowledged. Past a loss, the peer acknowledges what follows the
// hole selectively: the link delivered it, and a recovery without a timeout is no stall. (A peer
// may withdraw a selective acknowledgement.) Where the OS says nothing, delivered stays 0.
func reached(before, acked uint64, sacked, held int) (delivered uint64, unsent int) {
	if acked == 0 {
		return before, held
	}
	return max(before, acked+uint64(sacked)), max(0, held-sacked)
}
