package capture

import (
	"fmt"
	"image"
	"math"
	"sync"
	"time"
)

// The test sources flash and beep together at the start of every second of the session clock, for
// 100 ms, so audio/video sync can be checked by eye, by ear and by a test.
const syncMark = 100 * time.Millisecond

// InSyncMark reports whether clock time t falls in a flash/beep.
func InSyncMark(t time.Duration) bool { return t%time.Second < syncMark }

// TestPattern is a moving picture of exactly the asked size and rate: colour bars, a moving box, a
// running clock, and a white flash in step with TestTone's beep.
type TestPattern struct {
	clock    *Clock
	w, h     int
	fps      int
	n        int
	bg       *image.YCbCr
	pool     recycler[*image.YCbCr]
	mu       sync.Mutex
	closed   bool
	closedCh chan struct{}
}

// NewTestPattern returns a pattern source; sizes must be even.
func NewTestPattern(clock *Clock, width, height, fps int) (*TestPattern, error) {
	if width < 64 || height < 64 || width%2 != 0 || height%2 != 0 || width > 7680 || height > 4320 {
		return nil, fmt.Errorf("capture: test pattern size %dx%d (even, 64x64 to 7680x4320)", width, height)
	}
	if fps < 1 || fps > 120 {
		return nil, fmt.Errorf("capture: test pattern rate %d fps (1 to 120)", fps)
	}
	p := &TestPattern{clock: clock, w: width, h: height, fps: fps, pool: newRecycler[*image.YCbCr](4), closedCh: make(chan struct{})}
	p.bg = image.NewYCbCr(image.Rect(0, 0, width, height), image.YCbCrSubsampleRatio420)
	drawBars(p.bg)
	// The first frame is due at the next whole frame interval of the clock.
	p.n = int(clock.Now()*time.Duration(fps)/time.Second) + 1
	return p, nil
}

// Info describes the pattern.
func (p *TestPattern) Info() VideoInfo {
	return VideoInfo{Label: "Test pattern", Width: p.w, Height: p.h, FPS: float64(p.fps)}
}

// Close ends Read.
func (p *TestPattern) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.closed = true
		close(p.closedCh)
	}
	return nil
}

// Read waits for the next frame time and draws it.
func (p *TestPattern) Read() (VideoFrame, func(), error) {
	due := time.Duration(p.n) * time.Second / time.Duration(p.fps)
	p.n++
	if !waitUntil(p.clock, due, p.closedCh) {
		return VideoFrame{}, noRelease, ErrClosed
	}
	if p.clock.Now()-due > time.Second { // we fell far behind (suspended?): skip ahead
		p.n = int(p.clock.Now()*time.Duration(p.fps)/time.Second) + 1
	}
	img := p.pool.get(nil, func() *image.YCbCr { return image.NewYCbCr(p.bg.Rect, image.YCbCrSubsampleRatio420) })
	p.draw(img, due)
	release := p.pool.releaser(img)
	// A synthetic frame is exact: its time is the instant it was drawn for.
	return VideoFrame{Image: img, Time: due}, release, nil
}

func (p *TestPattern) draw(img *image.YCbCr, t time.Duration) {
	copy(img.Y, p.bg.Y)
	copy(img.Cb, p.bg.Cb)
	copy(img.Cr, p.bg.Cr)
	w, h := p.w, p.h
	unit := max(2, h/90)
	// A box that crosses the picture every 4 s, so motion (and a freeze) is obvious.
	phase := float64(t%(4*time.Second)) / float64(4*time.Second)
	bs := h / 6
	bx := int(phase * float64(w-bs))
	by := h/2 - bs/2 + int(float64(h/5)*math.Sin(2*math.Pi*phase))
	fillY(img, bx, by, bs, bs, 235)
	// The flash: a large white block in the top-left corner during the sync mark.
	if InSyncMark(t) {
		fillY(img, 0, 0, w/4, h/4, 235)
		fillC(img, 0, 0, w/4, h/4, 128, 128)
	}
	// The running clock, mm:ss.cc, bottom left, on a dark band.
	band := 9 * unit
	fillY(img, 0, h-band-unit, w, band+unit, 16)
	fillC(img, 0, h-band-unit, w, band+unit, 128, 128)
	cs := int(t / (10 * time.Millisecond))
	text := fmt.Sprintf("%02d:%02d.%02d", cs/6000%100, cs/100%60, cs%100)
	drawText(img, unit*2, h-band, unit, text)
}

