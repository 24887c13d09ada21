package encoder

import (
	"bytes"
	"image"
	"testing"
	"time"
)

// TestSizeStepsMidStream steps a 720p stream down to 480p and 360p and back: each step starts on
// an IDR frame whose packet carries the new size's configuration, no frame is lost, and the
// pictures decode at the new size with the picture (and its area) in place.
func TestSizeStepsMidStream(t *testing.T) {
	const w, h, fps = 1280, 720, 30
	v, err := NewVideo(VideoConfig{Width: w, Height: h, FPS: fps, BitrateKbps: 1500, Codec: "libx264", Preset: "ultrafast"})
	if err != nil {
		t.Fatal(err)
	}
	first := v.Config()
	got := collect(v)
	steps := map[int]image.Point{30: {854, 480}, 60: {640, 360}, 90: {w, h}}
	left := image.Rect(0, 0, w/2, h) // frames 60–89 fill only the left half
	const n = 120
	for i := 0; i < n; i++ {
		if s, ok := steps[i]; ok {
			if err := v.SetSize(s.X, s.Y); err != nil {
				t.Fatal(err)
			}
		}
		y, u, vv := pattern(w, h, i)
		f := i420Frame(w, h, y, u, vv, time.Duration(i)*time.Second/fps)
		if i >= 60 && i < 90 {
			f.Area = left
		}
		submitWait(t, v, f)
	}
	if gw, gh := v.Size(); gw != w || gh != h {
		t.Fatalf("Size() = %dx%d after going back", gw, gh)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	pkts := <-got
	if len(pkts) != n {
		t.Fatalf("%d packets for %d frames", len(pkts), n)
	}
	// Split the stream where a keyframe brings a new configuration, and decode each part with it.
	type part struct {
		config []byte
		pkts   []Packet
		from   int
	}
	var parts []part
	for i, p := range pkts {
		if p.Keyframe != (i%30 == 0) {
			t.Fatalf("packet %d keyframe=%v", i, p.Keyframe)
		}
		if p.Keyframe && len(p.Config) == 0 {
			t.Fatalf("keyframe %d carries no configuration", i)
		}
		if p.Keyframe && (len(parts) == 0 || !bytes.Equal(p.Config, parts[len(parts)-1].config)) {
			parts = append(parts, part{config: p.Config, from: i})
		}
		parts[len(parts)-1].pkts = append(parts[len(parts)-1].pkts, p)
	}
	if !bytes.Equal(parts[0].config, first) {
		t.Fatal("the first keyframe's configuration is not the one Config gave at the start")
	}
	want := []image.Point{{w, h}, {854, 480}, {640, 360}, {w, h}}
	if len(parts) != len(want) {
		t.Fatalf("%d configurations in the stream, want %d", len(parts), len(want))
	}
	for k, pt := range parts {
		pics := decodeH264(t, pt.config, pt.pkts)
		if len(pics) != 30 {
			t.Fatalf("part %d: %d pictures decoded of 30", k, len(pics))
		}
		for j, d := range pics {
			if d.w != want[k].X || d.h != want[k].Y {
				t.Fatalf("part %d picture %d is %dx%d, want %v", k, j, d.w, d.h, want[k])
			}
		}
		d := pics[15]
		y, _, _ := pattern(w, h, pt.from+15)
		srcLeft, srcRight := meanLuma(y, w, image.Rect(0, 0, w/2, h)), meanLuma(y, w, image.Rect(w/2, 0, w, h))
		gotLeft, gotRight := meanLuma(d.y, d.w, image.Rect(0, 0, d.w/2, d.h)), meanLuma(d.y, d.w, image.Rect(d.w/2, 0, d.w, d.h))
		if k == 2 { // the whole picture fits the left half at half its height, black around it
			srcLeft, srcRight = ((srcLeft+srcRight)/2+16)/2, 16
		}
		if diff(gotLeft, srcLeft) > 6 || diff(gotRight, srcRight) > 6 {
			t.Fatalf("part %d: mean luma left/right %.0f/%.0f, the source's %.0f/%.0f", k, gotLeft, gotRight, srcLeft, srcRight)
		}
		t.Logf("part %d: %dx%d from frame %d, luma %.0f/%.0f (source %.0f/%.0f)", k, d.w, d.h, pt.from, gotLeft, gotRight, srcLeft, srcRight)
	}
	if err := v.SetSize(853, 480); err == nil {
		t.Fatal("an odd width was taken")
	}
}

func meanLuma(y []byte, stride int, r image.Rectangle) float64 {
	var sum, n float64
	for row := r.Min.Y; row < r.Max.Y; row++ {
		for c := r.Min.X; c < r.Max.X; c++ {
			sum += float64(y[row*stride+c])
			n++
		}
	}
	return sum / n
}

func diff(a, b float64) float64 {
	if a > b {
		return a - b
	}
	return b - a
}

// TestReopenedKeyframeIsNoBurst: the IDR frame that starts a new size is no bigger than a regular
// keyframe at that size (a fresh rate buffer would let it take 2.5 times as much, a burst a
// shallow bottleneck loses packets on).
func TestReopenedKeyframeIsNoBurst(t *testing.T) {
	const w, h, fps = 1280, 720, 30
	v, err := NewVideo(VideoConfig{Width: w, Height: h, FPS: fps, BitrateKbps: 1600, Codec: "libx264", Preset: "veryfast"})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(v)
	next := noise(w, h, 1)
	for i := 0; i < 180; i++ {
		switch i {
		case 90:
			_ = v.SetSize(854, 480)
		case 120:
			_ = v.SetSize(w, h)
		}
		submitWait(t, v, next(time.Duration(i)*time.Second/fps))
	}
	_ = v.Close()
	pkts := <-got
	regular, reopened := len(pkts[60].Data), len(pkts[120].Data)
	t.Logf("720p keyframes: %d bytes on the clock, %d after opening again", regular, reopened)
	if !pkts[60].Keyframe || !pkts[120].Keyframe || reopened > regular*5/4 {
		t.Fatalf("keyframe after opening again: %d bytes, a regular one %d", reopened, regular)
	}
}
