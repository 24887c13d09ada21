package encoder

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/asticode/go-astiav"
)

// TestAACRoundTrip encodes a 440 Hz tone in 20 ms chunks (as capture delivers it), decodes it with
// FFmpeg's AAC decoder, and finds 440 Hz again; packet timestamps advance by exactly one frame.
func TestAACRoundTrip(t *testing.T) {
	for _, in := range []string{"float32", "int16"} {
		t.Run(in, func(t *testing.T) {
			const rate, ch = 48000, 2
			a, err := NewAudio(AudioConfig{SampleRate: rate, Channels: ch, BitrateKbps: 160})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			var pkts []Packet
			n := 0
			start := 500 * time.Millisecond
			for c := 0; c < 100; c++ { // 2 s
				chunk := AudioChunk{PTS: start + time.Duration(c)*20*time.Millisecond}
				for i := 0; i < 960; i++ { // 440 Hz on the left, 880 Hz on the right
					n++
					for k := 0; k < ch; k++ {
						s := 0.5 * math.Sin(2*math.Pi*440*float64(k+1)*float64(n)/rate)
						if in == "float32" {
							chunk.Float32 = append(chunk.Float32, float32(s))
						} else {
							chunk.Int16 = append(chunk.Int16, int16(s*32767))
						}
					}
				}
				p, err := a.Encode(chunk)
				if err != nil {
					t.Fatal(err)
				}
				pkts = append(pkts, p...)
			}
			p, err := a.Flush()
			if err != nil {
				t.Fatal(err)
			}
			pkts = append(pkts, p...)
			// AAC-LC (object type 2), 48 kHz (index 3), stereo: 0x1190; FFmpeg appends a sync extension.
			if asc := a.Config(); len(asc) < 2 || asc[0] != 0x11 || asc[1] != 0x90 {
				t.Fatalf("AudioSpecificConfig %x, want 1190...", asc)
			}
			for i := 1; i < len(pkts); i++ {
				if d := pkts[i].PTS - pkts[i-1].PTS; d < a.FrameDuration()-time.Microsecond || d > a.FrameDuration()+time.Microsecond {
					t.Fatalf("packet %d: pts step %v, want %v", i, d, a.FrameDuration())
				}
			}
			if first := pkts[0].PTS; first > start || first < start-a.FrameDuration() {
				t.Fatalf("first packet at %v, chunks began at %v", first, start)
			}
			for k := 0; k < ch; k++ {
				samples := decodeAAC(t, a.Config(), pkts, k)
				// Count rising zero crossings in the middle second, away from priming and padding.
				mid := samples[rate/2 : rate/2+rate]
				crossings := 0
				for i := 1; i < len(mid); i++ {
					if mid[i-1] < 0 && mid[i] >= 0 {
						crossings++
					}
				}
				if want := 440 * (k + 1); crossings < want*98/100 || crossings > want*102/100 {
					t.Fatalf("channel %d: %d rising zero crossings in 1 s, want %d ±2%%", k, crossings, want)
				}
			}
		})
	}
}

// decodeAAC decodes to channel ch's samples.
func decodeAAC(t *testing.T, asc []byte, pkts []Packet, ch int) []float32 {
	t.Helper()
	cc := openDecoder(t, astiav.CodecIDAac, asc)
	defer cc.Free()
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	f := astiav.AllocFrame()
	defer f.Free()
	var out []float32
	for _, p := range pkts {
		if err := pkt.FromData(p.Data); err != nil {
			t.Fatal(err)
		}
		if err := cc.SendPacket(pkt); err != nil {
			t.Fatal(err)
		}
		pkt.Unref()
		for {
			err := cc.ReceiveFrame(f)
			if errors.Is(err, astiav.ErrEagain) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.SampleFormat() != astiav.SampleFormatFltp {
				t.Fatalf("decoder gave %v", f.SampleFormat())
			}
			out = append(out, floats(f, ch, f.NbSamples())...)
			f.Unref()
		}
	}
	return out
}

func TestBadAudioConfig(t *testing.T) {
	for _, c := range []AudioConfig{{SampleRate: 22050, Channels: 2}, {SampleRate: 48000, Channels: 6}} {
		if _, err := NewAudio(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

// TestAACBitrateSteps: a bitrate lowered mid-stream (160 → 96 → 64 kb/s, as adaptation does below
// 1 Mb/s) takes effect within a second, on noise that needs every bit.
func TestAACBitrateSteps(t *testing.T) {
	const rate, ch = 48000, 2
	a, err := NewAudio(AudioConfig{SampleRate: rate, Channels: ch, BitrateKbps: 160})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var seed uint32 = 1
	second := func() (bytes int) { // one second of white noise
		for c := 0; c < 50; c++ {
			chunk := AudioChunk{PTS: time.Duration(a.samples) * time.Second / rate}
			for i := 0; i < 960*ch; i++ {
				seed = seed*1664525 + 1013904223
				chunk.Float32 = append(chunk.Float32, float32(int32(seed))/float32(math.MaxInt32)*0.5)
			}
			p, err := a.Encode(chunk)
			if err != nil {
				t.Fatal(err)
			}
			for _, pk := range p {
				bytes += len(pk.Data)
			}
		}
		return bytes
	}
	second()
	for _, kbps := range []int{160, 96, 64, 160} {
		a.SetBitrate(kbps)
		second() // settling
		got := float64(second()) * 8 / 1000
		t.Logf("%d kb/s asked: %.0f kb/s", kbps, got)
		if got > float64(kbps)*1.15 || got < float64(kbps)*0.6 {
			t.Errorf("%d kb/s asked, %.0f kb/s made", kbps, got)
		}
	}
}
