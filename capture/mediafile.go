package capture

import (
	"errors"
	"fmt"
	"image"
	"io"
	"sync"
	"time"

	"github.com/asticode/go-astiav"
)

// MediaFileOptions chooses what to play from a file.
type MediaFileOptions struct {
	Video, Audio bool
	Loop         bool // start again at the end instead of ending with io.EOF
}

// MediaFile plays a file FFmpeg can read (mp4, mkv, flv, nut, y4m, wav, …) in real time. One
// goroutine demuxes and decodes a little ahead; its Video and Audio sources hand out frames when
// they are due.
type MediaFile struct {
	clock   *Clock
	path    string
	opts    MediaFileOptions
	fc      *astiav.FormatContext
	vStream *astiav.Stream
	aStream *astiav.Stream
	vDec    *astiav.CodecContext
	aDec    *astiav.CodecContext
	scaled  *astiav.Frame
	ssc     *astiav.SoftwareScaleContext
	start   time.Duration // clock time at which media time 0 plays
	video   *fileVideo
	audio   *fileAudio
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	err     error
}

// OpenMediaFile opens path and starts decoding.
func OpenMediaFile(clock *Clock, path string, opts MediaFileOptions) (*MediaFile, error) {
	m := &MediaFile{clock: clock, path: path, opts: opts, stop: make(chan struct{}), done: make(chan struct{})}
	m.fc = astiav.AllocFormatContext()
	if err := m.fc.OpenInput(path, nil, nil); err != nil {
		m.fc.Free()
		return nil, fmt.Errorf("capture: cannot open %s: %w", path, err)
	}
	if err := m.fc.FindStreamInfo(nil); err != nil {
		m.free()
		return nil, fmt.Errorf("capture: cannot read %s: %w", path, err)
	}
	for _, s := range m.fc.Streams() {
		switch s.CodecParameters().MediaType() {
		case astiav.MediaTypeVideo:
			if m.vStream == nil && opts.Video {
				m.vStream = s
			}
		case astiav.MediaTypeAudio:
			if m.aStream == nil && opts.Audio {
				m.aStream = s
			}
		}
	}
	if opts.Video && m.vStream == nil {
		m.free()
		return nil, fmt.Errorf("capture: %s has no video", path)
	}
	if opts.Audio && m.aStream == nil {
		m.free()
		return nil, fmt.Errorf("capture: %s has no audio", path)
	}
	var err error
	if m.vStream != nil {
		if m.vDec, err = openDecoder(m.vStream); err != nil {
			m.free()
			return nil, err
		}
		fps := m.vStream.AvgFrameRate()
		rate := 0.0
		if fps.Den() != 0 {
			rate = float64(fps.Num()) / float64(fps.Den())
		}
		// A decoded frame waits to be due as FFmpeg's own reference and is copied into a Go
		// picture only then: one picture waiting, one in the encoder. A buffered channel would only
		// hold more pictures in memory.
		m.video = &fileVideo{m: m, ch: make(chan decodedFrame), pool: newRecycler[*image.YCbCr](3),
			info: VideoInfo{Label: path, Width: m.vDec.Width(), Height: m.vDec.Height(), FPS: rate}}
	}
	if m.aStream != nil {
		if m.aDec, err = openDecoder(m.aStream); err != nil {
			m.free()
			return nil, err
		}
		ch := min(2, max(1, m.aDec.ChannelLayout().Channels()))
		m.audio = &fileAudio{m: m, ch: make(chan AudioChunk, 64), pool: newRecycler[[]float32](8),
			info: AudioInfo{Label: path, SampleRate: m.aDec.SampleRate(), Channels: ch}}
	}
	m.start = clock.Now() + 50*time.Millisecond
	go m.run()
	return m, nil
}

func openDecoder(s *astiav.Stream) (*astiav.CodecContext, error) {
	codec := astiav.FindDecoder(s.CodecParameters().CodecID())
	if codec == nil {
		return nil, fmt.Errorf("capture: no decoder for %s", s.CodecParameters().CodecID())
	}
	cc := astiav.AllocCodecContext(codec)
	if err := s.CodecParameters().ToCodecContext(cc); err != nil {
		cc.Free()
		return nil, err
	}
	if err := cc.Open(codec, nil); err != nil {
		cc.Free()
		return nil, fmt.Errorf("capture: opening the %s decoder: %w", codec.Name(), err)
	}
	return cc, nil
}

