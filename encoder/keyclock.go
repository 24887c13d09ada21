package encoder

// keyClock decides, frame by frame, which frames are keyframes and which are left out when only
// every n-th frame is encoded. Keyframes follow the clock, not a frame count, so they stay exact
// with any divisor and with capture that jitters; a frame due to be a keyframe is never left out.
// Times are in milliseconds.
type keyClock struct {
	interval int64 // between keyframes
	frame    int64 // one frame at the stream's rate
	lastKey  int64 // the last keyframe's time, -1 before the first
	next     int64 // with a divisor, frames before this time are left out
}

func newKeyClock(intervalMS int64, fps int) keyClock {
	return keyClock{interval: intervalMS, frame: int64(msTimeBase / fps), lastKey: -1}
}

// frameAt says whether the frame at pts is a keyframe (forced asks for one) and whether it is left
// out with only every div-th frame encoded.
func (k *keyClock) frameAt(pts int64, div int, forced bool) (key, skip bool) {
	key = forced || k.lastKey < 0 || pts-k.lastKey >= k.interval-k.frame/2
	if div > 1 && pts < k.next && !key {
		return false, true
	}
	k.next = pts + int64(div)*k.frame - k.frame/2
	if key {
		k.lastKey = pts
	}
	return key, false
}
