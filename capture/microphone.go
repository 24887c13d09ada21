package capture

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"sync"
	"time"

	"github.com/gen2brain/malgo"
	"github.com/pion/mediadevices/pkg/driver"
	"github.com/pion/mediadevices/pkg/io/audio"
	"github.com/pion/mediadevices/pkg/prop"
	"github.com/pion/mediadevices/pkg/wave"
)

// Microphones are OnAir's own miniaudio driver, registered with mediadevices' driver manager the
// first time a microphone is listed or opened, so that a stream that uses none never starts the
// sound system (mediadevices' own driver starts it in every program). Where miniaudio cannot
// start, there are simply no microphones.
var microphones struct {
	once sync.Once
	ctx  *malgo.AllocatedContext // lives as long as the program: devices keep pointers into it
}

// micRate is the one rate OnAir records at; miniaudio converts from the card's own.
const micRate = 48000

func loadMicrophones() {
	microphones.once.Do(func() {
		ctx, err := malgo.InitContext(nil, malgo.ContextConfig{}, nil)
		if err != nil {
			return
		}
		microphones.ctx = ctx
		devices, err := ctx.Devices(malgo.Capture)
		if err != nil {
			return
		}
		for _, d := range devices {
			info, err := ctx.DeviceInfo(malgo.Capture, d.ID, malgo.Shared)
			if err != nil {
				continue
			}
			priority := driver.PriorityNormal
			if info.IsDefault > 0 {
				priority = driver.PriorityHigh
			}
			_ = driver.GetManager().Register(&microphone{info: info}, driver.Info{
				Label: d.ID.String(), DeviceType: driver.Microphone, Priority: priority, Name: info.Name(),
			})
		}
	})
}

// microphone is one capture device. Chunks arrive on miniaudio's thread, are converted to Go
// float32 there (its buffer is only valid during the callback) and wait in a short queue.
type microphone struct {
	info   malgo.DeviceInfo
	mu     sync.Mutex
	device *malgo.Device
	cancel context.CancelFunc
}

func (m *microphone) Open() error { return nil }

func (m *microphone) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.device != nil {
		m.cancel()
		m.device.Uninit() // returns once the callback has stopped running
		m.device = nil
	}
	return nil
}

// Properties offers each of the card's channel counts at 48 kHz, as interleaved float32.
func (m *microphone) Properties() []prop.Media {
	var out []prop.Media
	seen := map[uint32]bool{}
	for _, f := range m.info.Formats {
		if seen[f.Channels] || f.Channels == 0 {
			continue
		}
		seen[f.Channels] = true
		out = append(out, prop.Media{Audio: prop.Audio{ChannelCount: int(f.Channels), SampleRate: micRate,
			SampleSize: 4, IsFloat: true, IsInterleaved: true, Latency: 20 * time.Millisecond}})
	}
	return out
}

// AudioRecord starts the device. Whatever format p asks for, chunks come as float32; a reader
// that falls more than eight chunks behind loses the oldest.
func (m *microphone) AudioRecord(p prop.Media) (audio.Reader, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.device != nil {
		return nil, errors.New("the microphone is already recording")
	}
	channels := max(1, p.ChannelCount)
	cfg := malgo.DefaultDeviceConfig(malgo.Capture)
	cfg.Capture.Format = malgo.FormatF32
	cfg.Capture.Channels = uint32(channels)
	cfg.Capture.DeviceID = m.info.ID.Pointer()
	cfg.SampleRate = micRate
	cfg.PeriodSizeInMilliseconds = 20
	cfg.PerformanceProfile = malgo.LowLatency

	chunks := make(chan []float32, 8)
	ctx, cancel := context.WithCancel(context.Background())
	onData := func(_, in []byte, frames uint32) {
		samples := make([]float32, min(len(in)/4, int(frames)*channels))
		for i := range samples {
			samples[i] = math.Float32frombits(binary.NativeEndian.Uint32(in[i*4:]))
		}
		for {
			select {
			case chunks <- samples:
				return
			case <-ctx.Done():
				return
			default:
				select { // full: drop the oldest, keep the newest
				case <-chunks:
				default:
				}
			}
		}
	}
	device, err := malgo.InitDevice(microphones.ctx.Context, cfg, malgo.DeviceCallbacks{Data: onData})
	if err != nil {
		cancel()
		return nil, err
	}
	if err := device.Start(); err != nil {
		device.Uninit()
		cancel()
		return nil, err
	}
	m.device, m.cancel = device, cancel
	return audio.ReaderFunc(func() (wave.Audio, func(), error) {
		select {
		case s := <-chunks:
			return &wave.Float32Interleaved{Data: s, Size: wave.ChunkInfo{Len: len(s) / channels, Channels: channels, SamplingRate: micRate}}, func() {}, nil
		case <-ctx.Done():
			return nil, func() {}, io.EOF
		}
	}), nil
}
