// Package capture lists and opens cameras, microphones, screens, test sources and media files, and
// delivers frames stamped on one monotonic clock. It is the only package that imports
// mediadevices. Readers are pull-style: Read returns a frame and a release func; call release when
// done with the frame so its buffer can be reused.
package capture

import (
	"errors"
	"image"
	"time"
)

// Clock is the session's monotonic clock: audio and video are stamped with its time, so they can
// be compared. A frame's stamp is taken when the frame reaches OnAir (drivers give no capture time),
// so it is late by the driver's own latency, the same for every frame of a source.
type Clock struct{ start time.Time }

// NewClock starts a clock at zero.
func NewClock() *Clock { return &Clock{start: time.Now()} }

// Now returns the time since the clock started.
func (c *Clock) Now() time.Duration { return time.Since(c.start) }

// At returns the wall-clock instant of clock time d (for sleeping until it).
func (c *Clock) At(d time.Duration) time.Time { return c.start.Add(d) }

// VideoFrame is one picture: *image.YCbCr (4:2:0 or 4:2:2) or *image.RGBA.
type VideoFrame struct {
	Image image.Image
	Time  time.Duration // on the session clock
}

// AudioChunk is a run of interleaved float32 samples.
type AudioChunk struct {
	Samples    []float32
	Channels   int
	SampleRate int
	Time       time.Duration // of the first sample, on the session clock
}

// VideoInfo says what a video source delivers.
type VideoInfo struct {
	Label         string
	Width, Height int
	FPS           float64
}

// AudioInfo says what an audio source delivers.
type AudioInfo struct {
	Label      string
	SampleRate int
	Channels   int
}

// VideoSource delivers frames. Read blocks until the next frame is due.
type VideoSource interface {
	Read() (VideoFrame, func(), error)
	Info() VideoInfo
	Close() error
}

// AudioSource delivers audio chunks. Read blocks until the next chunk is due.
type AudioSource interface {
	Read() (AudioChunk, func(), error)
	Info() AudioInfo
	Close() error
}

// Errors a source can return; io.EOF ends a file source.
var (
	ErrNoDevice     = errors.New("device not found")
	ErrDeviceLost   = errors.New("the device stopped delivering (unplugged?)")
	ErrClosed       = errors.New("source closed")
	ErrNoMicrophone = errors.New("no microphone available")
	// ErrNoDesktopSound: no device records what the computer plays.
	ErrNoDesktopSound = errors.New("the computer's own sound cannot be recorded here")
)

func noRelease() {}
