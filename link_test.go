package main

import (
	"bytes"
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestReleaseBuildLoadsOnlyCalledLibraries: built as the Makefile builds, OnAir does not load
// libavdevice and libavfilter, which go-astiav links but OnAir never calls (76 more libraries at
// every start). This test binary is linked like bin/onair and from the same packages, so a call
// into either library anywhere in OnAir, or a lost link flag, loads it here too.
func TestReleaseBuildLoadsOnlyCalledLibraries(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self/maps")
	}
	if !strings.Contains(os.Getenv("CGO_LDFLAGS"), "--as-needed") {
		t.Skip("not built by make: a plain go build links every FFmpeg library (see the Makefile)")
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(maps, []byte("/libavcodec.so")) {
		t.Fatal("libavcodec is not mapped: this test cannot see the libraries FFmpeg brings")
	}
	for _, lib := range []string{"/libavdevice.so", "/libavfilter.so"} {
		if bytes.Contains(maps, []byte(lib)) {
			t.Errorf("%s is loaded: something calls it, or the Makefile's CGO_LDFLAGS were not used", lib[1:])
		}
	}
}
