package capture

import (
	"image"
	"math"
	"sync"
	"testing"
	"time"
)

// TestTestSourcesRateSizeAndSync runs the pattern and the tone together for 5 s: exact size, rate
// within 1 %, monotonic timestamps, and every flash within one frame of its beep.
func TestTestSourcesRateSizeAndSync(t *testing.T) {
	const w, h, fps, run = 1280, 720, 30, 5 * time.Second
	clock := NewClock()
	pat, err := NewTestPattern(clock, w, h, fps)
	if err != nil {
		t.Fatal(err)
	}
	tone := NewTestTone(clock)
	var flashes, beeps []time.Duration
	var frames, chunks int
	var videoSpan, audioSpan [2]time.Duration
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		var last time.Duration = -1
		wasFlash := false
		for clock.Now() < run {
			f, release, err := pat.Read()
			if err != nil {
				t.Error(err)
				return
			}
			img := f.Image.(*image.YCbCr)
			if img.Rect.Dx() != w || img.Rect.Dy() != h || img.SubsampleRatio != image.YCbCrSubsampleRatio420 {
				t.Errorf("frame %v %v", img.Rect, img.SubsampleRatio)
			}
			if f.Time <= last {
				t.Errorf("video time %v after %v", f.Time, last)
			}
			last = f.Time
			if frames == 0 {
				videoSpan[0] = f.Time
			}
			videoSpan[1] = f.Time
			frames++
			flash := img.Y[(h/8)*img.YStride+w/8] > 200
			if flash && !wasFlash {
				flashes = append(flashes, f.Time)
			}
			wasFlash = flash
			release()
		}
	}()
	go func() {
		defer wg.Done()
		var last time.Duration = -1
		loud := false
		for clock.Now() < run {
			c, release, err := tone.Read()
			if err != nil {
				t.Error(err)
				return
			}
			if c.Time <= last || c.SampleRate != 48000 || c.Channels != 2 || len(c.Samples) != 2*960 {
				t.Errorf("chunk at %v (after %v): %d Hz, %d channels, %d samples", c.Time, last, c.SampleRate, c.Channels, len(c.Samples))
			}
			last = c.Time
			if chunks == 0 {
				audioSpan[0] = c.Time
			}
			audioSpan[1] = c.Time
			chunks++
			for i := 0; i < len(c.Samples); i += 2 {
				l := math.Abs(float64(c.Samples[i])) > 0.3
				if l && !loud {
					beeps = append(beeps, c.Time+time.Duration(i/2)*time.Second/48000)
				}
				if l {
					loud = true
				}
			}
			// A beep lasts 100 ms; reset when a chunk holds no loud sample.
			if peak(c.Samples) < 0.3 {
				loud = false
			}
			release()
		}
	}()
	wg.Wait()
	pat.Close()
	tone.Close()

	vrate := float64(frames-1) / (videoSpan[1] - videoSpan[0]).Seconds()
	arate := float64(chunks-1) / (audioSpan[1] - audioSpan[0]).Seconds()
	t.Logf("%d frames at %.3f fps, %d chunks at %.3f/s, flashes %v, beeps %v", frames, vrate, chunks, arate, flashes, beeps)
	if math.Abs(vrate-fps)/fps > 0.01 {
		t.Errorf("video rate %.3f fps, want %d ±1%%", vrate, fps)
	}
	if math.Abs(arate-50)/50 > 0.01 {
		t.Errorf("audio rate %.3f chunks/s, want 50 ±1%%", arate)
	}
	if len(flashes) < 4 || len(beeps) < 4 {
		t.Fatalf("%d flashes and %d beeps in 5 s", len(flashes), len(beeps))
	}
	for _, f := range flashes {
		if f < audioSpan[0] || f > audioSpan[1] {
			continue // no audio was read at that time
		}
		nearest := time.Hour
		for _, b := range beeps {
			if d := (f - b).Abs(); d < nearest {
				nearest = d
			}
		}
		if nearest > time.Second/fps {
			t.Errorf("flash at %v has no beep within one frame (nearest %v)", f, nearest)
		}
	}
}

func peak(s []float32) float64 {
	p := 0.0
	for _, v := range s {
		p = math.Max(p, math.Abs(float64(v)))
	}
	return p
}

func TestTestPatternRejectsBadSizes(t *testing.T) {
	for _, s := range [][3]int{{0, 720, 30}, {1281, 720, 30}, {1280, 720, 0}, {1280, 720, 500}} {
		if _, err := NewTestPattern(NewClock(), s[0], s[1], s[2]); err == nil {
			t.Errorf("%v accepted", s)
		}
	}
}

func TestCloseUnblocksRead(t *testing.T) {
	p, _ := NewTestPattern(NewClock(), 64, 64, 1)
	go func() { time.Sleep(50 * time.Millisecond); p.Close() }()
	if _, _, err := p.Read(); err != ErrClosed {
		t.Fatalf("Read after Close: %v", err)
	}
}
