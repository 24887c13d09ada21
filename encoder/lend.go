package encoder

import (
	"errors"
	"image"
	"runtime"

	"github.com/asticode/go-astiav"
)

// lender hands the capturer's I420 picture to libx264 without copying it: an AVFrame points at the
// Go memory, pinned while libavcodec may read it. libx264 copies the picture into its own frames
// inside avcodec_send_frame, so the loan ends with the call's packets; the copy it saves is the
// whole picture, once a frame (1.4 MB at 720p), and the encoder's own picture buffer.
type lender struct {
	frame  *astiav.Frame
	pinner runtime.Pinner
	lent   bool
}

// errStillHeld means the codec kept a reference to a lent picture, which only an encoder that
// delays frames would do; the picture then stays pinned until the encoder closes.
var errStillHeld = errors.New("encoder: the codec kept a lent picture")

func newLender() *lender { return &lender{frame: astiav.AllocFrame()} }

// canLend reports whether f can go to the encoder as it is: I420 at the stream's size.
func canLend(f *VideoFrame, width, height int) bool {
	return f.Format == I420 && f.Width == width && f.Height == height && f.Inset == nil &&
		(f.Area.Empty() || f.Area == image.Rect(0, 0, width, height)) && f.validate() == nil
}

// lend pins f's planes and returns the frame that points at them.
func (l *lender) lend(f *VideoFrame) (*astiav.Frame, error) {
	for _, p := range f.Planes {
		l.pinner.Pin(&p[0])
	}
	if err := lendI420(l.frame, f); err != nil {
		l.pinner.Unpin()
		return nil, err
	}
	l.lent = true
	return l.frame, nil
}

// giveBack ends the loan once the codec holds no reference to the picture.
func (l *lender) giveBack() error {
	if !l.lent {
		return nil
	}
	if bufferRefs(l.frame) != 1 {
		return errStillHeld
	}
	l.frame.Unref()
	l.pinner.Unpin()
	l.lent = false
	return nil
}

// free is called after the codec context is freed, when nothing can hold the picture any more.
func (l *lender) free() {
	l.frame.Free()
	l.pinner.Unpin()
}
