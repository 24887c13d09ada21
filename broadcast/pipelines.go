package broadcast

import (
	"errors"
	"fmt"
	"image"
	"io"
	"sync/atomic"
	"time"

	"onair/capture"
	"onair/encoder"
)

// startPipelines starts one goroutine per source. Video packets go from the encoder to the sender
// directly; audio ones through audioOut, closed when the audio source ends.
func (s *Session) startPipelines() {
	s.startPictures(s.src.video2, s.plan.layout, s.taps, func(err error) { s.sourceEnded("second picture", err) })
	if s.src.video != nil {
		go s.videoLoop()
	}
	if s.src.audio != nil {
		s.mix = mixerFor(s.src, s.plan, func(err error) { s.sourceEnded("second sound", err) })
		s.audioOut = make(chan encoder.Packet, 512)
		go func() {
			defer close(s.audioOut)
			s.audioLoop()
		}()
	}
}

// videoLoop reads frames and hands them to the encoder, at most FPS a second.
func (s *Session) videoLoop() {
	defer s.venc.Close() // flushes, then closes Packets, which the sender reads to the end
	interval := time.Second / time.Duration(s.plan.FPS)
	var next time.Duration
	for {
		f, release, err := s.src.video.Read()
		if err != nil {
			s.sourceEnded("video", err)
			return
		}
		if f.Time < next-interval/2 { // a source faster than the stream's rate
			release()
			continue
		}
		next = max(next+interval, f.Time)
		vf, err := toEncoderFrame(f, release)
		if err != nil {
			release()
			s.fail(err)
			return
		}
		if s.second != nil {
			if vf, err = s.second.compose(vf, *s.layout.Load(), s.plan.Width, s.plan.Height); err != nil {
				if vf.Release != nil {
					vf.Release()
				}
				s.fail(err)
				return
			}
		}
		if rv := s.fullQuality.Load(); rv != nil { // both encoders read the frame; the last lets it go
			vf.Release = releaseAfter(2, vf.Release)
			rf := vf
			if vf.Inset != nil {
				in := *vf.Inset
				in.Release = releaseAfter(2, in.Release)
				rin := in
				vf.Inset, rf.Inset = &in, &rin
			}
			_ = rv.Submit(rf) // a failure there stops only the recording
		}
		if err := s.venc.Submit(vf); err != nil {
			if s.ctx.Err() == nil { // not stopping: the encoder failed
				s.fail(fmt.Errorf("the video encoder stopped: %w", s.venc.Wait()))
			}
			return
		}
		s.taps.preview(f)
	}
}

// releaseAfter returns a release that lets go with release once it has been called n times.
func releaseAfter(n int32, release func()) func() {
	var users atomic.Int32
	users.Store(n)
	return func() {
		if users.Add(-1) == 0 && release != nil {
			release()
		}
	}
}

// SetSoundLevels sets the first and the second sound's levels in dB (0: as captured) and mutes,
// from the next chunk on.
func (s *Session) SetSoundLevels(db1, db2 float64, mute1, mute2 bool) {
	if s.mix != nil {
		s.mix.SetGains(db1, db2, mute1, mute2)
	}
}

// audioLoop reads chunks and encodes them in place.
func (s *Session) audioLoop() {
	for {
		c, release, err := s.src.audio.Read()
		if err != nil {
			s.sourceEnded("audio", err)
			if pkts, ferr := s.aenc.Flush(); ferr == nil {
				s.queueAudio(pkts)
			}
			return
		}
		p1, p2 := s.mix.mix(c.Samples)
		s.taps.levels(p1, p2, s.src.audio2 != nil)
		pkts, err := s.aenc.Encode(encoder.AudioChunk{Float32: c.Samples, PTS: c.Time})
		release()
		if err != nil {
			s.fail(fmt.Errorf("the audio encoder failed: %w", err))
			return
		}
		s.queueAudio(pkts)
	}
}

func (s *Session) queueAudio(pkts []encoder.Packet) {
	for _, p := range pkts {
		select {
		case s.audioOut <- p:
		case <-s.ctx.Done():
			return
		}
	}
}

// sourceEnded handles a source's end: a file's end finishes the stream cleanly; a lost device or
// a closed session ends it too.
func (s *Session) sourceEnded(what string, err error) {
	switch {
	case errors.Is(err, io.EOF):
		s.log.Info("source ended", "source", what)
		if what == "video" && s.plan.VideoKind == "file" {
			// The file's end ends the stream (what a hold or a loop would have kept going), sound
			// from another source included: never a frozen picture with sound.
			s.mu.Lock()
			s.endedBy = "the video file ended"
			s.mu.Unlock()
			s.src.close()
		}
	case errors.Is(err, capture.ErrClosed) || s.ctx.Err() != nil:
	default:
		s.fail(fmt.Errorf("the %s source stopped: %w", what, err))
	}
}

// toEncoderFrame describes a captured image to the encoder without copying it.
func toEncoderFrame(f capture.VideoFrame, release func()) (encoder.VideoFrame, error) {
	b := f.Image.Bounds()
	out := encoder.VideoFrame{Width: b.Dx(), Height: b.Dy(), PTS: f.Time, Release: release}
	switch img := f.Image.(type) {
	case *image.YCbCr:
		switch img.SubsampleRatio {
		case image.YCbCrSubsampleRatio420:
			out.Format = encoder.I420
		case image.YCbCrSubsampleRatio422:
			out.Format = encoder.I422
		default:
			return out, fmt.Errorf("the video source gives YCbCr %v, which OnAir cannot encode", img.SubsampleRatio)
		}
		out.Planes = [3][]byte{img.Y, img.Cb, img.Cr}
		out.Strides = [3]int{img.YStride, img.CStride, img.CStride}
	case *image.RGBA:
		out.Format, out.Planes[0], out.Strides[0] = encoder.RGBA, img.Pix, img.Stride
	case *image.NRGBA:
		out.Format, out.Planes[0], out.Strides[0] = encoder.RGBA, img.Pix, img.Stride
	default:
		return out, fmt.Errorf("the video source gives %T images, which OnAir cannot encode", f.Image)
	}
	return out, nil
}
