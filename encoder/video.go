// Package encoder turns raw frames into H.264 video and AAC audio with FFmpeg 7 (go-astiav v0.39:
// the project's static build, or a system's), and follows bitrate changes while live. No C memory
// leaves the package: packets carry Go copies.
package encoder

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asticode/go-astiav"
)

// VideoConfig describes the H.264 stream.
type VideoConfig struct {
	Width, Height int
	FPS           int
	BitrateKbps   int
	// KeyframeInterval is exact: keyframes come every this long and nowhere else. Default 2 s.
	KeyframeInterval time.Duration
	// Preset is the x264 preset; empty picks the first of veryfast, superfast, ultrafast that a
	// trial encode shows keeping real time on this machine at this size.
	Preset string
	// Threads is x264's thread count: 1 encodes each frame as one slice on one thread, 0 lets x264
	// choose (a slice thread per core). With Preset empty the trial chooses it too.
	Threads int
	// TrialCache is a file that remembers the trial's answer for this machine, size and rate, so
	// later starts skip it; empty: trial every time.
	TrialCache string
	Profile    string // "baseline", "main" or "high" (default)
	BFrames    int    // default 0: B-frames add latency
	// Codec names the FFmpeg encoder; empty picks the first hardware encoder that works here, or
	// libx264.
	Codec  string
	Logger *slog.Logger

	// openGOP, in tests, opens libx264 as some hardware encoders behave: open GOPs, no forced-IDR
	// option, so that a forced keyframe is a plain I frame; the trial must refuse that.
	openGOP bool
}

// ErrClosed is returned after Close.
var ErrClosed = errors.New("encoder: closed")

// VideoStats counts what the video encoder did.
type VideoStats struct {
	Encoded uint64 // frames encoded
	// Skipped counts frames replaced by a newer one before the encoder got to them: it lagged.
	Skipped     uint64
	BitrateKbps int
	Codec       string
	Preset      string // the x264 preset in use
	Threads     int    // x264's threads as configured (0: x264's choice)
	// EncodeTime is the total time spent converting and encoding.
	EncodeTime time.Duration
	// FillerRemoved counts the filler bytes taken out after bitrate decreases (see withoutFiller).
	FillerRemoved uint64
	// FrameDivisor is n when only every n-th frame is encoded (SetFrameDivisor); Decimated counts
	// the frames left out that way.
	FrameDivisor int
	Decimated    uint64
}

// Video is an H.264 encoder running in its own goroutine. Submit never blocks; packets come out of
// Packets in order.
type Video struct {
	cfg   VideoConfig
	log   *slog.Logger
	cc    *astiav.CodecContext
	codec string
	frame *astiav.Frame // converted pictures; allocated when the first one needs it
	// lender lends I420 pictures at the stream's size to libx264 without a copy (nil: every
	// picture is converted into frame).
	lender *lender
	pkt    *astiav.Packet
	bufs   packetBuffers
	conv   *converter
	// width and height are the size encoded now (the configured one until SetSize); extra is its
	// SPS and PPS. The encoder goroutine writes them under mu.
	width, height int
	extra         []byte

	mu            sync.Mutex
	pending       *VideoFrame
	closed        bool
	wake          chan struct{}
	bitrate       int // kbps wanted; applied before the next frame
	wantW, wantH  int // the size wanted; applied at the next encoded frame
	rate          rateControl
	forceKey      bool
	divisor       int // encode every divisor-th frame
	lastPTS       int64
	out           chan Packet
	done          chan struct{}
	err           error
	encoded       atomic.Uint64
	skipped       atomic.Uint64
	encodeDur     atomic.Int64
	fillerRemoved atomic.Uint64
	keys          keyClock
	decimated     atomic.Uint64
}

// msTimeBase: the encoder's timestamps are in milliseconds.
const msTimeBase = 1000

