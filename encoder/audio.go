package encoder

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/asticode/go-astiav"
)

// AudioConfig describes the AAC stream.
type AudioConfig struct {
	SampleRate  int // 44100 or 48000
	Channels    int // 1 or 2
	BitrateKbps int // default 160
	Logger      *slog.Logger
}

// AudioChunk is a run of interleaved samples of any length; one of Float32 or Int16 is set.
type AudioChunk struct {
	Float32 []float32
	Int16   []int16
	PTS     time.Duration // capture time of the first sample
}

// Audio is an AAC-LC encoder (FFmpeg's native aac). It regroups input into 1024-sample frames and
// stamps them on the capture clock (see audioTimeline). One goroutine calls its methods; Offset
// may be called from any.
type Audio struct {
	cfg     AudioConfig
	cc      *astiav.CodecContext
	frame   *astiav.Frame
	pkt     *astiav.Packet
	planes  [][]float32 // samples waiting for a full frame, one slice per channel
	size    int         // samples per frame (1024)
	tl      audioTimeline
	samples int64 // samples sent to the encoder so far
	extra   []byte
	// bitrate is the kb/s asked for (SetBitrate, from any goroutine); applied is what the codec has.
	bitrate atomic.Int64
	applied int64
}

// NewAudio opens the AAC encoder.
func NewAudio(cfg AudioConfig) (*Audio, error) {
	if cfg.SampleRate != 44100 && cfg.SampleRate != 48000 {
		return nil, fmt.Errorf("encoder: audio sample rate %d Hz (want 44100 or 48000)", cfg.SampleRate)
	}
	if cfg.Channels != 1 && cfg.Channels != 2 {
		return nil, fmt.Errorf("encoder: %d audio channels (want 1 or 2)", cfg.Channels)
	}
	if cfg.BitrateKbps <= 0 {
		cfg.BitrateKbps = 160
	}
	codec := astiav.FindEncoderByName("aac")
	if codec == nil {
		return nil, errors.New("encoder: FFmpeg has no aac encoder")
	}
	a := &Audio{cfg: cfg, cc: astiav.AllocCodecContext(codec), tl: audioTimeline{rate: cfg.SampleRate}}
	layout := astiav.ChannelLayoutStereo
	if cfg.Channels == 1 {
		layout = astiav.ChannelLayoutMono
	}
	a.cc.SetSampleRate(cfg.SampleRate)
	a.cc.SetChannelLayout(layout)
	a.cc.SetSampleFormat(astiav.SampleFormatFltp)
	a.cc.SetBitRate(int64(cfg.BitrateKbps) * 1000)
	a.cc.SetTimeBase(astiav.NewRational(1, cfg.SampleRate))
	a.cc.SetFlags(a.cc.Flags().Add(astiav.CodecContextFlagGlobalHeader))
	if err := a.cc.Open(codec, nil); err != nil {
		a.cc.Free()
		return nil, fmt.Errorf("encoder: opening aac: %w", err)
	}
	a.extra = append([]byte(nil), a.cc.ExtraData()...)
	a.bitrate.Store(int64(cfg.BitrateKbps))
	a.applied = int64(cfg.BitrateKbps)
	a.size = a.cc.FrameSize()
	a.frame = astiav.AllocFrame()
	a.frame.SetNbSamples(a.size)
	a.frame.SetChannelLayout(layout)
	a.frame.SetSampleFormat(astiav.SampleFormatFltp)
	a.frame.SetSampleRate(cfg.SampleRate)
	if err := a.frame.AllocBuffer(0); err != nil {
		a.Close()
		return nil, fmt.Errorf("encoder: audio frame: %w", err)
	}
	a.pkt = astiav.AllocPacket()
	a.planes = make([][]float32, cfg.Channels)
	return a, nil
}

// SetBitrate changes the bitrate from the next frame on (any goroutine). FFmpeg's AAC encoder
// reads the bitrate at every frame, and the AudioSpecificConfig does not hold it: the stream needs
// no new header.
func (a *Audio) SetBitrate(kbps int) { a.bitrate.Store(int64(kbps)) }

// Bitrate is the bitrate asked for, in kb/s.
func (a *Audio) Bitrate() int { return int(a.bitrate.Load()) }

