package capture

// go-astiav reads a decoded frame's planes only by copying them all (Frame.Data().Bytes): this
// accessor lends plane pointers instead, so each plane is copied once, straight to where it goes.

/*
#cgo pkg-config: libavutil
#include <libavutil/frame.h>
static uint8_t *onair_data(AVFrame *f, int i) { return f->data[i]; }
*/
import "C"

import (
	"unsafe"

	"github.com/asticode/go-astiav"
)

// cPlane returns n bytes of plane i of f, as a Go slice over C memory: copy before the frame is
// unreferenced.
func cPlane(f *astiav.Frame, i, n int) []byte {
	p := C.onair_data((*C.AVFrame)(f.UnsafePointer()), C.int(i))
	if p == nil || n <= 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), n)
}

func cStride(f *astiav.Frame, i int) int { return f.Linesize()[i] }
