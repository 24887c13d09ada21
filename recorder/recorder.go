// Package recorder writes the stream's encoded packets to a Matroska file as they come, so that a
// recording survives a crash or a power cut: everything up to the last keyframe interval plays.
// It never encodes: the file holds the very packets the stream sends. Writing runs in a goroutine
// of its own, so a slow or failing disk never holds the stream up; a failure stops the recording
// with its reason, and only the recording.
package recorder

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/asticode/go-astiav"
)

// Config describes the streams to record.
type Config struct {
	Path string
	// Video: size and its H.264 configuration (SPS and PPS in Annex B); none without VideoConfig.
	Width, Height int
	VideoConfig   []byte
	// Audio: AAC's AudioSpecificConfig; none without AudioConfig.
	SampleRate, Channels int
	AudioConfig          []byte
	Logger               *slog.Logger
}

// Packet is one encoded packet; Data is copied.
type Packet struct {
	Video, Keyframe bool
	PTS, DTS        time.Duration
	Data            []byte
	// Config, on a video keyframe, is the configuration (SPS and PPS) it was encoded with: a GOP
	// encoded with another than the recording's (the stream changed its picture's size) is left
	// out, so the file keeps one size throughout.
	Config []byte
}

// Errors that stop a recording, in words.
var (
	ErrDiskFull  = errors.New("the disk is full")
	ErrDiskGone  = errors.New("the drive was removed or stopped working")
	ErrTooSlow   = errors.New("the disk is too slow to keep up")
	ErrWriteFail = errors.New("writing the file failed")
)

const (
	queueLen  = 512             // packets waiting for the disk: about 6 s of a 30 fps stream with audio
	syncEvery = 5 * time.Second // how often the file is forced to the disk, against power cuts
	msBase    = 1000
)

// Recorder is a recording in progress.
type Recorder struct {
	cfg     Config
	log     *slog.Logger
	file    *os.File
	out     *astiav.FormatContext
	io      *astiav.IOContext
	video   *astiav.Stream
	audio   *astiav.Stream
	queue   chan Packet
	done    chan struct{}
	written atomic.Int64
	started time.Time

	mu       sync.Mutex
	err      error // why it stopped early
	closed   bool
	writeErr error // the file's own error, behind FFmpeg's
	base     time.Duration
	began    bool // the first keyframe (or audio, without video) has been written
	// otherSize: the current GOP was encoded at another size than the file's (see Packet.Config)
	otherSize bool
	synced    time.Time
}

