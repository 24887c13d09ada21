package testpeer

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// StartXvfb starts a private X display with one screen of the given geometry ("1280x800x24") and
// returns its name (":N"); extra arguments go to Xvfb (as "-wr", a white root window). It stops
// when the test ends.
func StartXvfb(t testing.TB, geometry string, extra ...string) string {
	t.Helper()
	Require(t, "Xvfb", "xvfb")
	// -displayfd: Xvfb picks a free display and writes its number once it is ready.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-displayfd", "3", "-screen", "0", geometry, "-nolisten", "tcp"}, extra...)
	x := exec.Command("Xvfb", args...)
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { _ = x.Process.Kill(); _ = x.Wait() })
	var n int
	if _, err := fmt.Fscan(r, &n); err != nil {
		t.Fatalf("testpeer: Xvfb did not start: %v", err)
	}
	r.Close()
	return fmt.Sprintf(":%d", n)
}
