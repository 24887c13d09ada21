package broadcast

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"onair/broadcast/localtest"
)

// LocalReport is what the Local test receiver found.
type LocalReport = localtest.Report

// startLocalTest starts the receiver inside OnAir; the recording goes to dir (default: the temp
// directory).
func (s *Session) startLocalTest() error {
	dir := s.plan.LocalTestDir
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("onair-local-test-%s.flv", time.Now().Format("20060102-150405")))
	r, err := localtest.Start(path, s.log)
	if err != nil {
		return err
	}
	s.recv = r
	s.plan.serverName = r.URL
	return nil
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