// Start creates the file and writes its header.
func Start(cfg Config) (*Recorder, error) {
	if cfg.VideoConfig == nil && cfg.AudioConfig == nil {
		return nil, errors.New("recorder: nothing to record")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f, err := os.OpenFile(cfg.Path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("the recording cannot be created: %w", err)
	}
	r := &Recorder{cfg: cfg, log: log, file: f, queue: make(chan Packet, queueLen), done: make(chan struct{}), started: time.Now(), synced: time.Now()}
	if err := r.open(); err != nil {
		r.free()
		f.Close()
		os.Remove(cfg.Path)
		return nil, err
	}
	go r.loop()
	return r, nil
}

func (r *Recorder) open() error {
	var err error
	if r.out, err = astiav.AllocOutputFormatContext(nil, "matroska", r.cfg.Path); err != nil || r.out == nil {
		return fmt.Errorf("recorder: no Matroska muxer: %w", err)
	}
	if r.cfg.VideoConfig != nil {
		r.video = r.out.NewStream(nil)
		cp := r.video.CodecParameters()
		cp.SetMediaType(astiav.MediaTypeVideo)
		cp.SetCodecID(astiav.CodecIDH264)
		cp.SetWidth(r.cfg.Width)
		cp.SetHeight(r.cfg.Height)
		cp.SetPixelFormat(astiav.PixelFormatYuv420P)
		if err := cp.SetExtraData(r.cfg.VideoConfig); err != nil {
			return err
		}
		r.video.SetTimeBase(astiav.NewRational(1, msBase))
	}
	if r.cfg.AudioConfig != nil {
		r.audio = r.out.NewStream(nil)
		cp := r.audio.CodecParameters()
		cp.SetMediaType(astiav.MediaTypeAudio)
		cp.SetCodecID(astiav.CodecIDAac)
		cp.SetSampleRate(r.cfg.SampleRate)
		layout := astiav.ChannelLayoutStereo
		if r.cfg.Channels == 1 {
			layout = astiav.ChannelLayoutMono
		}
		cp.SetChannelLayout(layout)
		cp.SetFrameSize(1024)
		if err := cp.SetExtraData(r.cfg.AudioConfig); err != nil {
			return err
		}
		r.audio.SetTimeBase(astiav.NewRational(1, msBase))
	}
	if r.io, err = astiav.AllocIOContext(64<<10, true, nil, r.seekFile, r.writeFile); err != nil {
		return err
	}
	r.out.SetPb(r.io)
	// Clusters go to the file as they close; only a clean end seeks back to fill in the duration
	// and the index, which a file cut short does without.
	if err := r.out.WriteHeader(nil); err != nil {
		return r.explain(err)
	}
	r.io.Flush()
	return r.explain(nil)
}

// writeFile is where FFmpeg's bytes go: the file, counted, with its error kept for the words.
func (r *Recorder) writeFile(b []byte) (int, error) {
	n, err := r.file.Write(b)
	r.written.Add(int64(n))
	if err != nil {
		r.mu.Lock()
		if r.writeErr == nil {
			r.writeErr = err
		}
		r.mu.Unlock()
	}
	return n, err
}

// seekFile lets the muxer go back to fill in the header at the end (AVSEEK_SIZE asks the size).
func (r *Recorder) seekFile(offset int64, whence int) (int64, error) {
	const avseekSize = 0x10000
	if whence&avseekSize != 0 {
		info, err := r.file.Stat()
		if err != nil {
			return -1, err
		}
		return info.Size(), nil
	}
	return r.file.Seek(offset, whence&^0x20000) // without AVSEEK_FORCE
}

// Write queues a packet; it never waits for the disk.
func (r *Recorder) Write(p Packet) {
	r.mu.Lock()
	stopped := r.closed || r.err != nil
	r.mu.Unlock()
	if stopped {
		return
	}
	p.Data = append([]byte(nil), p.Data...)
	select {
	case r.queue <- p:
	default:
		r.stop(ErrTooSlow)
	}
}

func (r *Recorder) loop() {
	defer close(r.done)
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	for p := range r.queue {
		if r.Err() != nil {
			continue // drain: the recording has stopped
		}
		if err := r.write(pkt, p); err != nil {
			r.stop(err)
		}
	}
	if r.Err() == nil {
		if err := r.out.WriteTrailer(); err != nil {
			r.stop(r.explain(err))
		}
		r.io.Flush()
	}
	if err := r.file.Sync(); err != nil && r.Err() == nil {
		r.stop(r.explain(err))
	}
	r.free()
	r.file.Close()
}

// write muxes one packet. The file starts on a video keyframe. The Matroska muxer closes a
// cluster at each keyframe, which then goes to the file: a crash loses at most about one keyframe
// interval.
func (r *Recorder) write(pkt *astiav.Packet, p Packet) error {
	st := r.audio
	if p.Video {
		st = r.video
	}
	if st == nil {
		return nil
	}
	if !r.began {
		if p.Video != (r.video != nil) || p.Video && (!p.Keyframe || p.Config != nil && !bytes.Equal(p.Config, r.cfg.VideoConfig)) {
			return nil
		}
		r.began, r.base = true, p.DTS
	}
	if p.DTS < r.base {
		return nil
	}
	if p.Video && p.Keyframe {
		r.otherSize = p.Config != nil && !bytes.Equal(p.Config, r.cfg.VideoConfig)
	}
	if p.Video && r.otherSize {
		return nil
	}
	if err := pkt.FromData(p.Data); err != nil {
		return err
	}
	defer pkt.Unref()
	pkt.SetStreamIndex(st.Index())
	pkt.SetPts((p.PTS - r.base).Milliseconds())
	pkt.SetDts((p.DTS - r.base).Milliseconds())
	if p.Keyframe {
		pkt.SetFlags(pkt.Flags().Add(astiav.PacketFlagKey))
	}
	pkt.RescaleTs(astiav.NewRational(1, msBase), st.TimeBase())
	if err := r.out.WriteInterleavedFrame(pkt); err != nil {
		return r.explain(err)
	}
	if p.Video && p.Keyframe {
		r.io.Flush() // the muxer closed the cluster this keyframe ends: hand it to the file
	}
	if err := r.explain(nil); err != nil {
		return err
	}
	if time.Since(r.synced) > syncEvery {
		r.synced = time.Now()
		if err := r.file.Sync(); err != nil {
			return r.explain(err)
		}
	}
	return nil
}

// explain turns a failure into words, from the file's own error when there is one.
func (r *Recorder) explain(ffErr error) error {
	r.mu.Lock()
	err := r.writeErr
	r.mu.Unlock()
	if err == nil {
		if ffErr == nil {
			return nil
		}
		err = ffErr
	}
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return fmt.Errorf("%w: %v", ErrDiskFull, err)
	case errors.Is(err, syscall.EIO), errors.Is(err, syscall.ENODEV), errors.Is(err, syscall.ENXIO), errors.Is(err, syscall.EROFS):
		return fmt.Errorf("%w: %v", ErrDiskGone, err)
	}
	return fmt.Errorf("%w: %v", ErrWriteFail, err)
}

func (r *Recorder) stop(err error) {
	r.mu.Lock()
	first := r.err == nil
	if first {
		r.err = err
	}
	r.mu.Unlock()
	if first {
		r.log.Warn("recording stopped", "err", err)
	}
}

func (r *Recorder) free() {
	if r.out != nil {
		r.out.Free()
	}
	if r.io != nil {
		r.io.Free()
	}
}

// Close finishes the file and waits until it is on the disk. It returns why the recording stopped
// early, if it did.
func (r *Recorder) Close() error {
	r.mu.Lock()
	already := r.closed
	r.closed = true
	r.mu.Unlock()
	if !already {
		close(r.queue)
	}
	<-r.done
	return r.Err()
}

// Err returns why the recording stopped early, or nil while it goes on.
func (r *Recorder) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Bytes is the size of the file so far.
func (r *Recorder) Bytes() int64 { return r.written.Load() }

// Path is the file's path.
func (r *Recorder) Path() string { return r.cfg.Path }

// Since is when the recording started.
func (r *Recorder) Since() time.Time { return r.started }
