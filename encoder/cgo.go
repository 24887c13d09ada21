package encoder

// What go-astiav cannot do from Go, in a few lines of C: scale from Go memory straight into an
// AVFrame (its ScaleFrame would first copy a frame that is not reference counted), read a frame's
// planes and a packet's payload without copying them, and point a frame at pinned Go memory
// (lend.go).

/*
#cgo pkg-config: libavcodec libavutil libswscale
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <string.h>
#include <stdlib.h>

// onair_scale scales into the rectangle of dst at (x, y), both even, and with bars paints the
// rest black: a picture keeps its shape inside a stream of another (letterbox or pillarbox).
// Without, what is around stays: an inset over a picture.
static int onair_scale(struct SwsContext *c, const uint8_t *p0, const uint8_t *p1, const uint8_t *p2,
		int s0, int s1, int s2, int src_h, AVFrame *dst, int x, int y, int w, int h, int bars) {
	const uint8_t *const src[4] = {p0, p1, p2, NULL};
	const int strides[4] = {s0, s1, s2, 0};
	uint8_t *out[4] = {dst->data[0] + y * dst->linesize[0] + x,
		dst->data[1] + y / 2 * dst->linesize[1] + x / 2, dst->data[2] + y / 2 * dst->linesize[2] + x / 2, NULL};
	if (bars && (w != dst->width || h != dst->height)) {
		for (int i = 0; i < 3; i++) {
			int pw = i ? (dst->width + 1) / 2 : dst->width, ph = i ? (dst->height + 1) / 2 : dst->height;
			int px = i ? x / 2 : x, py = i ? y / 2 : y, rw = i ? w / 2 : w, rh = i ? h / 2 : h;
			uint8_t black = i ? 128 : 16;
			for (int r = 0; r < ph; r++) {
				uint8_t *row = dst->data[i] + r * dst->linesize[i];
				if (r < py || r >= py + rh) {
					memset(row, black, pw);
				} else {
					memset(row, black, px);
					memset(row + px + rw, black, pw - px - rw);
				}
			}
		}
	}
	return sws_scale(c, src, strides, 0, src_h, out, dst->linesize);
}

static uint8_t *onair_plane(AVFrame *f, int i) { return f->data[i]; }
static int onair_linesize(AVFrame *f, int i) { return f->linesize[i]; }

static void onair_keep(void *opaque, uint8_t *data) {} // Go's memory: Go unpins it

// onair_lend points f at an I420 picture in Go memory that the caller pinned. A buffer reference
// that frees nothing makes the frame reference counted, so avcodec_send_frame takes a reference
// instead of a copy.
static int onair_lend(AVFrame *f, int w, int h, uint8_t *y, uint8_t *u, uint8_t *v, int ys, int us, int vs, int ysize) {
	f->buf[0] = av_buffer_create(y, ysize, onair_keep, NULL, 0);
	if (!f->buf[0])
		return AVERROR(ENOMEM);
	f->format = AV_PIX_FMT_YUV420P;
	f->width = w;
	f->height = h;
	f->data[0] = y;
	f->data[1] = u;
	f->data[2] = v;
	f->linesize[0] = ys;
	f->linesize[1] = us;
	f->linesize[2] = vs;
	return 0;
}

static int64_t onair_sws_opt(struct SwsContext *c, const char *name) {
	int64_t v = -1;
	av_opt_get_int(c, name, 0, &v);
	return v;
}

static int onair_refs(AVFrame *f) { return f->buf[0] ? av_buffer_get_ref_count(f->buf[0]) : 0; }
*/
import "C"

import (
	"fmt"
	"image"
	"unsafe"

	"github.com/asticode/go-astiav"
)

// packetData returns pkt's payload as a slice over C memory, valid until pkt is unreferenced
// (go-astiav's Data copies it). The C pointer is the only field of astiav.Packet (guarded by
// TestPacketData).
func packetData(pkt *astiav.Packet) []byte {
	c := (*C.AVPacket)(*(*unsafe.Pointer)(unsafe.Pointer(pkt)))
	if c.data == nil || c.size <= 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(c.data)), int(c.size))
}

