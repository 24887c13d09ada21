package broadcast

import (
	"errors"
	"math"
	"sync"
	"sync/atomic"

	"onair/capture"
)

// mixer gives the first sound source its level, adds the second one (the computer's sound, say)
// at its own, and limits the sum so that it never clips. The first source sets the pace: the
// second's samples wait in a short queue and are taken as the first's chunks come.
type mixer struct {
	channels int // the first source's, which the stream carries
	gains    [2]atomic.Uint64
	mu       sync.Mutex
	queue    []float32 // the second source's samples, in the first's channel layout
	peaks    [2]float64
	limit    limiter
	second   bool
	done     chan struct{}
}

// maxQueued bounds the second source's queue: what is older goes (its clock ran ahead).
const maxQueued = 48000 / 4 // a quarter of a second at 48 kHz

// newMixer mixes into chunks of channels; second may be nil.
func newMixer(channels, rate int, second capture.AudioSource, ended func(error)) *mixer {
	m := &mixer{channels: channels, done: make(chan struct{}), limit: newLimiter(rate)}
	m.SetGains(0, 0, false, false)
	if second == nil {
		close(m.done)
		return m
	}
	m.second = true
	go m.readSecond(second, ended)
	return m
}

// mixerFor mixes src's sounds at plan's levels.
func mixerFor(src *sources, plan Plan, ended func(error)) *mixer {
	info := src.audio.Info()
	m := newMixer(info.Channels, info.SampleRate, src.audio2, ended)
	m.SetGains(plan.AudioGainDB, plan.Audio2GainDB, false, false)
	return m
}

// SetGains sets each source's level in dB (0: as captured) and mutes.
func (m *mixer) SetGains(db1, db2 float64, mute1, mute2 bool) {
	for i, g := range []float64{dbToGain(db1, mute1), dbToGain(db2, mute2)} {
		m.gains[i].Store(math.Float64bits(g))
	}
}

func dbToGain(db float64, mute bool) float64 {
	if mute {
		return 0
	}
	return math.Pow(10, db/20)
}

func (m *mixer) readSecond(src capture.AudioSource, ended func(error)) {
	defer close(m.done)
	for {
		c, release, err := src.Read()
		if err != nil {
			if !errors.Is(err, capture.ErrClosed) {
				ended(err)
			}
			return
		}
		m.mu.Lock()
		m.queue = appendConverted(m.queue, c.Samples, c.Channels, m.channels)
		if over := len(m.queue) - maxQueued*m.channels; over > 0 {
			m.queue = append(m.queue[:0], m.queue[over:]...)
		}
		m.mu.Unlock()
		release()
	}
}

// appendConverted appends samples of inCh channels as outCh channels (1 or 2).
func appendConverted(dst, samples []float32, inCh, outCh int) []float32 {
	switch {
	case inCh == outCh:
		return append(dst, samples...)
	case inCh == 1: // mono to stereo
		for _, v := range samples {
			dst = append(dst, v, v)
		}
	default: // the first inCh channels' mean, to mono
		for i := 0; i+inCh <= len(samples); i += inCh {
			var sum float32
			for _, v := range samples[i : i+inCh] {
				sum += v
			}
			dst = append(dst, sum/float32(inCh))
		}
	}
	return dst
}

// mix mixes in place into the first source's samples, and returns each source's peak in the
// chunk, after its level.
func (m *mixer) mix(samples []float32) (peak1, peak2 float32) {
	g1 := float32(math.Float64frombits(m.gains[0].Load()))
	g2 := float32(math.Float64frombits(m.gains[1].Load()))
	m.mu.Lock()
	defer m.mu.Unlock()
	var p1, p2 float32
	for i, v := range samples {
		v *= g1
		p1 = max(p1, abs32(v))
		samples[i] = v
	}
	if m.second {
		n := min(len(samples), len(m.queue)) // a late second source is silent for the rest
		for i, v := range m.queue[:n] {
			v *= g2
			p2 = max(p2, abs32(v))
			samples[i] += v
		}
		m.queue = append(m.queue[:0], m.queue[n:]...)
	}
	m.peaks[0], m.peaks[1] = max(m.peaks[0], float64(p1)), max(m.peaks[1], float64(p2))
	m.limit.apply(samples, m.channels)
	return p1, p2
}

// levels returns each source's peak, in dBFS, since it was last asked (-120 for silence).
func (m *mixer) levels() (first, second float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	first, second = toDBFS(m.peaks[0]), toDBFS(m.peaks[1])
	m.peaks = [2]float64{}
	return first, second
}

func toDBFS(peak float64) float64 {
	if peak <= 1e-6 {
		return -120
	}
	return math.Round(20*math.Log10(peak)*10) / 10
}

func abs32(v float32) float32 { return float32(math.Abs(float64(v))) }

// limiter keeps samples under its ceiling: the gain drops at once to what a peak needs and comes
// back over about a tenth of a second, so loud moments are turned down instead of clipped.
type limiter struct {
	gain    float32
	release float32 // the share of the way back to 1 made per sample frame
}

// limitCeiling is -1 dBFS: room for the AAC encoder's own overshoot.
const limitCeiling = 0.891

func newLimiter(rate int) limiter {
	return limiter{gain: 1, release: float32(1 - math.Exp(-1/(0.1*float64(max(rate, 1)))))}
}

func (l *limiter) apply(samples []float32, channels int) {
	if l.gain == 1 { // the common case: nothing near the ceiling, no work beyond a scan
		loud := false
		for _, v := range samples {
			if abs32(v) > limitCeiling {
				loud = true
				break
			}
		}
		if !loud {
			return
		}
	}
	for i := 0; i+channels <= len(samples); i += channels {
		var peak float32
		for _, v := range samples[i : i+channels] {
			peak = max(peak, abs32(v))
		}
		if peak*l.gain > limitCeiling {
			l.gain = limitCeiling / peak
		}
		for c := i; c < i+channels; c++ {
			samples[c] *= l.gain
		}
		l.gain += (1 - l.gain) * l.release
		if l.gain > 0.99999 {
			l.gain = 1
		}
	}
}
