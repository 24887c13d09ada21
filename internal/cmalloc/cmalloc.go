// Package cmalloc gives the C side of OnAir (FFmpeg, x264, the device drivers) one malloc arena.
//
// glibc gives each thread that calls malloc an arena of its own, up to eight per core. A Go
// program calls C from whichever thread runs the goroutine at that moment, so C memory is
// allocated in one arena and freed from another, and every arena keeps its own free chunks, which
// stay resident. One arena is enough: the encoders' threads allocate at start-up, not per frame.
//
// The limit is set by a C constructor, before the Go runtime or any library starts a thread. A
// MALLOC_ARENA_MAX in the environment wins. Import it for this side effect only:
// import _ "onair/internal/cmalloc".
package cmalloc

/*
#include <malloc.h>
#include <stdlib.h>

__attribute__((constructor)) static void onair_one_arena(void) {
	if (getenv("MALLOC_ARENA_MAX") == NULL) {
		mallopt(M_ARENA_MAX, 1);
	}
}
*/
import "C"
