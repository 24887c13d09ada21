package broadcast

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"onair/encoder"
	"onair/recorder"
)

// Recording states in the stats.
const (
	RecordingOn      = "recording"
	RecordingStopped = "stopped"
	RecordingFailed  = "failed"
)

// LowDiskSpace is the free space under which the window warns before recording.
const LowDiskSpace = 1 << 30

// RecordingsFolder is where recordings go: $XDG_VIDEOS_DIR/OnAir (also as set in
// ~/.config/user-dirs.dirs), else ~/Videos/OnAir.
func RecordingsFolder() string {
	videos := os.Getenv("XDG_VIDEOS_DIR")
	home, _ := os.UserHomeDir()
	if videos == "" {
		videos = userDir(home, "XDG_VIDEOS_DIR")
	}
	if videos == "" {
		videos = filepath.Join(home, "Videos")
	}
	return filepath.Join(videos, "OnAir")
}

// userDir reads one entry of the desktop's user-dirs.dirs ("" when it has none).
func userDir(home, name string) string {
	config := os.Getenv("XDG_CONFIG_HOME")
	if config == "" {
		config = filepath.Join(home, ".config")
	}
	f, err := os.Open(filepath.Join(config, "user-dirs.dirs"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if ok && k == name {
			return strings.ReplaceAll(strings.Trim(v, `"`), "$HOME", home)
		}
	}
	return ""
}

// NewRecordingPath names a new recording in RecordingsFolder by the date and time.
func NewRecordingPath(now time.Time) string {
	return filepath.Join(RecordingsFolder(), "OnAir "+now.Format("2006-01-02 15-04-05")+".mkv")
}

// FreeSpace is how many bytes the disk holding dir has free for the user.
func FreeSpace(dir string) (int64, error) {
	for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) { // the nearest folder that exists
		if _, err := os.Stat(dir); err == nil {
			break
		}
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * st.Bsize, nil
}

// StartRecording records what the session sends to path (a new file) from the next keyframe on,
// while the stream goes on. A failure to record never ends the stream.
func (s *Session) StartRecording(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("the recording cannot go to %s: %w", filepath.Dir(path), err)
	}
	cfg := recorder.Config{Path: path, Logger: s.log}
	var full *encoder.Video
	if s.venc != nil {
		if s.plan.RecordFullQuality && !s.plan.RecordOnly {
			var err error
			if full, err = s.newVideoEncoder(); err != nil {
				return fmt.Errorf("the recording's own encoder could not start: %w", err)
			}
			cfg.Width, cfg.Height, cfg.VideoConfig = s.plan.Width, s.plan.Height, full.Config()
		} else {
			cfg.Width, cfg.Height, cfg.VideoConfig = s.holdSize()
		}
	}
	if s.aenc != nil {
		info := s.src.audio.Info()
		cfg.SampleRate, cfg.Channels, cfg.AudioConfig = info.SampleRate, min(2, info.Channels), s.aenc.Config()
	}
	r, err := recorder.Start(cfg)
	if err != nil {
		if full != nil {
			full.Close()
		}
		if s.rec.Load() == nil || s.fullQuality.Load() != nil {
			s.releaseSize()
		}
		return err
	}
	s.stopRecording(false)
	s.mu.Lock()
	s.recEnded = nil
	s.mu.Unlock()
	s.rec.Store(r)
	if full != nil {
		s.fullQualityDone = make(chan struct{})
		go func(done chan struct{}) {
			defer close(done)
			for p := range full.Packets() {
				r.Write(recorder.Packet{Video: true, Keyframe: p.Keyframe, PTS: p.PTS, DTS: p.DTS, Data: p.Data})
				p.Release()
			}
		}(s.fullQualityDone)
		s.fullQuality.Store(full)
		s.releaseSize() // the recording has its own encoder at the chosen size
	}
	if s.venc != nil && s.venc.Stats().Encoded > 0 {
		s.venc.ForceKeyframe() // the file starts on a keyframe: no need to wait for the next one
	}
	s.log.Info("recording", "path", path)
	return nil
}

// StopRecording finishes the recording, if one runs; the stream goes on.
func (s *Session) StopRecording() { s.stopRecording(true) }

// stopRecording finishes the recording; release lets the picture's size follow the link again.
func (s *Session) stopRecording(release bool) {
	if release {
		defer s.releaseSize()
	}
	if full := s.fullQuality.Swap(nil); full != nil {
		full.Close() // flushes its last packets into the recording
		<-s.fullQualityDone
	}
	r := s.rec.Swap(nil)
	if r == nil {
		return
	}
	err := r.Close()
	s.mu.Lock()
	s.recEnded = &recordingEnd{path: r.Path(), bytes: r.Bytes(), err: err}
	s.mu.Unlock()
}

// recordingEnd is what the stats keep of a recording that ended.
type recordingEnd struct {
	path  string
	bytes int64
	err   error
}

// record hands a packet the stream sends to the recording (its video only when the recording has
// no encoder of its own).
func (s *Session) record(p packet) {
	if p.video && s.fullQuality.Load() != nil {
		return
	}
	if r := s.rec.Load(); r != nil {
		r.Write(recorder.Packet{Video: p.video, Keyframe: p.Keyframe, PTS: p.PTS, DTS: p.DTS, Data: p.Data, Config: p.Config})
	}
}

// recordingStats fills the recording's part of a snapshot.
func (s *Session) recordingStats(st *Stats) {
	r := s.rec.Load()
	s.mu.Lock()
	ended := s.recEnded
	s.mu.Unlock()
	switch {
	case r != nil:
		st.RecordingPath, st.RecordingBytes = r.Path(), r.Bytes()
		st.RecordingS = time.Since(r.Since()).Seconds()
		st.RecordingState = RecordingOn
		if err := r.Err(); err != nil {
			st.RecordingState, st.RecordingError = RecordingFailed, recordingWords(err)
		}
	case ended != nil:
		st.RecordingPath, st.RecordingBytes, st.RecordingState = ended.path, ended.bytes, RecordingStopped
		if ended.err != nil {
			st.RecordingState, st.RecordingError = RecordingFailed, recordingWords(ended.err)
		}
	}
}

// recordingWords says why a recording stopped, and that the stream goes on.
func recordingWords(err error) string {
	for _, k := range []error{recorder.ErrDiskFull, recorder.ErrDiskGone, recorder.ErrTooSlow} {
		if errors.Is(err, k) {
			return "Recording stopped: " + k.Error() + "; the stream goes on."
		}
	}
	return "Recording stopped: " + recorder.ErrWriteFail.Error() + "; the stream goes on."
}

// holdSize keeps the picture's size as it is now while a recording holds the stream's own video,
// and returns it with its configuration.
func (s *Session) holdSize() (w, h int, config []byte) {
	s.ctlMu.Lock()
	defer s.ctlMu.Unlock()
	w, h, config = s.venc.HoldSize()
	s.size, s.sizeHeld = image.Pt(w, h), true
	return w, h, config
}

// releaseSize lets the picture's size follow the link again.
func (s *Session) releaseSize() {
	s.ctlMu.Lock()
	defer s.ctlMu.Unlock()
	if s.sizeHeld {
		s.sizeHeld = false
		if s.setRate != nil {
			s.setRate(s.sharedRate, s.sharedLevel)
		}
	}
}
