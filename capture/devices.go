package capture

import (
	"fmt"
	"image"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pion/mediadevices/pkg/driver"
	"github.com/pion/mediadevices/pkg/io/audio"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"
	"github.com/pion/mediadevices/pkg/wave"
)

// Kind is what a device captures.
type Kind string

// Device kinds.
const (
	Camera     Kind = "camera"
	Microphone Kind = "microphone"
	Screen     Kind = "screen"
)

// Mode is one size and rate a device offers.
type Mode struct {
	Width, Height int
	FPS           float64
}

// Device is a capture device as the user picks it.
type Device struct {
	Kind  Kind
	ID    string // stable across runs where the driver allows (device path, sound card id)
	Label string // what to show
	Modes []Mode
}

// nullMicrophone is miniaudio's stand-in when no sound card exists ("null" in hex): it delivers
// unpaced silence, so it is never offered.
const nullMicrophone = "6e756c6c"

// ListDevices returns the registered cameras, microphones and screens. With no devices the list is
// empty, not an error.
func ListDevices() []Device {
	loadMicrophones()
	var out []Device
	for _, d := range driver.GetManager().Query(func(driver.Driver) bool { return true }) {
		info := d.Info()
		var k Kind
		switch info.DeviceType {
		case driver.Camera:
			k = Camera
		case driver.Microphone:
			k = Microphone
			if strings.Contains(info.Label, nullMicrophone) {
				continue
			}
		case driver.Screen:
			k = Screen
		default:
			continue
		}
		label := info.Name
		if label == "" {
			label = info.Label
		}
		if i := strings.Index(label, ";"); i > 0 { // V4L2 names carry ";bus info"
			label = label[:i]
		}
		dev := Device{Kind: k, ID: info.Label, Label: label}
		if k == Camera {
			dev.Modes = modesOf(d)
		}
		out = append(out, dev)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

func modesOf(d driver.Driver) []Mode {
	// Properties needs the device open on some drivers.
	props := d.Properties()
	if len(props) == 0 && d.Open() == nil {
		props = d.Properties()
		d.Close()
	}
	seen := map[Mode]bool{}
	var out []Mode
	for _, p := range props {
		m := Mode{Width: p.Width, Height: p.Height, FPS: float64(p.FrameRate)}
		if m.Width > 0 && !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}

// find returns the driver of kind k whose ID or label matches name; an empty name takes the
// first one (the default microphone comes first).
func find(k driver.DeviceType, name string) (driver.Driver, error) {
	if k == driver.Microphone {
		loadMicrophones()
	}
	var best driver.Driver
	for _, d := range driver.GetManager().Query(func(d driver.Driver) bool { return d.Info().DeviceType == k }) {
		info := d.Info()
		if k == driver.Microphone && strings.Contains(info.Label, nullMicrophone) {
			continue
		}
		if name == "" || info.Label == name || strings.HasPrefix(info.Name, name) || strings.EqualFold(info.Name, name) {
			if best == nil || info.Priority > best.Info().Priority {
				best = d
			}
		}
	}
	if best == nil {
		if name == "" {
			if k == driver.Microphone {
				return nil, ErrNoMicrophone
			}
			return nil, fmt.Errorf("%w: no %s found", ErrNoDevice, strings.ToLower(string(k)))
		}
		return nil, fmt.Errorf("%w: no %s called %q (onair devices lists them)", ErrNoDevice, strings.ToLower(string(k)), name)
	}
	return best, nil
}

// closest picks the offered mode nearest to the request (size first, then rate).
func closest(props []prop.Media, w, h int, fps float64) (prop.Media, bool) {
	best, found := prop.Media{}, false
	score := math.Inf(1)
	for _, p := range props {
		if p.Width <= 0 {
			continue
		}
		s := math.Abs(float64(p.Width*p.Height-w*h)) + 1000*math.Abs(float64(p.FrameRate)-fps)
		if s < score {
			best, score, found = p, s, true
		}
	}
	return best, found
}

// OpenCamera opens a camera by ID or name (empty: the first), at the offered mode closest to
// width x height at fps. Info reports what was chosen; the encoder scales the rest.
func OpenCamera(clock *Clock, name string, width, height int, fps float64) (VideoSource, error) {
	d, err := find(driver.Camera, name)
	if err != nil {
		return nil, err
	}
	return openVideo(clock, d, width, height, fps)
}

// OpenScreen opens a screen (empty name: the first) at fps frames per second (the driver's own
// default is 10).
func OpenScreen(clock *Clock, name string, fps float64) (VideoSource, error) {
	d, err := find(driver.Screen, name)
	if err != nil {
		return nil, err
	}
	return openVideo(clock, d, 0, 0, fps)
}

func openVideo(clock *Clock, d driver.Driver, w, h int, fps float64) (VideoSource, error) {
	if err := d.Open(); err != nil {
		return nil, fmt.Errorf("capture: opening %s: %w", d.Info().Name, err)
	}
	p, ok := closest(d.Properties(), w, h, fps)
	if !ok {
		p = prop.Media{}
	}
	if fps > 0 {
		p.FrameRate = float32(fps)
	}
	vr, ok := d.(driver.VideoRecorder)
	if !ok {
		d.Close()
		return nil, fmt.Errorf("capture: %s cannot record video", d.Info().Name)
	}
	r, err := vr.VideoRecord(p)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("capture: starting %s: %w", d.Info().Name, err)
	}
	label := d.Info().Name
	if label == "" {
		label = d.Info().Label
	}
	s := &deviceVideo{clock: clock, d: d, r: r, info: VideoInfo{Label: label, Width: p.Width, Height: p.Height, FPS: float64(p.FrameRate)}}
	s.start()
	return s, nil
}

// deviceTimeout is how long a device may stay silent before it counts as lost.
const deviceTimeout = 3 * time.Second

type videoResult struct {
	img     image.Image
	release func()
	err     error
}

// deviceVideo reads a driver in its own goroutine, so a device that stops answering becomes an
// error after deviceTimeout instead of a hang. Drivers reuse their image (the screen driver
// rewrites the same one), so the goroutine reads the next frame only once the last is released.
type deviceVideo struct {
	clock    *Clock
	d        driver.Driver
	r        video.Reader
	info     VideoInfo
	ch       chan videoResult
	released chan struct{}
	stop     chan struct{}
	stopOnce sync.Once     // Stop from the window and a failure may close it at once
	readDone chan struct{} // closed when the reading goroutine has left the driver
}

func (s *deviceVideo) start() {
	s.ch, s.stop, s.released, s.readDone = make(chan videoResult), make(chan struct{}), make(chan struct{}, 1), make(chan struct{})
	go func() {
		defer close(s.readDone)
		for {
			img, release, err := s.r.Read()
			select {
			case s.ch <- videoResult{img, release, err}:
			case <-s.stop:
				if release != nil {
					release()
				}
				return
			}
			if err != nil {
				return
			}
			select {
			case <-s.released:
			case <-s.stop:
				return
			}
		}
	}()
}

func (s *deviceVideo) Read() (VideoFrame, func(), error) {
	t := time.NewTimer(deviceTimeout)
	defer t.Stop()
	select {
	case res := <-s.ch:
		if res.err != nil {
			return VideoFrame{}, noRelease, fmt.Errorf("%w: %s: %v", ErrDeviceLost, s.info.Label, res.err)
		}
		var once sync.Once
		rel := func() {
			once.Do(func() {
				if res.release != nil {
					res.release()
				}
				s.released <- struct{}{}
			})
		}
		if s.info.Width == 0 { // the screen tells its size with the first frame
			s.info.Width, s.info.Height = res.img.Bounds().Dx(), res.img.Bounds().Dy()
		}
		return VideoFrame{Image: res.img, Time: s.clock.Now()}, rel, nil
	case <-t.C:
		return VideoFrame{}, noRelease, fmt.Errorf("%w: %s sent nothing for %v", ErrDeviceLost, s.info.Label, deviceTimeout)
	case <-s.stop:
		return VideoFrame{}, noRelease, ErrClosed
	}
}

func (s *deviceVideo) Info() VideoInfo { return s.info }

// closeWait is how long Close waits for a read in progress before closing the driver under it.
const closeWait = time.Second

func (s *deviceVideo) Close() error {
	var err error
	s.stopOnce.Do(func() {
		close(s.stop)
		// The X11 driver frees the picture it is reading from when closed: let the read finish
		// first (a device that hangs is closed anyway after closeWait).
		select {
		case <-s.readDone:
		case <-time.After(closeWait):
		}
		err = s.d.Close()
	})
	return err
}

// OpenMicrophone opens a microphone by ID or name (empty: the default one) at 48 kHz.
func OpenMicrophone(clock *Clock, name string) (AudioSource, error) {
	d, err := find(driver.Microphone, name)
	if err != nil {
		return nil, err
	}
	if err := d.Open(); err != nil {
		return nil, fmt.Errorf("capture: opening %s: %w", d.Info().Name, err)
	}
	ar, ok := d.(driver.AudioRecorder)
	if !ok {
		d.Close()
		return nil, fmt.Errorf("capture: %s cannot record audio", d.Info().Name)
	}
	p := prop.Media{Audio: prop.Audio{SampleRate: 48000, ChannelCount: 2, Latency: 20 * time.Millisecond, SampleSize: 2, IsInterleaved: true}}
	if props := d.Properties(); len(props) > 0 {
		p.Audio.ChannelCount = max(1, min(2, props[0].ChannelCount))
	}
	r, err := ar.AudioRecord(p)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("capture: starting %s: %w", d.Info().Name, err)
	}
	return &deviceAudio{clock: clock, d: d, r: r, info: AudioInfo{Label: d.Info().Name, SampleRate: p.SampleRate, Channels: p.ChannelCount}}, nil
}

// desktopSoundPrefix names the recording device PulseAudio and PipeWire offer for what the
// computer plays: "Monitor of Built-in Audio", say.
const desktopSoundPrefix = "Monitor of"

// OpenDesktopSound opens the computer's own sound (what it plays), at 48 kHz.
func OpenDesktopSound(clock *Clock) (AudioSource, error) {
	if _, err := find(driver.Microphone, desktopSoundPrefix); err != nil {
		return nil, fmt.Errorf("%w: there is no “Monitor of …” recording device (PulseAudio or PipeWire offer one)", ErrNoDesktopSound)
	}
	return OpenMicrophone(clock, desktopSoundPrefix)
}

type deviceAudio struct {
	clock *Clock
	d     driver.Driver
	r     audio.Reader
	info  AudioInfo
	buf   []float32
}

func (s *deviceAudio) Read() (AudioChunk, func(), error) {
	a, release, err := s.r.Read()
	if err != nil {
		return AudioChunk{}, noRelease, fmt.Errorf("%w: %s: %v", ErrDeviceLost, s.info.Label, err)
	}
	now := s.clock.Now()
	ci := a.ChunkInfo()
	s.buf = make([]float32, 0, ci.Len*ci.Channels) // the chunk outlives this call; 50 small buffers a second

	switch w := a.(type) {
	case *wave.Float32Interleaved:
		s.buf = append(s.buf, w.Data...)
	case *wave.Int16Interleaved:
		for _, v := range w.Data {
			s.buf = append(s.buf, float32(v)/32768)
		}
	default:
		for i := 0; i < ci.Len; i++ {
			for ch := 0; ch < ci.Channels; ch++ {
				s.buf = append(s.buf, float32(wave.Float32SampleFormat.Convert(a.At(i, ch)).(wave.Float32Sample)))
			}
		}
	}
	if release != nil {
		release()
	}
	// Stamped on arrival: the chunk's first sample was captured one chunk earlier.
	dur := time.Duration(ci.Len) * time.Second / time.Duration(max(1, ci.SamplingRate))
	return AudioChunk{Samples: s.buf, Channels: ci.Channels, SampleRate: ci.SamplingRate, Time: now - dur}, noRelease, nil
}

func (s *deviceAudio) Info() AudioInfo { return s.info }
func (s *deviceAudio) Close() error    { return s.d.Close() }
