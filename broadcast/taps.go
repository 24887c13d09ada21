package broadcast

import (
	"image"
	"math"
	"sync"
	"time"

	"onair/capture"
)

// Taps are optional views into a live session, for the window. They are called from the capture
// goroutines and must return quickly; the image is valid only during the call.
type Taps struct {
	// Preview receives about ten frames a second.
	Preview func(img image.Image)
	// AudioLevel receives each audio chunk's peak level in dBFS (-inf for silence).
	AudioLevel func(peakDBFS float64)
}

// previewEvery spaces the preview's frames: each redraws the whole window, and five a second
// show a person that the source works.
const previewEvery = 200 * time.Millisecond

// tapper calls the taps from the capture goroutines, the preview at most every previewEvery.
type tapper struct {
	taps        Taps
	mu          sync.Mutex
	lastPreview time.Time
}

func (t *tapper) preview(f capture.VideoFrame) {
	if t.taps.Preview == nil {
		return
	}
	now := time.Now()
	t.mu.Lock()
	due := now.Sub(t.lastPreview) >= previewEvery
	if due {
		t.lastPreview = now
	}
	t.mu.Unlock()
	if due {
		t.taps.Preview(f.Image)
	}
}

func (t *tapper) level(c capture.AudioChunk) {
	if t.taps.AudioLevel == nil {
		return
	}
	peak := 0.0
	for _, v := range c.Samples {
		peak = math.Max(peak, math.Abs(float64(v)))
	}
	t.taps.AudioLevel(20 * math.Log10(peak))
}
