package encoder

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestBitrateFollowsChanges encodes constant-complexity noise at 4000 kb/s, switches to 1000 kb/s at
// 6 s and back to 4000 at 12 s. Each full second from the second after a switch on must measure
// within ±20 % of the new target.
func TestBitrateFollowsChanges(t *testing.T) {
	const w, h, fps, seconds = 640, 360, 30, 18
	v, err := NewVideo(VideoConfig{Width: w, Height: h, FPS: fps, BitrateKbps: 4000, Codec: "libx264"})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(v)
	next := noise(w, h, 1)
	for i := 0; i < seconds*fps; i++ {
		switch i {
		case 6 * fps:
			v.SetBitrate(1000)
		case 12 * fps:
			v.SetBitrate(4000)
		}
		submitWait(t, v, next(time.Duration(i)*time.Second/fps))
	}
	_ = v.Close()
	perSecond := bitsPerSecond(<-got, seconds)
	t.Logf("kb/s per second: %v", kbps(perSecond))
	check := func(from, to, want int) {
		for s := from; s < to; s++ {
			got := perSecond[s] / 1000
			if got < want*8/10 || got > want*12/10 {
				t.Errorf("second %d: %d kb/s, want %d ±20%%", s, got, want)
			}
		}
	}
	check(1, 6, 4000)
	check(7, 12, 1000)
	check(13, 18, 4000)
}

// TestRaiseTakesEffectAtOnce: after a raise the stream runs at the new rate within a few frames.
// (x264 fills a grown rate buffer by making less than the rate: with the buffer doubled along with
// the rate, the stream stayed near the old rate for 1.5 s, and the link's room went unused.)
func TestRaiseTakesEffectAtOnce(t *testing.T) {
	const w, h, fps, from, to = 640, 360, 30, 1000, 2000
	v, err := NewVideo(VideoConfig{Width: w, Height: h, FPS: fps, BitrateKbps: from, Codec: "libx264", Preset: "veryfast"})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(v)
	const frames = 4 * fps
	encodePattern(t, v, w, h, fps, frames, 2*fps, to)
	_ = v.Close()
	const tenth = 100 * time.Millisecond
	per := make([]int, frames/fps*10) // kb/s in each tenth of a second
	for _, p := range <-got {
		if i := int(p.PTS / tenth); i < len(per) {
			per[i] += len(p.Data) * 8 * 10 / 1000
		}
	}
	t.Logf("kb/s per tenth of a second from the raise on: %v", per[20:])
	for i := 25; i < len(per); i++ { // from half a second after the raise
		if per[i] < to*8/10 {
			t.Errorf("%v after the raise: %d kb/s, want %d", time.Duration(i-20)*tenth, per[i], to)
		}
	}
}

// encodePattern feeds v frames of the test pattern at fps, changing the bitrate to kbps before
// frame changeAt.
func encodePattern(t *testing.T, v *Video, w, h, fps, frames, changeAt, kbps int) {
	t.Helper()
	for i := 0; i < frames; i++ {
		if i == changeAt {
			v.SetBitrate(kbps)
		}
		y, u, vv := pattern(w, h, i)
		submitWait(t, v, i420Frame(w, h, y, u, vv, time.Duration(i)*time.Second/time.Duration(fps)))
	}
}

// noise returns a source of I420 frames of constant complexity: new random pixels every frame.
func noise(w, h int, seed uint64) func(pts time.Duration) VideoFrame {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	y, u, v := make([]byte, w*h), make([]byte, w*h/4), make([]byte, w*h/4)
	return func(pts time.Duration) VideoFrame {
		for j := range y {
			y[j] = byte(rng.IntN(220) + 16)
		}
		for j := range u {
			u[j], v[j] = byte(rng.IntN(64)+96), byte(rng.IntN(64)+96)
		}
		return i420Frame(w, h, y, u, v, pts)
	}
}

// bitsPerSecond adds up the packets' bits in each whole second of their timestamps.
func bitsPerSecond(pkts []Packet, seconds int) []int {
	out := make([]int, seconds)
	for _, p := range pkts {
		if s := int(p.PTS / time.Second); s < seconds {
			out[s] += len(p.Data) * 8
		}
	}
	return out
}

func kbps(bits []int) []int {
	out := make([]int, len(bits))
	for i, b := range bits {
		out[i] = b / 1000
	}
	return out
}

