package capture

// go-astiav v0.16.0 has no Go access to a decoded frame's audio samples, and its image copy reads
// chroma planes at full height: these two accessors read plane pointers and line sizes instead.

/*
#cgo pkg-config: libavutil
#include <libavutil/frame.h>
static uint8_t *onair_data(AVFrame *f, int i) { return f->data[i]; }
static int onair_stride(AVFrame *f, int i) { return f->linesize[i]; }
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

func cStride(f *astiav.Frame, i int) int {
	return int(C.onair_stride((*C.AVFrame)(f.UnsafePointer()), C.int(i)))
}
