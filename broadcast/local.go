package broadcast

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"onair/broadcast/localtest"
)

// LocalReport is what the Local test receiver found.
type LocalReport = localtest.Report

// Local test recordings hold the user's camera and microphone: they are kept private, and only
// the recent ones are kept.
const (
	localTestPrefix = "local-test-"
	localTestKeep   = 10
	localTestMaxAge = 7 * 24 * time.Hour
)

// LocalTestFolder is where the Local test keeps what it received: a folder only the user can
// read, under the user's data folder ($XDG_DATA_HOME/onair/local-tests, else
// ~/.local/share/onair/local-tests).
func LocalTestFolder() string {
	data := os.Getenv("XDG_DATA_HOME")
	if data == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return filepath.Join(os.TempDir(), "onair-local-tests")
		}
		data = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(data, "onair", "local-tests")
}

// startLocalTest starts the receiver inside OnAir, recording into a new private file.
func (s *Session) startLocalTest() (*localtest.Receiver, error) {
	dir := s.plan.LocalTestDir
	if dir == "" {
		dir = LocalTestFolder()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("the Local test cannot keep its recording in %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("the Local test cannot make %s private: %w", dir, err)
	}
	pruneLocalTests(dir, time.Now(), localTestKeep-1)
	f, err := os.CreateTemp(dir, localTestPrefix+time.Now().Format("20060102-150405")+"-*.flv") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("the Local test cannot create its recording in %s: %w", dir, err)
	}
	path := f.Name()
	f.Close()
	r, err := localtest.Start(path, s.log)
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	return r, nil
}

// pruneLocalTests removes recordings older than localTestMaxAge, and all but the newest keep.
func pruneLocalTests(dir string, now time.Time, keep int) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type rec struct {
		path string
		mod  time.Time
	}
	var recs []rec
	for _, e := range entries {
		if e.IsDir() || !strings.HasPrefix(e.Name(), localTestPrefix) || !strings.HasSuffix(e.Name(), ".flv") {
			continue
		}
		if info, err := e.Info(); err == nil {
			recs = append(recs, rec{filepath.Join(dir, e.Name()), info.ModTime()})
		}
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].mod.After(recs[j].mod) })
	for i, r := range recs {
		if i >= keep || now.Sub(r.mod) > localTestMaxAge {
			os.Remove(r.path)
		}
	}
}

// LocalTestReport returns the receiver's findings once the session has ended (nil for other
// destinations, or before the end).
func (s *Session) LocalTestReport() *LocalReport {
	if s.recv == nil {
		return nil
	}
	select {
	case <-s.senderDone:
	default:
		return nil
	}
	rep := s.recv.Report(localtest.Expect{
		Video: s.venc != nil, Audio: s.aenc != nil, Width: s.plan.Width, Height: s.plan.Height,
		FPS: s.plan.FPS, KeyframeSeconds: s.plan.Keyframe,
	})
	return &rep
}

// Report is the Local test receiver's report as text, for the end of `onair stream --preset
// local`; "" for other destinations.
func (s *Session) Report() string {
	if r := s.LocalTestReport(); r != nil {
		return r.String()
	}
	return ""
}
