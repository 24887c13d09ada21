package broadcast

import "image"

// The rungs below the bitrate, for links too slow for the chosen picture: fewer frames, each with
// more bits, and less audio.

const (
	// halfRateBelow is the bits per pixel and frame under which every second frame is left out,
	// so each picture gets twice the bits; quarterRateBelow where three in four are (see
	// frameDivisor).
	halfRateBelow    = 0.04
	quarterRateBelow = 0.015
)

// audioRung is the audio bitrate for a video bitrate: the chosen one, then 96 and 64 kb/s as the
// video goes below 500 and 250 kb/s (back up a quarter above, so it does not flap). AAC at 64 kb/s
// still carries speech well; the picture needs the bits more.
func audioRung(videoKbps, chosen, current int) int {
	rung := chosen
	switch {
	case videoKbps < 250 || current <= 64 && videoKbps < 310:
		rung = 64
	case videoKbps < 500 || current <= 96 && videoKbps < 620:
		rung = 96
	}
	return min(chosen, rung)
}

// frameDivisor decides the second floor: at a bitrate that gives each pixel of each frame fewer
// than halfRateBelow bits (720p30: 1106 kb/s; 1080p30: 2488), x264's pictures turn to mush, and half
// the frame rate with twice the bits a picture looks better for what people stream (faces, slides,
// games at a desk): sharp at 15 fps rather than blurred at 30. Below quarterRateBelow (720p30:
// 415 kb/s, a link under 1 Mb/s) a quarter of the frames go, at 7.5 fps. Only from 24 fps up, where
// the lower rates still move. A quarter above each line it goes back up, so it does not flap.
func frameDivisor(kbps, width, height, fps, current int) int {
	if fps < 24 || width <= 0 || height <= 0 {
		return 1
	}
	bpp := float64(kbps) * 1000 / float64(width*height*fps)
	switch {
	case bpp < quarterRateBelow:
		return 4
	case bpp < halfRateBelow:
		if current == 4 && bpp < quarterRateBelow*1.25 {
			return 4
		}
		return 2
	case bpp > halfRateBelow*1.25:
		return 1
	}
	return min(current, 2)
}

// sizeRungs are the smaller pictures a slow link steps down to, where every destination takes a
// size change: each below its bitrate (kb/s of video; a quarter above it to step back up), from
// the chosen size down. At these rates each pixel of each frame keeps about 0.07 bits at 30 fps,
// where the larger picture would need fewer frames instead.
var sizeRungs = []struct{ lines, below int }{{720, 2000}, {480, 1000}, {360, 550}}

// pictureSize is the picture size for a video bitrate: the chosen w×h, or the smallest rung whose
// bitrate is above kbps, in the chosen shape. current is the size now: a step back up waits until
// kbps is a quarter above the line, so it does not flap (each step costs a keyframe).
func pictureSize(kbps int, chosen, current image.Point) image.Point {
	size := chosen
	for _, r := range sizeRungs {
		if r.lines >= chosen.Y {
			continue
		}
		below := r.below
		if current.Y <= r.lines {
			below = r.below * 5 / 4
		}
		if kbps < below {
			size = image.Pt((chosen.X*r.lines/chosen.Y+1)&^1, r.lines)
		}
	}
	return size
}
