package broadcast

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestPreviewGetsFivePicturesASecond: whatever the source's rate, and with the jitter capture
// has, the preview gets five pictures a second (each one a redraw of the window), not fewer.
func TestPreviewGetsFivePicturesASecond(t *testing.T) {
	for _, tc := range []struct {
		fps    int
		jitter time.Duration
		want   int
	}{
		{fps: 5, jitter: 15 * time.Millisecond, want: 50}, // the preview alone asks sources for 5 fps
		{fps: 30, jitter: 5 * time.Millisecond, want: 50}, // live at 30 fps
		{fps: 25, jitter: 5 * time.Millisecond, want: 50}, // a PAL camera
		{fps: 60, jitter: 2 * time.Millisecond, want: 50}, // a screen at 60
		{fps: 2, jitter: 0, want: 20},                     // a slower source: every frame
	} {
		rng := rand.New(rand.NewPCG(1, uint64(tc.fps)))
		var tp tapper
		start := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
		shown := 0
		for i := range 10 * tc.fps { // ten seconds
			at := start.Add(time.Duration(i) * time.Second / time.Duration(tc.fps))
			if tc.jitter > 0 {
				at = at.Add(time.Duration(rng.Int64N(int64(2*tc.jitter))) - tc.jitter)
			}
			if tp.previewDue(at) {
				shown++
			}
		}
		if shown < tc.want-1 || shown > tc.want+1 {
			t.Errorf("%d fps source: %d pictures in 10 s, want %d", tc.fps, shown, tc.want)
		}
	}
}
