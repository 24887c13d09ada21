package capture

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/asticode/go-astiav"
)

// The media file's audio source: decoded frames to interleaved float32 chunks, released when due.

func (m *MediaFile) sendAudio(f *astiav.Frame, offset time.Duration, end *time.Duration) bool {
	n := f.NbSamples()
	inCh := max(1, f.ChannelLayout().Channels())
	outCh := m.audio.info.Channels
	t := offset + mediaTime(f.Pts()-max(0, m.aStream.StartTime()), m.aStream.TimeBase())
	*end = max(*end, t+time.Duration(n)*time.Second/time.Duration(f.SampleRate()))
	samples, err := interleaveFloat(m.audio.buffer(n*outCh), f, n, inCh, outCh)
	if err != nil {
		m.err = err
		return false
	}
	select {
	case m.audio.ch <- AudioChunk{Samples: samples, Channels: outCh, SampleRate: f.SampleRate(), Time: m.start + t}:
		return true
	case <-m.stop:
		return false
	}
}

// interleaveFloat converts a decoded audio frame of any common sample format to interleaved
// float32 in out (n*outCh long), keeping the first outCh channels.
func interleaveFloat(out []float32, f *astiav.Frame, n, inCh, outCh int) ([]float32, error) {
	var size int
	var read func(b []byte) float32
	switch f.SampleFormat() {
	case astiav.SampleFormatFlt, astiav.SampleFormatFltp:
		size, read = 4, func(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) }
	case astiav.SampleFormatDbl, astiav.SampleFormatDblp:
		size, read = 8, func(b []byte) float32 { return float32(math.Float64frombits(binary.LittleEndian.Uint64(b))) }
	case astiav.SampleFormatS16, astiav.SampleFormatS16P:
		size, read = 2, func(b []byte) float32 { return float32(int16(binary.LittleEndian.Uint16(b))) / 32768 }
	case astiav.SampleFormatS32, astiav.SampleFormatS32P:
		size, read = 4, func(b []byte) float32 { return float32(int32(binary.LittleEndian.Uint32(b))) / 2147483648 }
	case astiav.SampleFormatU8, astiav.SampleFormatU8P:
		size, read = 1, func(b []byte) float32 { return float32(int(b[0])-128) / 128 }
	default:
		return nil, fmt.Errorf("capture: audio sample format %s not supported", f.SampleFormat())
	}
	planar := false
	switch f.SampleFormat() {
	case astiav.SampleFormatFltp, astiav.SampleFormatDblp, astiav.SampleFormatS16P, astiav.SampleFormatS32P, astiav.SampleFormatU8P:
		planar = true
	}
	for c := 0; c < outCh; c++ {
		src := min(c, inCh-1) // mono to stereo repeats the channel
		var p []byte
		off, step := 0, size // where channel src's first sample is, and the next one
		if planar {
			p = cPlane(f, src, n*size)
		} else {
			p, off, step = cPlane(f, 0, n*inCh*size), src*size, inCh*size
		}
		// The two formats files mostly carry get loops of their own: the call per sample cost
		// as much as the audio encoder's own de-interleaving.
		switch f.SampleFormat() {
		case astiav.SampleFormatS16, astiav.SampleFormatS16P:
			for i := 0; i < n; i++ {
				out[i*outCh+c] = float32(int16(binary.LittleEndian.Uint16(p[off+i*step:]))) / 32768
			}
		case astiav.SampleFormatFlt, astiav.SampleFormatFltp:
			for i := 0; i < n; i++ {
				out[i*outCh+c] = math.Float32frombits(binary.LittleEndian.Uint32(p[off+i*step:]))
			}
		default:
			for i := 0; i < n; i++ {
				out[i*outCh+c] = read(p[off+i*step:])
			}
		}
	}
	return out, nil
}

type fileAudio struct {
	m    *MediaFile
	ch   chan AudioChunk
	pool recycler[[]float32] // released chunks' samples, for the next ones
	info AudioInfo
}

// buffer returns room for n samples, recycled when a released chunk's is large enough.
func (a *fileAudio) buffer(n int) []float32 {
	b := a.pool.get(func(b []float32) bool { return cap(b) >= n }, func() []float32 { return make([]float32, n) })
	return b[:n]
}

// Read returns the next chunk when its last sample is due; io.EOF at the end of the file.
func (a *fileAudio) Read() (AudioChunk, func(), error) {
	c, ok := <-a.ch
	if !ok {
		return AudioChunk{}, noRelease, a.m.endErr()
	}
	dur := time.Duration(len(c.Samples)/c.Channels) * time.Second / time.Duration(c.SampleRate)
	if !waitUntil(a.m.clock, a.m.onFrameGrid(c.Time+dur), a.m.stop) {
		return AudioChunk{}, noRelease, ErrClosed
	}
	return c, a.pool.releaser(c.Samples), nil
}

// onFrameGrid moves t to the next instant a video frame of the file is due, when it has video:
// audio then wakes the program together with video, once a frame, instead of on its own 50 times
// a second. Audio comes at most a frame later; its timestamps are unchanged.
func (m *MediaFile) onFrameGrid(t time.Duration) time.Duration {
	if m.video == nil || m.video.info.FPS <= 0 || t <= m.start {
		return t
	}
	interval := float64(time.Second) / m.video.info.FPS
	k := math.Ceil(float64(t-m.start)/interval - 1e-6) // a hair's tolerance: float frame times
	return m.start + time.Duration(k*interval)
}

func (a *fileAudio) Info() AudioInfo { return a.info }
func (a *fileAudio) Close() error    { return a.m.Close() }
