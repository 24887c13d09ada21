package rtmpout

import (
	"sync"
	"time"
)

// DropPolicy says when the send queue drops video. Audio is never dropped: a gap in the sound is
// worse than a skipped frame.
type DropPolicy struct {
	// Disposable is the queue duration past which queued video that no other frame refers to
	// (non-reference frames) is dropped. Default 700 ms.
	Disposable time.Duration
	// ToKeyframe is the queue duration past which all queued video up to the next keyframe is
	// dropped, new video is discarded until a keyframe arrives, and the producer is asked for one.
	// Default 900 ms.
	ToKeyframe time.Duration
}

func (p DropPolicy) withDefaults() DropPolicy {
	if p.Disposable <= 0 {
		p.Disposable = 700 * time.Millisecond
	}
	if p.ToKeyframe <= 0 {
		p.ToKeyframe = 900 * time.Millisecond
	}
	return p
}

type kind uint8

const (
	kindControl kind = iota // protocol control and commands: never dropped, go first
	kindHeader              // metadata and sequence headers: never dropped
	kindAudio
	kindVideo
)

// item is one queued message. Items and their buffers are pooled.
type item struct {
	kind       kind
	csid       uint32
	typ        uint8
	streamID   uint32
	dts        time.Duration
	keyframe   bool
	disposable bool
	body       []byte
}

var itemPool = sync.Pool{New: func() any { return &item{body: make([]byte, 0, 4096)} }}

func newItem() *item {
	it := itemPool.Get().(*item)
	it.body = it.body[:0]
	return it
}

func releaseItem(it *item) {
	if cap(it.body) > 4<<20 { // do not keep huge buffers around
		return
	}
	itemPool.Put(it)
}

// queue is the send queue between producers and the socket's writer goroutine.
type queue struct {
	policy DropPolicy
	mu     sync.Mutex
	items  []*item // unsent, in send order; control items are put in front
	bytes  int
	wake   chan struct{}
	closed bool
	// waitKey discards new video until a keyframe arrives, after a drop to the keyframe.
	waitKey bool

	// stallUntil and stall: until then, the policy's limits are stall longer (SkipToKeyframe).
	stallUntil time.Time
	stall      time.Duration

	videoDropped   uint64
	keyRequests    uint64
	lastKeyRequest time.Time
}

func newQueue(p DropPolicy) *queue {
	return &queue{policy: p.withDefaults(), wake: make(chan struct{}, 1)}
}

// setPolicy changes the drop policy for what is queued from now on.
func (q *queue) setPolicy(p DropPolicy) {
	q.mu.Lock()
	q.policy = p.withDefaults()
	q.mu.Unlock()
}

func (q *queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// push queues it and applies the drop policy. It reports whether the producer should be asked for a
// keyframe. After close it drops the item.
func (q *queue) push(it *item) (wantKeyframe bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed && it.kind != kindControl {
		releaseItem(it)
		return false
	}
	switch it.kind {
	case kindControl:
		q.items = append(q.items, nil)
		i := 0
		for i < len(q.items)-1 && q.items[i].kind == kindControl {
			i++
		}
		copy(q.items[i+1:], q.items[i:])
		q.items[i] = it
		q.bytes += len(it.body)
		q.signal()
		return false
	case kindVideo:
		if q.waitKey && !it.keyframe {
			q.videoDropped++
			releaseItem(it)
			return false
		}
		if it.keyframe {
			q.waitKey = false
		}
	}
	q.items = append(q.items, it)
	q.bytes += len(it.body)
	wantKeyframe = q.enforceLocked()
	q.signal()
	return wantKeyframe
}

// durationLocked is the media time between the oldest unsent and the newest queued media packet.
func (q *queue) durationLocked() time.Duration {
	var oldest, newest time.Duration
	found := false
	for _, it := range q.items {
		if it.kind != kindAudio && it.kind != kindVideo {
			continue
		}
		if !found {
			oldest, found = it.dts, true
		}
		newest = max(newest, it.dts)
	}
	if !found {
		return 0
	}
	return newest - oldest
}

// lateLocked is how far the queue is behind for the drop policy: its duration, less the stall
// SkipToKeyframe announced while it lasts.
func (q *queue) lateLocked() time.Duration {
	d := q.durationLocked()
	if time.Now().Before(q.stallUntil) {
		d -= q.stall
	}
	return d
}

func (q *queue) enforceLocked() (wantKeyframe bool) {
	d := q.lateLocked()
	if d > q.policy.ToKeyframe {
		// Keep video from the newest queued keyframe on, if that brings the queue under the limit.
		last := -1
		for i, it := range q.items {
			if it.kind == kindVideo && it.keyframe {
				last = i
			}
		}
		q.dropVideo(func(i int, _ *item) bool { return i < last })
		if last < 0 || q.lateLocked() > q.policy.ToKeyframe {
			return q.skipToKeyframeLocked()
		}
		return false
	}
	if d > q.policy.Disposable {
		q.dropVideo(func(_ int, it *item) bool { return it.disposable })
	}
	return false
}

// skipToKeyframeLocked drops all queued video and new video until a keyframe arrives. It reports
// whether to ask the producer for one: once per episode, and at most once a second (while the link
// stays stalled, a keyframe on every frame would only add the largest frames to the backlog).
func (q *queue) skipToKeyframeLocked() (wantKeyframe bool) {
	q.dropVideo(func(int, *item) bool { return true })
	wasWaiting := q.waitKey
	q.waitKey = true
	now := time.Now()
	if wasWaiting || now.Sub(q.lastKeyRequest) < time.Second {
		return false
	}
	q.lastKeyRequest = now
	q.keyRequests++
	return true
}

// skipToKeyframe drops the queued video now (skipToKeyframeLocked); for the next stall the policy's
// limits are stall longer: what waits behind a backlog the link takes that long to drain is not late
// because of the queue.
func (q *queue) skipToKeyframe(stall time.Duration) (wantKeyframe bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.stall, q.stallUntil = stall, time.Now().Add(stall)
	return q.skipToKeyframeLocked()
}

// dropVideo removes the video items for which drop says so.
func (q *queue) dropVideo(drop func(i int, it *item) bool) {
	kept := q.items[:0]
	for i, it := range q.items {
		if it.kind == kindVideo && drop(i, it) {
			q.bytes -= len(it.body)
			q.videoDropped++
			releaseItem(it)
			continue
		}
		kept = append(kept, it)
	}
	for i := len(kept); i < len(q.items); i++ {
		q.items[i] = nil
	}
	q.items = kept
}

// pop returns the next item, waiting until one is queued. It returns nil when the queue is closed
// and empty, or when stop is closed.
func (q *queue) pop(stop <-chan struct{}) *item {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			it := q.items[0]
			q.items[0] = nil
			q.items = q.items[1:]
			q.bytes -= len(it.body)
			q.mu.Unlock()
			return it
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			return nil
		}
		select {
		case <-q.wake:
		case <-stop:
			return nil
		}
	}
}

// close stops accepting media; what is queued is still sent.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

type queueStats struct {
	duration     time.Duration
	bytes        int
	packets      int
	videoDropped uint64
	keyRequests  uint64
}

func (q *queue) stats() queueStats {
	q.mu.Lock()
	defer q.mu.Unlock()
	return queueStats{duration: q.durationLocked(), bytes: q.bytes, packets: len(q.items),
		videoDropped: q.videoDropped, keyRequests: q.keyRequests}
}
