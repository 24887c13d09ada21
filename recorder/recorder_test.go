package recorder

import (
	"errors"
	"os"
	"syscall"
	"testing"
)

// A write failure is told in the words a user reads: what happened to the disk.
func TestWriteFailuresInWords(t *testing.T) {
	for _, c := range []struct {
		err  error
		want error
	}{
		{&os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}, ErrDiskFull},
		{&os.PathError{Op: "write", Path: "x", Err: syscall.EIO}, ErrDiskGone},
		{&os.PathError{Op: "write", Path: "x", Err: syscall.EPERM}, ErrWriteFail},
	} {
		r := &Recorder{writeErr: c.err}
		if got := r.explain(errors.New("ffmpeg: I/O error")); !errors.Is(got, c.want) {
			t.Errorf("%v: %v, want %v", c.err, got, c.want)
		}
	}
	if (&Recorder{}).explain(nil) != nil {
		t.Error("no error made one")
	}
}

// Nothing to record is refused before a file is made.
func TestNothingToRecord(t *testing.T) {
	path := t.TempDir() + "/none.mkv"
	if _, err := Start(Config{Path: path}); err == nil {
		t.Fatal("a recording without streams started")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("a file was left behind")
	}
}