func framePtr(f *astiav.Frame) *C.AVFrame { return (*C.AVFrame)(f.UnsafePointer()) }

// scale converts and scales f's planes (Go memory, read during the call) into the rectangle r of
// dst, with black around it if bars.
func scale(ssc *astiav.SoftwareScaleContext, f *VideoFrame, dst *astiav.Frame, r image.Rectangle, bars bool) error {
	var p [3]*C.uint8_t
	for i := range p {
		if len(f.Planes[i]) > 0 {
			p[i] = (*C.uint8_t)(unsafe.Pointer(&f.Planes[i][0]))
		}
	}
	ret := C.onair_scale(swsPtr(ssc), p[0], p[1], p[2], C.int(f.Strides[0]), C.int(f.Strides[1]), C.int(f.Strides[2]),
		C.int(f.Height), framePtr(dst), C.int(r.Min.X), C.int(r.Min.Y), C.int(r.Dx()), C.int(r.Dy()), C.int(cBool(bars)))
	if ret <= 0 {
		return fmt.Errorf("encoder: sws_scale returned %d", int(ret))
	}
	return nil
}

// plane returns plane i of f as a Go slice over C memory, valid while the frame's buffer is.
func plane(f *astiav.Frame, i, rows int) []byte {
	p := C.onair_plane(framePtr(f), C.int(i))
	ls := int(C.onair_linesize(framePtr(f), C.int(i)))
	if p == nil || ls <= 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), ls*rows)
}

// floats returns n float32 samples of audio plane i of f (planar float frames).
func floats(f *astiav.Frame, i, n int) []float32 {
	p := C.onair_plane(framePtr(f), C.int(i))
	if p == nil {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(p)), n)
}

func linesize(f *astiav.Frame, i int) int { return int(C.onair_linesize(framePtr(f), C.int(i))) }

// lendI420 points frame at f's planes (Go memory the caller has pinned).
func lendI420(frame *astiav.Frame, f *VideoFrame) error {
	ret := C.onair_lend(framePtr(frame), C.int(f.Width), C.int(f.Height),
		(*C.uint8_t)(unsafe.Pointer(&f.Planes[0][0])), (*C.uint8_t)(unsafe.Pointer(&f.Planes[1][0])),
		(*C.uint8_t)(unsafe.Pointer(&f.Planes[2][0])), C.int(f.Strides[0]), C.int(f.Strides[1]), C.int(f.Strides[2]),
		C.int(len(f.Planes[0])))
	if ret < 0 {
		return fmt.Errorf("encoder: av_buffer_create: %d", int(ret))
	}
	return nil
}

// bufferRefs counts the references to frame's first buffer (0 without one).
func bufferRefs(frame *astiav.Frame) int { return int(C.onair_refs(framePtr(frame))) }

// swsPtr returns the SwsContext behind ssc: the C pointer is the first field of
// astiav.SoftwareScaleContext, which has no accessor (guarded by TestScaleContextPointer).
func swsPtr(ssc *astiav.SoftwareScaleContext) *C.struct_SwsContext {
	return (*C.struct_SwsContext)(*(*unsafe.Pointer)(unsafe.Pointer(ssc)))
}

// swsSizes reads the source and destination widths and heights back from ssc's SwsContext (for
// the test that guards swsPtr).
func swsSizes(ssc *astiav.SoftwareScaleContext) (w, h [2]int) {
	get := func(name string) int {
		n := C.CString(name)
		defer C.free(unsafe.Pointer(n))
		return int(C.onair_sws_opt(swsPtr(ssc), n))
	}
	return [2]int{get("srcw"), get("dstw")}, [2]int{get("srch"), get("dsth")}
}

func cBool(b bool) int {
	if b {
		return 1
	}
	return 0
}
