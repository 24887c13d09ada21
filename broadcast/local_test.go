package broadcast

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Local test recordings hold the user's camera and microphone: a private folder, private files,
// a new name each time even within one second.
func TestLocalTestRecordingsArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "onair", "local-tests")
	var paths []string
	for i := 0; i < 2; i++ {
		s, err := Start(context.Background(), Config{Preset: "local", Video: "test", Audio: "test", Width: 320, Height: 180, FPS: 30, LocalTestDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
		s.Stop()
		paths = append(paths, s.LocalTestReport().Path)
	}
	if paths[0] == paths[1] {
		t.Fatalf("two Local tests share %s", paths[0])
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("folder %s: %v, %v; want 0700", dir, info.Mode(), err)
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil || info.Mode().Perm() != 0o600 || filepath.Dir(p) != dir {
			t.Fatalf("recording %s: %v, %v; want 0600 in %s", p, info.Mode(), err, dir)
		}
	}
}

// Only the newest recordings are kept, and none older than a week.
func TestOldLocalTestsAreRemoved(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	for i := 0; i < 12; i++ { // one a day, the newest first
		p := filepath.Join(dir, fmt.Sprintf("%s%02d.flv", localTestPrefix, i))
		os.WriteFile(p, nil, 0o600)
		mod := now.Add(-time.Duration(i)*24*time.Hour - time.Hour)
		os.Chtimes(p, mod, mod)
	}
	other := filepath.Join(dir, "mine.flv")
	os.WriteFile(other, nil, 0o600)
	pruneLocalTests(dir, now, 9)
	left, _ := filepath.Glob(filepath.Join(dir, localTestPrefix+"*.flv"))
	if len(left) != 7 { // days 0 to 6: within a week, and fewer than nine
		t.Fatalf("%d recordings left: %v", len(left), left)
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatal("a file that is not a Local test recording was removed")
	}
}