// TestBitrateOnEasyPictures: strict CBR (filler) keeps an easy picture at the target, and the
// target still follows a change, so the network is loaded as planned whatever the scene.
func TestBitrateOnEasyPictures(t *testing.T) {
	const w, h, fps, seconds = 640, 360, 30, 8
	v, err := NewVideo(VideoConfig{Width: w, Height: h, FPS: fps, BitrateKbps: 3000, Codec: "libx264"})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(v)
	encodePattern(t, v, w, h, fps, seconds*fps, 4*fps, 800)
	_ = v.Close()
	perSecond := bitsPerSecond(<-got, seconds)
	t.Logf("kb/s per second: %v", kbps(perSecond))
	for s, want := range map[int]int{1: 3000, 2: 3000, 3: 3000, 5: 800, 6: 800, 7: 800} {
		if got := perSecond[s] / 1000; got < want*8/10 || got > want*12/10 {
			t.Errorf("second %d: %d kb/s, want %d ±20%%", s, got, want)
		}
	}
}

// TestDecreaseSendsNoFillerBurst: right after a bitrate decrease x264 (CBR with filler) pays the
// old VBV buffer back in filler in one frame (measured: 411 KB at 4500 -> 771 kb/s). That frame
// must come out without it, and still decode.
func TestDecreaseSendsNoFillerBurst(t *testing.T) {
	const w, h, fps, from, to = 640, 360, 30, 3000, 500
	v, err := NewVideo(VideoConfig{Width: w, Height: h, FPS: fps, BitrateKbps: from, Codec: "libx264", Preset: "veryfast"})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(v)
	const switchAt = 50
	encodePattern(t, v, w, h, fps, 90, switchAt, to)
	removed := v.Stats().FillerRemoved
	_ = v.Close()
	pkts := <-got
	perFrame := from * 1000 / 8 / fps
	biggest := 0
	for _, p := range pkts[switchAt:] {
		biggest = max(biggest, len(p.Data))
	}
	t.Logf("largest frame after the decrease: %d B (%d B a frame at %d kb/s); filler removed: %d B", biggest, perFrame, from, removed)
	if biggest > 2*perFrame {
		t.Fatalf("a %d B frame after the decrease, over twice a frame's share at the old rate", biggest)
	}
	if removed == 0 {
		t.Fatal("no filler removed: the test no longer shows the payback")
	}
	if n := len(decodeH264(t, v.Config(), pkts)); n != len(pkts) {
		t.Fatalf("decoded %d of %d frames", n, len(pkts))
	}
}

// TestFrameDivisorKeepsBitrateAndKeyframes: with every second frame left out the stream keeps its
// bitrate (each picture gets twice the bits), runs at 15 fps, and keyframes stay 2 s apart.
func TestFrameDivisorKeepsBitrateAndKeyframes(t *testing.T) {
	const w, h, fps, seconds, rate = 640, 360, 30, 10, 800
	v, err := NewVideo(VideoConfig{Width: w, Height: h, FPS: fps, BitrateKbps: rate, Codec: "libx264", Preset: "veryfast"})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(v)
	next := noise(w, h, 3)
	for i := 0; i < seconds*fps; i++ {
		if i == 3*fps+7 { // mid-GOP
			v.SetFrameDivisor(2)
		}
		submitWait(t, v, next(time.Duration(i)*time.Second/fps))
	}
	st := v.Stats()
	_ = v.Close()
	pkts := <-got
	perSecond := bitsPerSecond(pkts, seconds)
	frames := make([]int, seconds)
	var keys []time.Duration
	for _, p := range pkts {
		frames[p.PTS/time.Second]++
		if p.Keyframe {
			keys = append(keys, p.PTS)
		}
	}
	t.Logf("kb/s: %v; frames a second: %v; keyframes at %v; left out %d", kbps(perSecond), frames, keys, st.Decimated)
	for s := 5; s < seconds; s++ {
		if got := perSecond[s] / 1000; got < rate*8/10 || got > rate*12/10 {
			t.Errorf("second %d: %d kb/s at half the frame rate, want %d ±20%%", s, got, rate)
		}
		if frames[s] != fps/2 {
			t.Errorf("second %d: %d frames, want %d", s, frames[s], fps/2)
		}
	}
	want := []time.Duration{0, 2 * time.Second, 4 * time.Second, 6 * time.Second, 8 * time.Second}
	if len(keys) != len(want) {
		t.Fatalf("keyframes at %v, want %v", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("keyframes at %v, want %v", keys, want)
		}
	}
	if st.FrameDivisor != 2 || st.Decimated == 0 {
		t.Fatalf("stats: divisor %d, left out %d", st.FrameDivisor, st.Decimated)
	}
}
