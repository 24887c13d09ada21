package cmalloc

import (
	"testing"

	"onair/tools/arenaprobe"
)

// TestOneArena allocates from several threads at once and counts glibc's arenas.
func TestOneArena(t *testing.T) {
	if n := arenaprobe.AfterThreads(8); n != 1 {
		t.Fatalf("%d malloc arenas after 8 threads allocated at once; want 1", n)
	}
}