// NewVideo opens the encoder and starts its goroutine.
func NewVideo(cfg VideoConfig) (*Video, error) {
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width%2 != 0 || cfg.Height%2 != 0 {
		return nil, fmt.Errorf("encoder: video size %dx%d must be positive and even", cfg.Width, cfg.Height)
	}
	if cfg.FPS <= 0 || cfg.FPS > 240 {
		return nil, fmt.Errorf("encoder: frame rate %d out of range", cfg.FPS)
	}
	if cfg.BitrateKbps <= 0 {
		return nil, fmt.Errorf("encoder: video bitrate %d kb/s", cfg.BitrateKbps)
	}
	if cfg.KeyframeInterval <= 0 {
		cfg.KeyframeInterval = 2 * time.Second
	}

	if cfg.Profile == "" {
		cfg.Profile = "high"
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	v := &Video{cfg: cfg, log: log, wake: make(chan struct{}, 1), out: make(chan Packet, 64),
		done: make(chan struct{}), bitrate: cfg.BitrateKbps, lastPTS: -1, divisor: 1,
		rate: newRateControl(cfg.BitrateKbps), keys: newKeyClock(cfg.KeyframeInterval.Milliseconds(), cfg.FPS),
		width: cfg.Width, height: cfg.Height, wantW: cfg.Width, wantH: cfg.Height}

	var err error
	if v.cc, v.codec, err = openFirstWorking(&v.cfg, log); err != nil {
		return nil, err
	}
	v.extra = append([]byte(nil), v.cc.ExtraData()...)
	if v.codec == "libx264" { // it copies the picture during avcodec_send_frame; others may keep it
		v.lender = newLender()
	}
	v.pkt = astiav.AllocPacket()
	v.bufs = newPacketBuffers(4)
	v.conv = newConverter(cfg.Width, cfg.Height)
	log.Info("video encoder open", "codec", v.codec, "size", fmt.Sprintf("%dx%d", cfg.Width, cfg.Height),
		"fps", cfg.FPS, "kbps", cfg.BitrateKbps, "preset", v.cfg.Preset)
	go v.loop()
	return v, nil
}

// Codec returns the name of the FFmpeg encoder in use.
func (v *Video) Codec() string { return v.codec }

// Config returns the codec configuration of the size encoded now: SPS and PPS in Annex B.
func (v *Video) Config() []byte {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.extra
}

// Packets delivers encoded packets; it is closed after Close has flushed the encoder.
func (v *Video) Packets() <-chan Packet { return v.out }

// Submit hands a frame to the encoder without waiting. If the encoder has not taken the previous
// frame yet, that frame is released and counted as skipped: the newest frame wins.
func (v *Video) Submit(f VideoFrame) error {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		f.release()
		return ErrClosed
	}
	old := v.pending
	v.pending = &f
	v.mu.Unlock()
	if old != nil {
		old.release()
		v.skipped.Add(1)
	}
	select {
	case v.wake <- struct{}{}:
	default:
	}
	return nil
}

// SetBitrate changes the target bitrate from the next frame on (bit_rate, rc_max_rate and
// rc_buffer_size together, which libx264 honours mid-stream without a new keyframe).
func (v *Video) SetBitrate(kbps int) {
	if kbps <= 0 {
		return
	}
	v.mu.Lock()
	v.bitrate = kbps
	v.mu.Unlock()
}

// SetFrameDivisor encodes only every n-th frame from the next one on (1: every frame). The bitrate
// stays what SetBitrate says, so each picture gets n times the bits: sharper pictures at a lower
// frame rate when the bitrate is too low for all of them. Keyframes keep their interval.
func (v *Video) SetFrameDivisor(n int) {
	if n < 1 {
		return
	}
	v.mu.Lock()
	v.divisor = n
	v.mu.Unlock()
}

// ForceKeyframe makes the next frame an IDR frame.
func (v *Video) ForceKeyframe() {
	v.mu.Lock()
	v.forceKey = true
	v.mu.Unlock()
}

// Stats returns counters.
func (v *Video) Stats() VideoStats {
	v.mu.Lock()
	kbps, div := v.bitrate, v.divisor
	v.mu.Unlock()
	return VideoStats{Encoded: v.encoded.Load(), Skipped: v.skipped.Load(), BitrateKbps: kbps, Codec: v.codec, Preset: v.cfg.Preset, Threads: v.cfg.Threads,
		EncodeTime: time.Duration(v.encodeDur.Load()), FillerRemoved: v.fillerRemoved.Load(),
		FrameDivisor: div, Decimated: v.decimated.Load()}
}

// Wait waits until the encoder has stopped, by Close or by a failure, and returns why it failed.
// Read Packets meanwhile.
func (v *Video) Wait() error {
	<-v.done
	return v.err
}

// Close stops taking frames, flushes the encoder, closes Packets and frees the encoder. Read
// Packets until it is closed, or Close waits for room forever.
func (v *Video) Close() error {
	v.mu.Lock()
	already := v.closed
	v.closed = true
	v.mu.Unlock()
	if !already {
		select {
		case v.wake <- struct{}{}:
		default:
		}
	}
	<-v.done
	return v.err
}