// Video returns the video source, or nil.
func (m *MediaFile) Video() VideoSource {
	if m.video == nil {
		return nil
	}
	return m.video
}

// Audio returns the audio source, or nil.
func (m *MediaFile) Audio() AudioSource {
	if m.audio == nil {
		return nil
	}
	return m.audio
}

// endErr is why a source's channel closed: the decoding error, or io.EOF at the end of the file.
// The decoding goroutine sets m.err before it closes the channels.
func (m *MediaFile) endErr() error {
	if m.err != nil {
		return fmt.Errorf("capture: decoding %s: %w", m.path, m.err)
	}
	return io.EOF
}

// Close stops decoding and frees FFmpeg's resources.
func (m *MediaFile) Close() error {
	m.once.Do(func() { close(m.stop) })
	<-m.done
	return nil
}

func (m *MediaFile) free() {
	for _, cc := range []*astiav.CodecContext{m.vDec, m.aDec} {
		if cc != nil {
			cc.Free()
		}
	}
	if m.ssc != nil {
		m.ssc.Free()
	}
	if m.scaled != nil {
		m.scaled.Free()
	}
	m.fc.CloseInput()
	m.fc.Free()
}

// run demuxes and decodes until the end (or forever when looping), then closes the channels.
func (m *MediaFile) run() {
	defer close(m.done)
	defer m.free()
	defer func() {
		if m.video != nil {
			close(m.video.ch)
		}
		if m.audio != nil {
			close(m.audio.ch)
		}
	}()
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	frame := astiav.AllocFrame()
	defer frame.Free()
	var offset, end time.Duration // media time added by looping; the furthest time played
	for {
		err := m.fc.ReadFrame(pkt)
		if errors.Is(err, astiav.ErrEof) {
			m.drain(frame, offset, &end)
			if !m.opts.Loop {
				return
			}
			if m.err = m.reopenDecoders(); m.err != nil {
				return
			}
			offset = end
			if err := m.fc.SeekFrame(-1, m.fc.StartTime(), astiav.NewSeekFlags(astiav.SeekFlagBackward)); err != nil {
				m.err = err
				return
			}
			continue
		}
		if err != nil {
			m.err = err
			return
		}
		dec := m.decoderFor(pkt.StreamIndex())
		if dec != nil {
			err = dec.SendPacket(pkt)
		}
		pkt.Unref()
		if dec == nil {
			continue
		}
		if err != nil && !errors.Is(err, astiav.ErrEagain) {
			m.err = err
			return
		}
		if !m.receive(dec, frame, offset, &end) {
			return
		}
	}
}

func (m *MediaFile) decoderFor(index int) *astiav.CodecContext {
	switch {
	case m.vStream != nil && index == m.vStream.Index():
		return m.vDec
	case m.aStream != nil && index == m.aStream.Index():
		return m.aDec
	}
	return nil
}

// drain flushes both decoders at the end of the file.
func (m *MediaFile) drain(frame *astiav.Frame, offset time.Duration, end *time.Duration) {
	for _, dec := range []*astiav.CodecContext{m.vDec, m.aDec} {
		if dec != nil {
			_ = dec.SendPacket(nil)
			m.receive(dec, frame, offset, end)
		}
	}
}

// reopenDecoders gives fresh decoders for the next loop (go-astiav has no avcodec_flush_buffers).
func (m *MediaFile) reopenDecoders() error {
	var err error
	if m.vDec != nil {
		m.vDec.Free()
		if m.vDec, err = openDecoder(m.vStream); err != nil {
			return err
		}
	}
	if m.aDec != nil {
		m.aDec.Free()
		if m.aDec, err = openDecoder(m.aStream); err != nil {
			return err
		}
	}
	return nil
}

// receive hands every decoded frame to its source; false when stopped.
func (m *MediaFile) receive(dec *astiav.CodecContext, frame *astiav.Frame, offset time.Duration, end *time.Duration) bool {
	for {
		err := dec.ReceiveFrame(frame)
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			return true
		}
		if err != nil {
			m.err = err
			return false
		}
		var ok bool
		if dec == m.vDec {
			ok = m.sendVideo(frame, offset, end)
		} else {
			ok = m.sendAudio(frame, offset, end)
		}
		frame.Unref()
		if !ok {
			return false
		}
	}
}

