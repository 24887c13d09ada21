package ui

import (
	"fmt"
	"onair/broadcast"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2/widget"
)

// What the status line, the buttons and the graph show of a running session.

// showStats shows one snapshot; it runs inside fyne.Do.
func (w *Window) showStats(st broadcast.Stats) {
	switch st.State {
	case broadcast.StateConnecting:
		w.status.Set("Connecting…")
	case broadcast.StateLive:
		up := time.Duration(st.UptimeS * float64(time.Second))
		line := fmt.Sprintf("● LIVE %02d:%02d:%02d", int(up.Hours()), int(up.Minutes())%60, int(up.Seconds())%60)
		for _, d := range st.LostDevices {
			if strings.HasPrefix(d, "video file") {
				line += fmt.Sprintf(" · Your %s has ended: viewers see “Be right back” until you stop.", d)
			} else {
				line += fmt.Sprintf(" · Your %s stopped: viewers see “Be right back” (or hear silence) until it returns.", d)
			}
		}
		w.status.Set(line)
		w.retryNow.Hide()
	case broadcast.StateReconnecting:
		if st.UptimeS == 0 { // never connected: nothing was lost
			w.status.Set(fmt.Sprintf("No answer from the server yet: %s Trying again in %.0f s (attempt %d)…", st.Error, st.RetryInS, st.Attempt))
		} else {
			w.status.Set(fmt.Sprintf("Connection lost: %s Reconnecting in %.0f s (attempt %d)…", st.Error, st.RetryInS, st.Attempt))
		}
		w.retryNow.Show()
	case broadcast.StateRecording:
		up := time.Duration(st.T * float64(time.Second))
		w.status.Set(fmt.Sprintf("● RECORDING (not streaming) %02d:%02d:%02d", int(up.Hours()), int(up.Minutes())%60, int(up.Seconds())%60))
	case broadcast.StateFailed:
		if !st.Final && len(st.Destinations) > 1 { // the first failed; the others go on
			w.status.Set(fmt.Sprintf("Streaming to %s failed: %s The other destinations go on.", st.Destinations[0].Name, st.Error))
		}
	case broadcast.StateWaitingNetwork:
		w.status.Set(fmt.Sprintf("Waiting for the network: %s Trying again in %.0f s (attempt %d)…", st.Error, st.RetryInS, st.Attempt))
		w.retryNow.Show()
	}
	offline := st.State == broadcast.StateReconnecting || st.State == broadcast.StateWaitingNetwork
	if st.State != broadcast.StateLive && !offline {
		w.retryNow.Hide()
	}
	w.showRecording(st)
	if st.Error != "" {
		w.lastError = st.Error
		if st.ErrorDetail != "" {
			w.lastError += "\n\n" + st.ErrorDetail
		}
	}
	w.sent.Set(fmt.Sprintf("%.0f kb/s", st.SentKbps))
	w.target.Set(fmt.Sprintf("%d kb/s", st.TargetKbps))
	total := st.FramesSent + st.FramesDropped
	pct := 0.0
	if total > 0 {
		pct = float64(st.FramesDropped) / float64(total) * 100
	}
	w.dropped.Set(fmt.Sprintf("%d (%.1f %%) · last minute %d", st.FramesDropped, pct, w.droppedLastMinute(st)))
	w.fps.Set(fmt.Sprintf("%.0f", st.FPS) + w.slowLinkWords(st))
	switch {
	case offline:
		w.light.FillColor, w.lightWords.Text = colBad, "Connection: lost"
	case st.QueueMS > 500:
		w.light.FillColor, w.lightWords.Text = colBad, "Connection: too slow, frames are dropped"
	case st.QueueMS > 150:
		w.light.FillColor, w.lightWords.Text = colSoSo, "Connection: slow, the bitrate is lowered"
	case st.State == broadcast.StateLive:
		w.light.FillColor, w.lightWords.Text = colGood, "Connection: good"
	default:
		w.light.FillColor, w.lightWords.Text = colGrid, "Connection: not live"
	}
	w.lightWords.Refresh()
	w.light.Refresh()
	w.dests.showLive(st, w.liveDests)
	if !st.Final && (st.State == broadcast.StateLive || offline || len(st.Destinations) > 1) {
		var others []float64
		for i := 1; i < len(st.Destinations); i++ {
			others = append(others, st.Destinations[i].SentKbps)
		}
		w.graph.Add(st.SentKbps, float64(st.TargetKbps), st.FramesDropped > w.lastDrops, others...)
		w.lastDrops = st.FramesDropped
	}
	if st.Final && st.State == broadcast.StateFailed {
		w.showError(st.Error, st.ErrorDetail)
	} else if st.Final && st.Ended != "" {
		w.status.Set(sentence(st.Ended) + ": the stream stopped.")
	} else if st.Final {
		w.status.Set("Stream ended.")
	}
}

// ended returns the window to its idle state; it runs inside fyne.Do.
func (w *Window) ended(report *broadcast.LocalReport) {
	w.recordingNow, w.recordOnly = false, false
	w.showRecordButton()
	w.setMainButton("Go Live", widget.HighImportance)
	w.goLive.Enable()
	w.retryNow.Hide()
	w.setEditable(true)
	if report != nil {
		w.local.show(report)
	}
	w.startPreview()
}

// showError puts the error in words on the status line, with the details one click away.
func (w *Window) showError(words, detail string) {
	w.status.Set(words)
	w.lastError = words
	if detail != "" {
		w.lastError += "\n\n" + detail
		w.details.Show()
	} else {
		w.details.Hide()
	}
}

// sentence capitalises the first letter of s.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// dropMark is the dropped-frame count at one snapshot.
type dropMark struct {
	at      float64 // the snapshot's time, seconds into the session
	dropped uint64
}

// droppedLastMinute counts the frames dropped over the last minute, so that one outage long ago
// does not read as a stream that drops frames now.
func (w *Window) droppedLastMinute(st broadcast.Stats) uint64 {
	w.dropTimes = append(w.dropTimes, dropMark{st.T, st.FramesDropped})
	for len(w.dropTimes) > 1 && w.dropTimes[0].at < st.T-60 {
		w.dropTimes = w.dropTimes[1:]
	}
	return st.FramesDropped - w.dropTimes[0].dropped
}

// slowLinkWords says what a slow link made the stream give up: frames, picture size, sound.
func (w *Window) slowLinkWords(st broadcast.Stats) string {
	chosenFPS, err := strconv.Atoi(w.fpsSel.Selected)
	fewer := err == nil && st.EncodeFPS > 0 && st.EncodeFPS < float64(chosenFPS)
	var cw, ch int
	_, err = fmt.Sscanf(w.sizeSel.Selected, "%dx%d", &cw, &ch)
	smaller := err == nil && st.Height > 0 && st.Height < ch
	var words string
	switch {
	case fewer && smaller:
		words = fmt.Sprintf(" (lower resolution and fewer pictures while your connection is slow: %dx%d)", st.Width, st.Height)
	case smaller:
		words = fmt.Sprintf(" (lower resolution while your connection is slow: %dx%d)", st.Width, st.Height)
	case fewer:
		words = " (fewer pictures, each sharper, while your connection is slow)"
	default:
		return ""
	}
	if st.AudioKbps > 0 && st.AudioKbps < 96+1 {
		words += fmt.Sprintf(" · sound at %d kb/s", st.AudioKbps)
	}
	return words
}
