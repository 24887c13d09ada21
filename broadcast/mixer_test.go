package broadcast

import (
	"math"
	"testing"
)

// sine returns n stereo frames of a 440 Hz sine of amplitude a at 48 kHz, from frame from.
func sine(a float64, from, n int) []float32 {
	out := make([]float32, 2*n)
	for i := range n {
		v := float32(a * math.Sin(2*math.Pi*440*float64(from+i)/48000))
		out[2*i], out[2*i+1] = v, v
	}
	return out
}

func peakOf(s []float32) float64 {
	p := 0.0
	for _, v := range s {
		p = math.Max(p, math.Abs(float64(v)))
	}
	return p
}

// TestMixerAddsTheSoundsAtTheirLevels: two tones at known levels add up as they should, each
// level is reported, and a muted sound is gone.
func TestMixerAddsTheSoundsAtTheirLevels(t *testing.T) {
	m := &mixer{channels: 2, second: true, limit: newLimiter(48000)}
	for _, c := range []struct {
		db1, db2     float64
		mute2        bool
		a1, a2, want float64 // amplitudes in, peak out
	}{
		{0, 0, false, 0.1, 0.1, 0.2},       // -20 + -20 dBFS in phase: -14 dBFS
		{-6.0206, 0, false, 0.2, 0.1, 0.2}, // halved
		{0, 0, true, 0.1, 0.3, 0.1},        // the second muted
	} {
		m.SetGains(c.db1, c.db2, false, c.mute2)
		m.queue = sine(c.a2, 0, 960)
		out := sine(c.a1, 0, 960)
		m.mix(out)
		if got := peakOf(out); math.Abs(got-c.want) > 1e-3 {
			t.Errorf("%+v: peak %.4f, want %.4f", c, got, c.want)
		}
		first, second := m.levels()
		if want := 20 * math.Log10(c.a1*math.Pow(10, c.db1/20)); math.Abs(first-want) > 0.1 {
			t.Errorf("%+v: the first sound's level %.1f dBFS, want %.1f", c, first, want)
		}
		if c.mute2 && second != -120 {
			t.Errorf("muted, the second sound's level is %.1f dBFS", second)
		}
	}
}

// TestLimiterKeepsALoudPairFromClipping: two loud tones (0.8 each, 1.6 together) come out under
// -1 dBFS, and still loud; quiet sound after them comes back to its level.
func TestLimiterKeepsALoudPairFromClipping(t *testing.T) {
	m := &mixer{channels: 2, second: true, limit: newLimiter(48000)}
	m.SetGains(0, 0, false, false)
	for i := range 50 { // one second in 20 ms chunks
		m.queue = sine(0.8, 960*i, 960)
		out := sine(0.8, 960*i, 960)
		m.mix(out)
		if p := peakOf(out); p > limitCeiling+1e-6 || p < 0.8 {
			t.Fatalf("chunk %d: peak %.3f, want between 0.8 and %.3f", i, p, limitCeiling)
		}
	}
	var last float64
	for i := range 50 { // then a second of quiet sound alone
		m.queue = nil
		out := sine(0.2, 960*i, 960)
		m.mix(out)
		last = peakOf(out)
	}
	if math.Abs(last-0.2) > 0.005 {
		t.Fatalf("a second after the loud part, quiet sound peaks at %.3f, want 0.2: the limiter did not let go", last)
	}
}

// TestMixerWhenTheSecondSoundIsLate: what the second sound has not delivered yet is silence, and
// what it delivered in excess waits for the next chunk.
func TestMixerWhenTheSecondSoundIsLate(t *testing.T) {
	m := &mixer{channels: 2, second: true, limit: newLimiter(48000)}
	m.SetGains(0, 0, false, false)
	m.queue = sine(0.1, 0, 480) // half a chunk
	out := make([]float32, 2*960)
	m.mix(out)
	if peakOf(out[:960]) < 0.09 || peakOf(out[960:]) != 0 {
		t.Fatal("half a chunk of the second sound should fill the first half, and silence the rest")
	}
	m.queue = sine(0.1, 0, 1500)
	m.mix(make([]float32, 2*960))
	if len(m.queue) != 2*540 {
		t.Fatalf("%d samples wait, want %d", len(m.queue), 2*540)
	}
}
