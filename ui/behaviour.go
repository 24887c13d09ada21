package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"onair/broadcast"
)

// Labels of the sources that are always there.
const (
	optTestPattern = "Test pattern"
	optVideoFile   = "Video file…"
	optTestTone    = "Test tone"
	optNoSound     = "No sound"
)

// showStats shows one snapshot; it runs inside fyne.Do.
func (w *Window) showStats(st broadcast.Stats) {
	switch st.State {
	case broadcast.StateConnecting:
		w.status.Set("Connecting…")
	case broadcast.StateLive:
		up := time.Duration(st.UptimeS * float64(time.Second))
		w.status.Set(fmt.Sprintf("● LIVE %02d:%02d:%02d", int(up.Hours()), int(up.Minutes())%60, int(up.Seconds())%60))
		w.retryNow.Hide()
	case broadcast.StateReconnecting:
		w.status.Set(fmt.Sprintf("Connection lost: %s Reconnecting in %.0f s (attempt %d)…", st.Error, st.RetryInS, st.Attempt))
		w.retryNow.Show()
	}
	if st.State != broadcast.StateLive && st.State != broadcast.StateReconnecting {
		w.retryNow.Hide()
	}
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
	w.dropped.Set(fmt.Sprintf("%d (%.1f %%)", st.FramesDropped, pct))
	fps := fmt.Sprintf("%.0f", st.FPS)
	if chosen, err := strconv.Atoi(w.fpsSel.Selected); err == nil && st.EncodeFPS > 0 && st.EncodeFPS < float64(chosen) {
		fps += " (halved for sharpness)"
	}
	w.fps.Set(fps)
	switch {
	case st.State == broadcast.StateReconnecting || st.QueueMS > 500:
		w.light.FillColor = colBad
	case st.QueueMS > 150:
		w.light.FillColor = colSoSo
	case st.State == broadcast.StateLive:
		w.light.FillColor = colGood
	default:
		w.light.FillColor = colGrid
	}
	w.light.Refresh()
	if !st.Final && (st.State == broadcast.StateLive || st.State == broadcast.StateReconnecting) {
		w.graph.Add(st.SentKbps, float64(st.TargetKbps), st.FramesDropped > w.lastDrops)
		w.lastDrops = st.FramesDropped
	}
	if st.Final && st.State == broadcast.StateFailed {
		w.showError(st.Error, st.ErrorDetail)
	} else if st.Final {
		w.status.Set("Stream ended.")
	}
}

// ended returns the window to its idle state; it runs inside fyne.Do.
func (w *Window) ended(report string) {
	w.goLive.SetText("Go Live")
	w.goLive.Importance = widget.HighImportance
	w.goLive.Enable()
	w.retryNow.Hide()
	w.setEditable(true)
	if report != "" {
		dialog.ShowInformation("Local test", report, w.win)
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

func (w *Window) setEditable(on bool) {
	for _, s := range []*widget.Select{w.videoSel, w.audioSel, w.presetSel, w.sizeSel, w.fpsSel} {
		if on {
			s.Enable()
		} else {
			s.Disable()
		}
	}
	for _, e := range []*widget.Entry{w.server, w.key} {
		if on && (e != w.server || w.preset.ServerEditable) {
			e.Enable()
		} else {
			e.Disable()
		}
	}
}

// presetChanged fills the server, the hint and the quality from the preset.
func (w *Window) presetChanged(name string) {
	for _, p := range w.presets {
		if p.Name == name {
			w.preset = p
		}
	}
	p := w.preset
	w.about.SetText(p.About)
	saved := prefs(w.app).String(prefServer + p.ID)
	switch {
	case p.ServerEditable && saved != "":
		w.server.SetText(saved)
	case p.ID == "local":
		w.server.SetText("inside OnAir, on this computer")
	default:
		w.server.SetText(p.DefaultServer())
	}
	w.server.SetPlaceHolder(p.ServerHint)
	if p.ServerEditable {
		w.server.Enable()
	} else {
		w.server.Disable()
	}
	if p.KeyRequired || p.ID == "custom" {
		w.key.Enable()
		if k, err := w.keys.Get(p.ID); err == nil && k != "" {
			w.key.SetText(k)
			w.remember.SetChecked(true)
		} else {
			w.key.SetText("")
		}
	} else {
		w.key.SetText("")
		w.key.Disable()
	}
	w.sizeSel.Options = p.Sizes
	if !contains(p.Sizes, w.sizeSel.Selected) {
		w.sizeSel.SetSelected("1280x720")
	}
	w.sizeSel.Refresh()
	saved = prefs(w.app).String(prefBitrate + p.ID)
	if saved == "" {
		saved = strconv.Itoa(p.DefaultVideoKbps)
	}
	w.bitrate.SetText(saved)
	w.qualityChanged()
}

// qualityChanged caps the bitrate at the preset's limit for the size and rate, and says so.
func (w *Window) qualityChanged() {
	if w.preset.ID == "" || w.sizeSel == nil {
		return
	}
	cfg := w.config()
	limit := w.preset.VideoLimit(cfg.Width, cfg.Height, cfg.FPS)
	switch {
	case cfg.VideoKbps > limit:
		w.bitrate.SetText(strconv.Itoa(limit)) // calls back here; the note below is the last word
		w.quality.SetText(fmt.Sprintf("%s takes at most %d kb/s here: lowered from %d.", w.preset.Name, limit, cfg.VideoKbps))
	case cfg.VideoKbps > 0 && cfg.VideoKbps < 300:
		w.quality.SetText("Below 300 kb/s the picture will be very soft.")
	default:
		w.quality.SetText(fmt.Sprintf("Recommended: %d kb/s (up to %d). OnAir lowers it by itself when your connection is slow.", w.preset.DefaultVideoKbps, limit))
	}
	if l := w.current(); l != nil && cfg.VideoKbps > 0 {
		l.SetBitrate(cfg.VideoKbps) // a manual change while live is the new ceiling at once
	}
}

// listSources fills the source pickers from the devices.
func (w *Window) listSources() {
	w.videos = map[string]string{optTestPattern: "test"}
	w.audios = map[string]string{optTestTone: "test", optNoSound: "none"}
	var vopts, aopts []string
	cameras := 0
	for _, d := range w.eng.Devices() {
		switch d.Kind {
		case broadcast.Camera:
			vopts = append(vopts, d.Label)
			w.videos[d.Label] = "camera:" + d.ID
			cameras++
		case broadcast.Screen:
			label := "Screen: " + d.Label
			vopts = append(vopts, label)
			w.videos[label] = "screen:" + d.ID
		case broadcast.Microphone:
			aopts = append(aopts, d.Label)
			w.audios[d.Label] = "mic:" + d.ID
		}
	}
	vopts = append(vopts, optTestPattern, optVideoFile)
	aopts = append(aopts, optTestTone, optNoSound)
	w.videoSel.Options, w.audioSel.Options = vopts, aopts
	if cameras == 0 {
		w.noCamera.SetText("No camera found: showing the test pattern. Plug one in and restart OnAir, or share your screen or a video file.")
		w.noCamera.Show()
	} else {
		w.noCamera.Hide()
	}
}

// sourcesChanged restarts the preview; "Video file…" asks for the file first.
func (w *Window) sourcesChanged() {
	if w.videos == nil {
		return
	}
	if w.videoSel.Selected == optVideoFile && w.filePath == "" {
		d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				w.videoSel.SetSelected(optTestPattern)
				return
			}
			w.filePath = r.URI().Path()
			r.Close()
			w.videos[optVideoFile] = "file:" + w.filePath
			w.sourcesChanged()
		}, w.win)
		d.Show()
		return
	}
	if w.current() == nil {
		w.startPreview()
	}
}

