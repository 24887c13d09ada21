// Package encoder turns raw frames into H.264 video and AAC audio with FFmpeg (go-astiav v0.16.0,
// the last release that builds against Debian 12's FFmpeg 5.1), and follows bitrate changes while
// live. No C memory leaves the package: packets carry Go copies.
package encoder

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
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
	extra  []byte

	mu        sync.Mutex
	pending   *VideoFrame
	closed    bool
	wake      chan struct{}
	bitrate   int // kbps wanted; applied before the next frame
	applied   int
	forceKey  bool
	divisor   int // encode every divisor-th frame
	lastPTS   int64
	out       chan Packet
	done      chan struct{}
	err       error
	encoded   atomic.Uint64
	skipped   atomic.Uint64
	encodeDur atomic.Int64
	// stripUntil: packets up to this PTS (ms) lose their filler; set by a bitrate decrease.
	stripUntil    int64
	fillerRemoved atomic.Uint64
	nextPTS       int64 // with a divisor, frames before this PTS (ms) are left out
	lastKeyPTS    int64 // the last keyframe's PTS (ms), -1 before the first
	decimated     atomic.Uint64
}

// fillerPayback is how long after a bitrate decrease filler is removed: x264 pays the old buffer
// back in the next frame (measured), so half a second is ample.
const fillerPayback = 500 * time.Millisecond

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
		done: make(chan struct{}), bitrate: cfg.BitrateKbps, applied: cfg.BitrateKbps, lastPTS: -1, stripUntil: -1, divisor: 1, lastKeyPTS: -1}

	names := []string{cfg.Codec}
	if cfg.Codec == "" {
		names = append(hardwareThatWorks(), "libx264")
	}
	var err error
	for _, name := range names {
		c := cfg
		if name == "libx264" && c.Preset == "" {
			c.Logger = log
			s, fps, cached := stepFor(c, time.Now())
			c.Preset, c.Threads = s.Preset, s.Threads
			log.Info("x264 preset chosen", "preset", c.Preset, "threads", c.Threads, "trial_fps", fps, "remembered", cached)
		}
		if v.cc, err = openVideo(name, c); err == nil {
			v.cfg.Preset, v.cfg.Threads = c.Preset, c.Threads
			v.codec = name
			break
		}
		log.Info("video encoder unavailable", "codec", name, "err", err)
	}
	if v.cc == nil {
		return nil, fmt.Errorf("encoder: no H.264 encoder could be opened: %w", err)
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

// openVideo opens one encoder with OnAir's streaming settings: constant bitrate, exact keyframe
// interval, no scene-cut keyframes, zero latency.
func openVideo(name string, cfg VideoConfig) (*astiav.CodecContext, error) {
	codec := astiav.FindEncoderByName(name)
	if codec == nil {
		return nil, fmt.Errorf("FFmpeg has no encoder %q", name)
	}
	cc := astiav.AllocCodecContext(codec)
	if cc == nil {
		return nil, errors.New("cannot allocate a codec context")
	}
	cc.SetWidth(cfg.Width)
	cc.SetHeight(cfg.Height)
	cc.SetPixelFormat(astiav.PixelFormatYuv420P)
	cc.SetTimeBase(astiav.NewRational(1, msTimeBase))
	cc.SetFramerate(astiav.NewRational(cfg.FPS, 1))
	cc.SetGopSize(gopFrames(cfg))
	cc.SetFlags(cc.Flags().Add(astiav.CodecContextFlagGlobalHeader))
	bps := int64(cfg.BitrateKbps) * 1000
	cc.SetBitRate(bps)

	d := astiav.NewDictionary()
	defer d.Free()
	opts := map[string]string{
		"maxrate": strconv.FormatInt(bps, 10), "bufsize": strconv.FormatInt(bps, 10),
		"bf": strconv.Itoa(cfg.BFrames), "g": strconv.Itoa(gopFrames(cfg)),
	}
	if name == "libx264" {
		opts["preset"] = cfg.Preset
		opts["tune"] = "zerolatency"
		opts["profile"] = cfg.Profile
		opts["sc_threshold"] = "0" // measured: without it x264 adds keyframes at scene cuts
		opts["forced-idr"] = "1"   // a forced keyframe is an IDR a new viewer can start from
		// Strict CBR, as Twitch asks and OBS does: filler keeps the rate exact on easy pictures, so
		// the network is loaded as planned and congestion shows the same whatever the scene.
		opts["x264-params"] = "filler=1"
		if cfg.Threads > 0 {
			opts["threads"] = strconv.Itoa(cfg.Threads)
		}
	}
	for k, val := range opts {
		if err := d.Set(k, val, 0); err != nil {
			cc.Free()
			return nil, err
		}
	}
	if err := cc.Open(codec, d); err != nil {
		cc.Free()
		return nil, err
	}
	return cc, nil
}

func gopFrames(cfg VideoConfig) int {
	return max(1, int(cfg.KeyframeInterval.Seconds()*float64(cfg.FPS)+0.5))
}

// Codec returns the name of the FFmpeg encoder in use.
func (v *Video) Codec() string { return v.codec }

// Config returns the codec configuration: SPS and PPS in Annex B.
func (v *Video) Config() []byte { return v.extra }

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

func (v *Video) loop() {
	defer close(v.done)
	defer v.free()
	defer close(v.out)
	for {
		<-v.wake
		for {
			v.mu.Lock()
			f, closed := v.pending, v.closed
			v.pending = nil
			kbps, div, key := v.bitrate, v.divisor, false
			if f != nil { // a keyframe request waits for a frame to apply to
				key, v.forceKey = v.forceKey, false
			}
			v.mu.Unlock()
			if f == nil {
				if closed {
					v.err = v.flush()
					return
				}
				break
			}
			if err := v.encode(f, kbps, div, key); err != nil {
				v.log.Error("video encoding failed", "err", err)
				v.err = err
				v.mu.Lock()
				v.closed = true
				p := v.pending
				v.pending = nil
				v.mu.Unlock()
				if p != nil {
					p.release()
				}
				return
			}
		}
	}
}

func (v *Video) encode(f *VideoFrame, kbps, div int, key bool) error {
	pts := f.PTS.Milliseconds()
	if pts <= v.lastPTS {
		pts = v.lastPTS + 1 // the encoder needs strictly increasing timestamps
	}
	frameMS := int64(msTimeBase / v.cfg.FPS)
	// Keyframes by the clock, not by frame count: exact with any divisor (a frame due to be a
	// keyframe is never left out), and with capture that jitters.
	if v.lastKeyPTS < 0 || pts-v.lastKeyPTS >= v.cfg.KeyframeInterval.Milliseconds()-frameMS/2 {
		key = true
	}
	if div > 1 && pts < v.nextPTS && !key {
		f.release()
		v.decimated.Add(1)
		return nil
	}
	v.nextPTS = pts + int64(div)*frameMS - frameMS/2
	start := time.Now()
	src, err := v.picture(f)
	if err != nil {
		return err
	}
	// x264's rate control counts bits per frame at the configured rate: with every n-th frame,
	// n times the rate keeps the stream at kbps.
	if rate := kbps * div; rate != v.applied {
		bps := int64(rate) * 1000
		setRate(v.cc, bps, bps, int(bps))
		if rate < v.applied {
			v.stripUntil = pts + fillerPayback.Milliseconds()
		}
		v.applied = rate
		v.log.Debug("video bitrate changed", "kbps", kbps, "frame_divisor", div)
	}
	v.lastPTS = pts
	src.SetPts(pts)
	if key {
		src.SetPictureType(astiav.PictureTypeI)
		v.lastKeyPTS = pts
	} else {
		src.SetPictureType(astiav.PictureTypeNone)
	}
	sendErr := v.cc.SendFrame(src)
	if sendErr == nil {
		err = v.receive()
	}
	if v.lender != nil {
		if gerr := v.lender.giveBack(); gerr != nil {
			return gerr // the picture stays pinned and unreleased: the capturer must not reuse it
		}
	}
	f.release()
	if sendErr != nil {
		return fmt.Errorf("encoder: send frame: %w", sendErr)
	}
	v.encodeDur.Add(int64(time.Since(start)))
	v.encoded.Add(1)
	return err
}

// picture returns the frame to encode f from: f's own memory lent to libx264 when it is I420 at the
// stream's size, otherwise the encoder's frame after conversion (and f is released at once).
func (v *Video) picture(f *VideoFrame) (*astiav.Frame, error) {
	if v.lender != nil && canLend(f, v.cfg.Width, v.cfg.Height) {
		fr, err := v.lender.lend(f)
		if err != nil {
			f.release()
		}
		return fr, err
	}
	defer f.release()
	if v.frame == nil {
		v.frame = astiav.AllocFrame()
		v.frame.SetWidth(v.cfg.Width)
		v.frame.SetHeight(v.cfg.Height)
		v.frame.SetPixelFormat(astiav.PixelFormatYuv420P)
		if err := v.frame.AllocBuffer(0); err != nil {
			return nil, fmt.Errorf("encoder: frame buffer: %w", err)
		}
	}
	if err := v.conv.convert(f, v.frame); err != nil {
		return nil, err
	}
	return v.frame, nil
}

func (v *Video) flush() error {
	if err := v.cc.SendFrame(nil); err != nil && !errors.Is(err, astiav.ErrEof) {
		return fmt.Errorf("encoder: flush: %w", err)
	}
	return v.receive()
}

// receive moves every ready packet to the output channel as a Go copy.
func (v *Video) receive() error {
	for {
		err := v.cc.ReceivePacket(v.pkt)
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("encoder: receive packet: %w", err)
		}
		copied := v.bufs.copyOf(packetData(v.pkt))
		data, reuse := copied, v.bufs
		if v.pkt.Pts() <= v.stripUntil {
			var removed int
			data, removed = withoutFiller(data)
			v.fillerRemoved.Add(uint64(removed))
			if removed > 0 { // data is a new slice: the copy can go back now
				reuse = nil
				v.bufs.put(copied)
			}
		}
		p := Packet{
			reuse:    reuse,
			Data:     data,
			PTS:      time.Duration(v.pkt.Pts()) * time.Second / msTimeBase,
			DTS:      time.Duration(v.pkt.Dts()) * time.Second / msTimeBase,
			Keyframe: v.pkt.Flags().Has(astiav.PacketFlagKey),
		}
		v.pkt.Unref()
		v.out <- p
	}
}

func (v *Video) free() {
	if v.conv != nil {
		v.conv.free()
	}
	if v.pkt != nil {
		v.pkt.Free()
	}
	if v.frame != nil {
		v.frame.Free()
	}
	if v.cc != nil {
		v.cc.Free()
	}
	if v.lender != nil { // after the codec: it may hold a reference to the lent picture
		v.lender.free()
	}
}