// drawBars paints the background: seven colour bars over the top two thirds, a grey ramp below.
func drawBars(img *image.YCbCr) {
	bars := [7][3]byte{{180, 128, 128}, {168, 44, 136}, {145, 147, 44}, {133, 63, 52}, {63, 193, 204}, {51, 109, 212}, {28, 212, 120}}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var c [3]byte
			if y < h*2/3 {
				c = bars[x*7/w]
			} else {
				c = [3]byte{byte(16 + x*219/w), 128, 128}
			}
			img.Y[y*img.YStride+x] = c[0]
			if x%2 == 0 && y%2 == 0 {
				i := img.COffset(x, y)
				img.Cb[i], img.Cr[i] = c[1], c[2]
			}
		}
	}
}

func fillY(img *image.YCbCr, x0, y0, w, h int, v byte) {
	r := image.Rect(x0, y0, x0+w, y0+h).Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Y[y*img.YStride+r.Min.X : y*img.YStride+r.Max.X]
		for i := range row {
			row[i] = v
		}
	}
}

func fillC(img *image.YCbCr, x0, y0, w, h int, cb, cr byte) {
	r := image.Rect(x0, y0, x0+w, y0+h).Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			i := img.COffset(x, y)
			img.Cb[i], img.Cr[i] = cb, cr
		}
	}
}

// segments of a seven-segment digit: a b c d e f g, as bit masks per digit.
var sevenSeg = [10]byte{0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F}

// drawText draws digits, ':' and '.' as seven-segment glyphs, u pixels per stroke.
func drawText(img *image.YCbCr, x, y, u int, s string) {
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			m := sevenSeg[r-'0']
			seg := [7][4]int{{u, 0, 3 * u, u}, {4 * u, u, u, 3 * u}, {4 * u, 4 * u, u, 3 * u}, {u, 7 * u, 3 * u, u},
				{0, 4 * u, u, 3 * u}, {0, u, u, 3 * u}, {u, 3*u + u/2, 3 * u, u}}
			for i, s := range seg {
				if m&(1<<i) != 0 {
					fillY(img, x+s[0], y+s[1], s[2], s[3], 235)
				}
			}
			x += 6 * u
		case r == ':':
			fillY(img, x, y+2*u, u, u, 235)
			fillY(img, x, y+5*u, u, u, 235)
			x += 2 * u
		case r == '.':
			fillY(img, x, y+7*u, u, u, 235)
			x += 2 * u
		}
	}
}

// TestTone is 48 kHz stereo audio in 20 ms chunks: a quiet 440 Hz tone, and a louder 1 kHz beep
// during the sync mark of every second.
type TestTone struct {
	clock    *Clock
	rate     int
	chunk    int
	n        int64 // chunks delivered
	start    time.Duration
	closedCh chan struct{}
	once     sync.Once
	pool     recycler[[]float32]
}

// NewTestTone returns a tone source.
func NewTestTone(clock *Clock) *TestTone {
	const rate = 48000
	start := (clock.Now()/(20*time.Millisecond) + 1) * 20 * time.Millisecond
	return &TestTone{clock: clock, rate: rate, chunk: rate / 50, start: start, closedCh: make(chan struct{}), pool: newRecycler[[]float32](4)}
}

// Info describes the tone.
func (s *TestTone) Info() AudioInfo {
	return AudioInfo{Label: "Test tone", SampleRate: s.rate, Channels: 2}
}

// Close ends Read.
func (s *TestTone) Close() error {
	s.once.Do(func() { close(s.closedCh) })
	return nil
}

// Read waits until the next chunk's last sample is due and returns it.
func (s *TestTone) Read() (AudioChunk, func(), error) {
	first := s.n * int64(s.chunk)
	t0 := s.start + time.Duration(first)*time.Second/time.Duration(s.rate)
	due := t0 + 20*time.Millisecond
	if !waitUntil(s.clock, due, s.closedCh) {
		return AudioChunk{}, noRelease, ErrClosed
	}
	s.n++
	buf := s.pool.get(nil, func() []float32 { return make([]float32, 2*s.chunk) })
	for i := 0; i < s.chunk; i++ {
		abs := first + int64(i)
		t := s.start + time.Duration(abs)*time.Second/time.Duration(s.rate)
		sec := float64(abs) / float64(s.rate)
		v := 0.1 * math.Sin(2*math.Pi*440*sec)
		if InSyncMark(t) {
			v = 0.5 * math.Sin(2*math.Pi*1000*sec)
		}
		buf[2*i], buf[2*i+1] = float32(v), float32(v)
	}
	release := s.pool.releaser(buf)
	// The chunk's time is its first sample's, as it was generated for; the source is exact.
	return AudioChunk{Samples: buf, Channels: 2, SampleRate: s.rate, Time: t0}, release, nil
}
