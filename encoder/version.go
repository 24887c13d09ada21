package encoder

/*
#cgo pkg-config: libavcodec libavutil
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <string.h>
static int onair_linked_in(void) { return strstr(avcodec_configuration(), "--disable-shared") != NULL; }
*/
import "C"

import "fmt"

// FFmpegVersion says which FFmpeg this program runs on and whether it carries it ("FFmpeg 7.1.5,
// linked in") or uses the system's ("FFmpeg 7.1.2, the system's").
func FFmpegVersion() string {
	where := "the system's"
	if C.onair_linked_in() != 0 {
		where = "linked in"
	}
	return fmt.Sprintf("FFmpeg %s, %s", C.GoString(C.av_version_info()), where)
}
