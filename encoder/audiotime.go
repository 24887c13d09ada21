package encoder

import (
	"sync/atomic"
	"time"
)

// maxAVDrift is how far the audio's sample count may stray from the capture clock before the
// timeline corrects it. Viewers notice lips and voice apart from about 45 ms.
const maxAVDrift = 40 * time.Millisecond

// audioTimeline keeps AAC timestamps on the capture clock. AAC frames are stamped by counting
// samples from the first chunk; a dropped chunk, or a sound card whose clock runs a little fast or
// slow, makes that count drift from the time the sound was captured. When a chunk's capture time
// and the count disagree by more than maxAVDrift, silence is inserted (the sound came late) or the
// chunk's first samples are left out (it came early), so the count meets the clock again.
type audioTimeline struct {
	rate    int
	anchor  time.Duration // capture time of the first sample
	started bool
	placed  int64        // samples placed on the timeline so far
	offset  atomic.Int64 // nanoseconds the last chunk's sound sits from its capture time, after correction
}

// place returns how many samples of silence go before a chunk of n samples (per channel) captured
// at pts, or how many of its first samples to leave out.
func (t *audioTimeline) place(pts time.Duration, n int) (pad, trim int) {
	if !t.started {
		t.anchor, t.started = pts, true
	}
	drift := pts - t.at(t.placed) // > 0: the chunk's sound belongs later than the count says
	switch {
	case drift > maxAVDrift:
		pad = int(drift.Seconds() * float64(t.rate))
	case drift < -maxAVDrift:
		trim = min(n, int((-drift).Seconds()*float64(t.rate)))
	}
	t.placed += int64(pad + n - trim)
	t.offset.Store(int64(t.at(t.placed-int64(n-trim)) - pts - time.Duration(trim)*time.Second/time.Duration(t.rate)))
	return pad, trim
}

// at is the capture time of the sample with index i on the timeline.
func (t *audioTimeline) at(i int64) time.Duration {
	return t.anchor + time.Duration(i)*time.Second/time.Duration(t.rate)
}

// Offset is how far the latest audio sits from its capture time (positive: later).
func (t *audioTimeline) Offset() time.Duration { return time.Duration(t.offset.Load()) }
