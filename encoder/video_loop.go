package encoder

import (
	"errors"
	"fmt"
	"image"
	"time"

	"github.com/asticode/go-astiav"
)

// loop is the encoder's goroutine: it owns the codec context, encodes the newest submitted frame,
// and frees everything when Close has flushed it.
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
			size := image.Pt(v.wantW, v.wantH)
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
			if err := v.encode(f, kbps, div, key, size); err != nil {
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

func (v *Video) encode(f *VideoFrame, kbps, div int, key bool, size image.Point) error {
	pts := f.PTS.Milliseconds()
	if pts <= v.lastPTS {
		pts = v.lastPTS + 1 // the encoder needs strictly increasing timestamps
	}
	resize := size != image.Pt(v.width, v.height)
	key, skip := v.keys.frameAt(pts, div, key || resize)
	if skip {
		f.release()
		v.decimated.Add(1)
		return nil
	}
	start := time.Now()
	if resize {
		if err := v.resize(size, kbps*div); err != nil {
			f.release()
			return err
		}
	}
	v.toCurrentSize(f)
	src, err := v.picture(f)
	if err != nil {
		return err
	}
	if v.rate.apply(v.cc, kbps, div, pts) {
		v.log.Debug("video bitrate changed", "kbps", kbps, "frame_divisor", div)
	}
	v.lastPTS = pts
	src.SetPts(pts)
	if key {
		src.SetPictureType(astiav.PictureTypeI)
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
	if v.lender != nil && canLend(f, v.width, v.height) {
		fr, err := v.lender.lend(f)
		if err != nil {
			f.release()
		}
		return fr, err
	}
	defer f.release()
	if v.frame == nil {
		v.frame = astiav.AllocFrame()
		v.frame.SetWidth(v.width)
		v.frame.SetHeight(v.height)
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
		if v.rate.strips(v.pkt.Pts()) {
			var removed int
			data, removed = withoutFiller(data)
			v.fillerRemoved.Add(uint64(removed))
			if removed > 0 { // data is a new slice: the copy can go back now
				reuse = nil
				v.bufs.put(copied)
			}
		}
		key := v.pkt.Flags().Has(astiav.PacketFlagKey)
		p := Packet{
			reuse:    reuse,
			Data:     data,
			PTS:      time.Duration(v.pkt.Pts()) * time.Second / msTimeBase,
			DTS:      time.Duration(v.pkt.Dts()) * time.Second / msTimeBase,
			Keyframe: key,
		}
		if key {
			p.Config = v.extra
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