// Config returns the AudioSpecificConfig.
func (a *Audio) Config() []byte { return a.extra }

// FrameDuration is the duration of one AAC frame.
func (a *Audio) FrameDuration() time.Duration {
	return time.Duration(a.size) * time.Second / time.Duration(a.cfg.SampleRate)
}

// Offset is how far the latest audio's timestamps sit from its capture time (positive: later);
// within maxAVDrift and one chunk.
func (a *Audio) Offset() time.Duration { return a.tl.Offset() }

// Encode takes a chunk and returns the packets that became ready.
func (a *Audio) Encode(c AudioChunk) ([]Packet, error) {
	ch := a.cfg.Channels
	n := len(c.Int16)
	if c.Float32 != nil {
		n = len(c.Float32)
	}
	if n%ch != 0 {
		return nil, fmt.Errorf("encoder: %d samples do not divide into %d channels", n, ch)
	}
	pad, trim := a.tl.place(c.PTS, n/ch)
	if pad > 0 {
		for k := range a.planes {
			a.planes[k] = append(a.planes[k], make([]float32, pad)...)
		}
	}
	a.add(c.Float32[min(len(c.Float32), trim*ch):], c.Int16[min(len(c.Int16), trim*ch):])
	return a.encodeFrames()
}

// add de-interleaves samples onto the planes: float32 ones, or else int16 ones.
func (a *Audio) add(f32 []float32, i16 []int16) {
	ch := a.cfg.Channels
	if f32 == nil {
		for i, s := range i16 {
			a.planes[i%ch] = append(a.planes[i%ch], float32(s)/32768)
		}
		return
	}
	n := len(f32) / ch
	for k := range a.planes { // one channel at a time
		p := slices.Grow(a.planes[k], n)
		base := len(p)
		p = p[:base+n]
		for i := range n {
			p[base+i] = f32[i*ch+k]
		}
		a.planes[k] = p
	}
}

// encodeFrames encodes every full frame waiting on the planes.
func (a *Audio) encodeFrames() ([]Packet, error) {
	var out []Packet
	if kbps := a.bitrate.Load(); kbps != a.applied {
		a.applied = kbps
		a.cc.SetBitRate(kbps * 1000)
	}
	for len(a.planes[0]) >= a.size {
		if err := a.frame.MakeWritable(); err != nil {
			return out, err
		}
		for i := range a.planes {
			copy(floats(a.frame, i, a.size), a.planes[i][:a.size])
			a.planes[i] = a.planes[i][:copy(a.planes[i], a.planes[i][a.size:])]
		}
		a.frame.SetPts(a.samples)
		a.samples += int64(a.size)
		if err := a.cc.SendFrame(a.frame); err != nil {
			return out, fmt.Errorf("encoder: aac send frame: %w", err)
		}
		var err error
		if out, err = a.receive(out); err != nil {
			return out, err
		}
	}
	return out, nil
}

// Flush encodes what is buffered (padded with silence) and drains the encoder.
func (a *Audio) Flush() ([]Packet, error) {
	var out []Packet
	if n := len(a.planes[0]); n > 0 {
		a.add(make([]float32, (a.size-n)*a.cfg.Channels), nil)
		var err error
		if out, err = a.encodeFrames(); err != nil {
			return out, err
		}
	}
	if err := a.cc.SendFrame(nil); err != nil && !errors.Is(err, astiav.ErrEof) {
		return out, err
	}
	return a.receive(out)
}

func (a *Audio) receive(out []Packet) ([]Packet, error) {
	for {
		err := a.cc.ReceivePacket(a.pkt)
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("encoder: aac receive packet: %w", err)
		}
		rate := time.Duration(a.cfg.SampleRate)
		out = append(out, Packet{
			Data:     a.pkt.Data(), // a Go copy already (C.GoBytes)
			PTS:      a.tl.anchor + time.Duration(a.pkt.Pts())*time.Second/rate,
			DTS:      a.tl.anchor + time.Duration(a.pkt.Dts())*time.Second/rate,
			Keyframe: true,
		})
		a.pkt.Unref()
	}
}

// Close frees the encoder.
func (a *Audio) Close() {
	if a.pkt != nil {
		a.pkt.Free()
	}
	if a.frame != nil {
		a.frame.Free()
	}
	a.cc.Free()
}
