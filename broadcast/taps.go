package broadcast

import (
	"image"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"onair/capture"
)

// Taps are optional views into a live session, for the window. They are called from the capture
// goroutines and must return quickly; the image is valid only during the call.
type Taps struct {
	// Preview receives five pictures a second, small (480 wide), in the stream's shape: what
	// viewers get, both pictures in their places.
	Preview func(img image.Image)
	// AudioLevel receives each audio chunk's peak level in dBFS (-inf for silence), after the
	// sound's level; SecondAudioLevel the same of the second sound.
	AudioLevel       func(peakDBFS float64)
	SecondAudioLevel func(peakDBFS float64)
}

// previewEvery spaces the preview's frames: each redraws the whole window, and five a second
// show a person that the source works.
const previewEvery = 200 * time.Millisecond

// tapper calls the taps from the capture goroutines, the preview about every previewEvery.
type tapper struct {
	taps        Taps
	mu          sync.Mutex
	nextPreview time.Time
	// What the preview picture is made of besides the first picture: the stream's size, and the
	// second picture and the layout, when there is one.
	width, height int
	second        *latestPicture
	layout        *atomic.Pointer[Layout]
}

// previewSlack lets a frame that comes a little early count as on time: a source that delivers
// at the preview's own rate would otherwise lose every other frame to jitter.
const previewSlack = 25 * time.Millisecond

func (t *tapper) preview(f capture.VideoFrame) {
	if t.taps.Preview == nil {
		return
	}
	if !t.previewDue(time.Now()) {
		return
	}
	layout := Layout{Kind: "video"}
	var second image.Image
	if t.second != nil {
		layout = *t.layout.Load()
		if f2, release, ok := t.second.take(); ok {
			defer release()
			second = f2.Image
		}
	}
	t.taps.Preview(previewPicture(f.Image, second, layout, t.width, t.height))
}

// previewDue reports whether a frame captured at now goes to the preview.
func (t *tapper) previewDue(now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if now.Before(t.nextPreview.Add(-previewSlack)) {
		return false
	}
	// On a schedule, not from now: frames at 30 fps then give five pictures a second, not four.
	t.nextPreview = t.nextPreview.Add(previewEvery)
	if t.nextPreview.Before(now) {
		t.nextPreview = now.Add(previewEvery)
	}
	return true
}

// levels passes a chunk's peaks (after each sound's level) to the meters.
func (t *tapper) levels(p1, p2 float32, second bool) {
	if t.taps.AudioLevel != nil {
		t.taps.AudioLevel(20 * math.Log10(float64(p1)))
	}
	if second && t.taps.SecondAudioLevel != nil {
		t.taps.SecondAudioLevel(20 * math.Log10(float64(p2)))
	}
}
