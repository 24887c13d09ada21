package ui

import (
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"onair/broadcast"
)

// recordTapped starts or stops a recording: on the live stream, or alone (recording only) when
// nothing is live.
func (w *Window) recordTapped() {
	l := w.current()
	switch {
	case l != nil && w.recordingNow && w.recordOnly:
		w.record.Disable()
		go l.Stop()
	case l != nil && w.recordingNow:
		w.record.Disable()
		w.bg.run(func() {
			l.StopRecording()
			w.do(func() { w.recordingNow = false; w.showRecordButton() })
		})
	default:
		w.askDiskSpace(func() { w.startRecording(l) })
	}
}

// askDiskSpace warns before recording onto a disk with little room left.
func (w *Window) askDiskSpace(then func()) {
	free, err := broadcast.FreeSpace(broadcast.RecordingsFolder())
	if err != nil || free >= broadcast.LowDiskSpace {
		then()
		return
	}
	w.ask("Little room on the disk",
		fmt.Sprintf("Only %.0f MB are free where recordings go (%s): a recording may stop early. The stream is not affected. Record anyway?",
			float64(free)/(1<<20), broadcast.RecordingsFolder()), then)
}

// startRecording records the live stream l, or, with none, starts a session that only records.
func (w *Window) startRecording(l Live) {
	path := broadcast.NewRecordingPath(time.Now())
	if l == nil {
		cfg := w.config()
		cfg.RecordOnly, cfg.RecordPath = true, path
		w.recordOnly, w.recordingNow, w.liveDests = true, true, nil
		w.showRecordButton()
		w.startSession(cfg)
		return
	}
	w.record.Disable()
	w.bg.run(func() {
		err := l.StartRecording(path)
		w.do(func() {
			if err != nil {
				words, detail := broadcast.Explain(err)
				w.recording.SetText(words + " " + detail)
			} else {
				w.recordingNow = true
			}
			w.showRecordButton()
		})
	})
}

// showRecordButton makes the Record button say what pressing it does.
func (w *Window) showRecordButton() {
	if w.recordingNow {
		w.record.SetText("■ Stop recording")
	} else {
		w.record.SetText("● Record")
	}
	w.record.Enable()
}

// showRecording puts the recording's progress, or why it stopped, under the buttons.
func (w *Window) showRecording(st broadcast.Stats) {
	name := filepath.Base(st.RecordingPath)
	switch st.RecordingState {
	case broadcast.RecordingOn:
		d := time.Duration(st.RecordingS * float64(time.Second))
		w.recording.SetText(fmt.Sprintf("● Recording %02d:%02d:%02d · %.1f MB · %s", int(d.Hours()), int(d.Minutes())%60,
			int(d.Seconds())%60, float64(st.RecordingBytes)/(1<<20), name))
		w.recordFolder.Show()
	case broadcast.RecordingFailed:
		w.recording.SetText(st.RecordingError)
		w.recordingNow = false
		w.showRecordButton()
	case broadcast.RecordingStopped:
		w.recording.SetText(fmt.Sprintf("Recording saved: %s (%.1f MB)", name, float64(st.RecordingBytes)/(1<<20)))
		w.recordFolder.Show()
	}
}

// openFolder shows a folder in the desktop's file manager.
func (w *Window) openFolder(dir string) {
	if u, err := url.Parse("file://" + dir); err == nil {
		_ = w.app.OpenURL(u)
	}
}
