package encoder

import (
	"slices"
	"time"

	"github.com/asticode/go-astiav"
)

// step is one rung of the trial's ladder: an x264 preset and the threads that run it.
type step struct {
	Preset  string
	Threads int // 1: one thread, one slice a frame; 0: x264's choice (a slice thread per core)
}

// ladder is tried in order: the first step that encodes this size fast enough wins. One thread
// comes first because it is the cheapest way to the same pictures: slice threads' hand-offs cost
// more than they save when one core keeps up.
var ladder = []step{{"veryfast", 1}, {"veryfast", 0}, {"superfast", 0}, {"ultrafast", 0}}

// headroom is how much faster than real time a step must encode in the trial: capture,
// conversion and sending share the machine. One thread needs more, because no other thread can
// absorb a picture that is harder than the trial's.
const (
	headroom     = 1.5
	soloHeadroom = 2.5
)

func (s step) needs(fps int) float64 {
	if s.Threads == 1 {
		return soloHeadroom * float64(fps)
	}
	return headroom * float64(fps)
}

// chooseStep times a short trial encode (trialFPS) of each step on a moving picture at the
// stream's size, and returns the first that keeps real time with headroom (the last one
// otherwise).
func chooseStep(cfg VideoConfig, trial func(VideoConfig) float64) (s step, measuredFPS float64) {
	for i, s := range ladder {
		c := cfg
		c.Preset, c.Threads = s.Preset, s.Threads
		fps := trial(c)
		if fps >= s.needs(cfg.FPS) || i == len(ladder)-1 {
			return s, fps
		}
	}
	return ladder[0], 0
}

// trialFPS encodes three batches of four frames after two untimed ones (a keyframe and cold
// caches), and returns the rate of the fastest batch (0 if it could not encode). The fastest,
// because the trial asks what the machine can do and its answer is kept for a month: one slow
// moment must not choose a costlier step for that long.
func trialFPS(cfg VideoConfig) float64 {
	const warmup, batches, perBatch = 2, 3, 4
	cc, err := openVideo("libx264", cfg)
	if err != nil {
		return 0
	}
	defer cc.Free()
	f := astiav.AllocFrame()
	defer f.Free()
	f.SetWidth(cfg.Width)
	f.SetHeight(cfg.Height)
	f.SetPixelFormat(astiav.PixelFormatYuv420P)
	if f.AllocBuffer(0) != nil {
		return 0
	}
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	encode := func(i int) bool {
		if f.MakeWritable() != nil {
			return false
		}
		y := plane(f, 0, cfg.Height)
		for j := range y { // a gradient that moves: real work for the encoder
			y[j] = byte(j*7 + i*13 + (j/cfg.Width)*3)
		}
		f.SetPts(int64(i) * msTimeBase / int64(cfg.FPS))
		if cc.SendFrame(f) != nil {
			return false
		}
		for cc.ReceivePacket(pkt) == nil {
			pkt.Unref()
		}
		return true
	}
	for i := 0; i < warmup; i++ {
		if !encode(i) {
			return 0
		}
	}
	took := make([]time.Duration, batches)
	for b := range took {
		start := time.Now()
		for j := 0; j < perBatch; j++ {
			if !encode(warmup + b*perBatch + j) {
				return 0
			}
		}
		took[b] = time.Since(start)
	}
	return fastestRate(took, perBatch)
}

// fastestRate is the frame rate of the quickest of the batches of frames that took these times.
func fastestRate(took []time.Duration, frames int) float64 {
	if len(took) == 0 {
		return 0
	}
	if best := slices.Min(took); best > 0 {
		return float64(frames) / best.Seconds()
	}
	return 0
}
