package encoder

import (
	"time"

	"github.com/asticode/go-astiav"
)

// presetLadder is tried in order: the first x264 preset that encodes this size fast enough wins.
var presetLadder = []string{"veryfast", "superfast", "ultrafast"}

// headroom is how much faster than real time a preset must encode in the trial: capture,
// conversion and sending share the machine.
const headroom = 1.5

// choosePreset times a short trial encode of each preset on a moving picture at the stream's size,
// and returns the first that keeps real time with headroom (the last one otherwise).
func choosePreset(cfg VideoConfig) (preset string, measuredFPS float64) {
	for _, p := range presetLadder {
		c := cfg
		c.Preset = p
		fps := trialFPS(c)
		if fps >= headroom*float64(cfg.FPS) || p == presetLadder[len(presetLadder)-1] {
			return p, fps
		}
	}
	return presetLadder[0], 0
}

// trialFPS encodes eight frames and returns the rate it managed (0 if it could not).
func trialFPS(cfg VideoConfig) float64 {
	const frames = 8
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
	start := time.Now()
	for i := 0; i < frames; i++ {
		if makeWritable(f) != nil {
			return 0
		}
		y := plane(f, 0, cfg.Height)
		for j := range y { // a gradient that moves: real work for the encoder
			y[j] = byte(j*7 + i*13 + (j/cfg.Width)*3)
		}
		f.SetPts(int64(i) * msTimeBase / int64(cfg.FPS))
		if cc.SendFrame(f) != nil {
			return 0
		}
		for cc.ReceivePacket(pkt) == nil {
			pkt.Unref()
		}
	}
	return frames / time.Since(start).Seconds()
}
