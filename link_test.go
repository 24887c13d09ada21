package main

import (
	"debug/elf"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// desktopLibrary matches the shared libraries every Linux desktop has: C library, X11, GL.
// scripts/dist.sh holds the release to the same list.
var desktopLibrary = regexp.MustCompile(`^(libc|libm|libdl|libpthread|librt|libGL|libGLX|libGLdispatch|libX[A-Za-z0-9]*|libxcb[a-z0-9-]*|libbsd|libmd|libgcc_s|ld-linux-x86-64)\.so`)

// TestBinaryNeedsOnlyADesktopsLibraries: built as the Makefile builds, with OnAir's static FFmpeg,
// the binary needs nothing a desktop lacks; built on the system's FFmpeg, it does not need
// libavdevice and libavfilter, which go-astiav links but OnAir never calls (76 more libraries at
// every start). This test binary is linked like bin/onair and from the same packages, so a new
// library dependency, or a lost link flag, shows here too.
func TestBinaryNeedsOnlyADesktopsLibraries(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads an ELF binary")
	}
	if !strings.Contains(os.Getenv("CGO_LDFLAGS"), "--as-needed") {
		t.Skip("not built by make: a plain go build links every FFmpeg library (see the Makefile)")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	needed, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("needs %v", needed)
	static := os.Getenv("ONAIR_FFMPEG_PREFIX") != ""
	sawCodec := false
	for _, lib := range needed {
		switch {
		case strings.HasPrefix(lib, "libavdevice.") || strings.HasPrefix(lib, "libavfilter."):
			t.Errorf("%s is needed: something calls it, or the Makefile's CGO_LDFLAGS were not used", lib)
		case strings.HasPrefix(lib, "libavcodec."):
			sawCodec = true
			if static {
				t.Errorf("%s is needed, yet OnAir's static FFmpeg should be linked in", lib)
			}
		case static && !desktopLibrary.MatchString(lib):
			t.Errorf("%s is needed: a desktop may not have it, so the release would not start there", lib)
		}
	}
	if !static && !sawCodec {
		t.Error("libavcodec is not needed, yet this build uses the system's FFmpeg: this test cannot see what FFmpeg brings")
	}
}