func mediaTime(ts int64, tb astiav.Rational) time.Duration {
	return time.Duration(float64(ts) * float64(tb.Num()) / float64(tb.Den()) * float64(time.Second))
}

// decodedFrame is a decoded picture, still FFmpeg's (a reference of its own), and when it is due.
type decodedFrame struct {
	frame *astiav.Frame
	time  time.Duration
}

func (m *MediaFile) sendVideo(f *astiav.Frame, offset time.Duration, end *time.Duration) bool {
	t := offset + mediaTime(f.Pts()-max(0, m.vStream.StartTime()), m.vStream.TimeBase())
	if fps := m.video.info.FPS; fps > 0 {
		*end = max(*end, t+time.Duration(float64(time.Second)/fps))
	}
	src := f
	if f.PixelFormat() != astiav.PixelFormatYuv420P && f.PixelFormat() != astiav.PixelFormatYuvj420P {
		if err := m.toYUV420(f); err != nil {
			m.err = err
			return false
		}
		src = m.scaled
	}
	d := decodedFrame{frame: src.Clone(), time: m.start + t} // a reference: no copy
	if d.frame == nil {
		m.err = errors.New("out of memory for a frame reference")
		return false
	}
	select {
	case m.video.ch <- d:
		return true
	case <-m.stop:
		d.frame.Free()
		return false
	}
}

// picture copies d into a Go picture (from the pool when one is free) and lets FFmpeg's go.
func (v *fileVideo) picture(d decodedFrame) *image.YCbCr {
	defer d.frame.Free()
	w, h := d.frame.Width(), d.frame.Height()
	img := v.pool.get(func(img *image.YCbCr) bool { return img.Rect.Dx() == w && img.Rect.Dy() == h },
		func() *image.YCbCr { return image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420) })
	copyPlane(img.Y, img.YStride, d.frame, 0, w, h)
	copyPlane(img.Cb, img.CStride, d.frame, 1, (w+1)/2, (h+1)/2)
	copyPlane(img.Cr, img.CStride, d.frame, 2, (w+1)/2, (h+1)/2)
	return img
}

func copyPlane(dst []byte, dstStride int, f *astiav.Frame, i, w, h int) {
	stride := cStride(f, i)
	src := cPlane(f, i, stride*(h-1)+w)
	for r := 0; r < h; r++ {
		copy(dst[r*dstStride:r*dstStride+w], src[r*stride:r*stride+w])
	}
}

func (m *MediaFile) toYUV420(f *astiav.Frame) error {
	if m.scaled == nil || m.scaled.Width() != f.Width() || m.scaled.Height() != f.Height() {
		if m.ssc != nil {
			m.ssc.Free()
			m.scaled.Free()
		}
		var err error
		m.ssc, err = astiav.CreateSoftwareScaleContext(f.Width(), f.Height(), f.PixelFormat(), f.Width(), f.Height(),
			astiav.PixelFormatYuv420P, astiav.NewSoftwareScaleContextFlags(astiav.SoftwareScaleContextFlagBilinear))
		if err != nil {
			return fmt.Errorf("capture: converting %s video: %w", f.PixelFormat(), err)
		}
		m.scaled = astiav.AllocFrame()
	}
	m.scaled.Unref() // the last picture may still be referenced by the reader: scale into a new one
	return m.ssc.ScaleFrame(f, m.scaled)
}

type fileVideo struct {
	m    *MediaFile
	ch   chan decodedFrame
	pool recycler[*image.YCbCr]
	info VideoInfo
}

// Read returns the next frame when it is due; io.EOF at the end of the file.
func (v *fileVideo) Read() (VideoFrame, func(), error) {
	d, ok := <-v.ch
	if !ok {
		return VideoFrame{}, noRelease, v.m.endErr()
	}
	if !waitUntil(v.m.clock, d.time, v.m.stop) {
		d.frame.Free()
		return VideoFrame{}, noRelease, ErrClosed
	}
	img := v.picture(d)
	return VideoFrame{Image: img, Time: d.time}, v.pool.releaser(img), nil
}

func (v *fileVideo) Info() VideoInfo { return v.info }
func (v *fileVideo) Close() error    { return v.m.Close() }