func (w *Window) startPreview() {
	w.stopPreview()
	cfg := w.config()
	cfg.Preset, cfg.Server, cfg.Key = "local", "", ""
	p, err := w.eng.Preview(cfg)
	if err != nil {
		words, detail := broadcast.Explain(err)
		w.showError(words, detail)
		return
	}
	w.mu.Lock()
	w.previewer = p
	w.mu.Unlock()
}

func (w *Window) stopPreview() {
	w.mu.Lock()
	p := w.previewer
	w.previewer = nil
	w.mu.Unlock()
	if p != nil {
		p.Stop()
	}
}

// load restores the settings of the last run.
func (w *Window) load() {
	p := prefs(w.app)
	w.listSources()
	w.fpsSel.SetSelected(strconv.Itoa(p.IntWithFallback(prefFPS, 30)))
	w.remember.SetChecked(p.Bool(prefRemember))
	name := w.presets[0].Name
	for _, pr := range w.presets {
		if pr.ID == p.String(prefPreset) {
			name = pr.Name
		}
	}
	w.presetSel.SetSelected(name) // sets the sizes the preset offers
	w.sizeSel.SetSelected(p.StringWithFallback(prefSize, "1280x720"))
	videos, audios := w.videos, w.audios
	w.videos = nil // no preview while restoring
	w.videoSel.SetSelected(pick(w.videoSel.Options, p.String(prefVideo), optTestPattern, videos))
	w.audioSel.SetSelected(pick(w.audioSel.Options, p.String(prefAudio), optTestTone, audios))
	w.videos, w.audios = videos, audios
	w.startPreview()
}

// pick returns the option whose spec was saved, else the first camera or microphone, else the
// fallback (the test pattern or tone: a screen is never picked unasked).
func pick(options []string, savedSpec, fallback string, specs map[string]string) string {
	for _, o := range options {
		if specs[o] == savedSpec && savedSpec != "" {
			return o
		}
	}
	for _, o := range options {
		if strings.HasPrefix(specs[o], "camera:") || strings.HasPrefix(specs[o], "mic:") {
			return o
		}
	}
	return fallback
}

// save remembers the settings, and the key only if asked, in the keyring.
func (w *Window) save() {
	p := prefs(w.app)
	p.SetString(prefPreset, w.preset.ID)
	if w.preset.ServerEditable {
		p.SetString(prefServer+w.preset.ID, strings.TrimSpace(w.server.Text))
	}
	if spec := w.videos[w.videoSel.Selected]; !strings.HasPrefix(spec, "file:") {
		p.SetString(prefVideo, spec)
	}
	p.SetString(prefAudio, w.audios[w.audioSel.Selected])
	p.SetString(prefSize, w.sizeSel.Selected)
	if n, err := strconv.Atoi(w.fpsSel.Selected); err == nil {
		p.SetInt(prefFPS, n)
	}
	p.SetString(prefBitrate+w.preset.ID, strings.TrimSpace(w.bitrate.Text))
	p.SetBool(prefRemember, w.remember.Checked)
	key := strings.TrimSpace(w.key.Text)
	switch {
	case w.remember.Checked && key != "":
		if err := w.keys.Set(w.preset.ID, key); err != nil {
			dialog.ShowInformation("Key not remembered",
				"The system keyring is not available, so OnAir will not remember your stream key (it never stores it in plain text).", w.win)
		}
	case !w.remember.Checked:
		_ = w.keys.Delete(w.preset.ID)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
