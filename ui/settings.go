package ui

import (
	"fmt"
	"strconv"

	"fyne.io/fyne/v2/widget"

	"onair/broadcast"
)

// The settings form: platform, server, key and quality, and what is editable while live.

func (w *Window) setEditable(on bool) {
	for _, s := range []*widget.Select{w.videoSel, w.scene.second, w.audioSel, w.audio2Sel, w.presetSel, w.sizeSel, w.fpsSel} {
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
	w.dests.setEditable(on)
	for _, c := range []*widget.Check{w.recordFull, w.keepTrying} { // chosen with the session
		if on {
			c.Enable()
		} else {
			c.Disable()
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
	if w.current() == nil && w.details != nil { // an error about the last platform no longer holds
		w.status.Set(readyText)
		w.details.Hide()
	}
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
		w.key.SetText("")
		id := p.ID
		w.bg.run(func() { // a locked keyring may ask for a password and wait
			k, err := w.keys.Get(id)
			if err != nil || k == "" {
				return
			}
			w.do(func() {
				if w.preset.ID == id && w.key.Text == "" {
					w.key.SetText(k)
					w.remember.SetChecked(true)
				}
			})
		})
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
	if err := w.bitrate.Validate(); err != nil {
		w.quality.SetText(sentence(err.Error()) + ".")
		return
	}
	switch {
	case cfg.VideoKbps > limit:
		w.bitrate.SetText(strconv.Itoa(limit)) // calls back here; the note below is the last word
		w.quality.SetText(fmt.Sprintf("%s takes at most %d kb/s here: lowered from %d.", w.preset.Name, limit, cfg.VideoKbps))
	case cfg.VideoKbps > 0 && cfg.VideoKbps < 300:
		w.quality.SetText("Below 300 kb/s the picture will be very soft.")
	default:
		w.quality.SetText(fmt.Sprintf("Recommended: %d kb/s (up to %d). OnAir lowers it by itself when your connection is slow.", w.preset.DefaultVideoKbps, limit))
	}
	w.noteSharedLimits(cfg)
}

// noteSharedLimits says when another destination lowers what every destination gets: one encode
// serves all, within every platform's limits.
func (w *Window) noteSharedLimits(cfg broadcast.Config) {
	if len(cfg.Also) == 0 || cfg.VideoKbps == 0 {
		return
	}
	for _, d := range cfg.Also {
		p, err := broadcast.FindPreset(d.Preset)
		if err != nil {
			continue
		}
		if limit := p.VideoLimit(cfg.Width, cfg.Height, cfg.FPS); limit < cfg.VideoKbps {
			w.quality.SetText(fmt.Sprintf("%s takes at most %d kb/s: every destination gets %d kb/s, since one stream serves all.", p.Name, limit, limit))
			return
		}
	}
}

// bitrateDone applies a bitrate the user has finished typing: while live it is the new ceiling.
func (w *Window) bitrateDone(kbps int) {
	if l := w.current(); l != nil {
		l.SetBitrate(kbps)
	}
}

// readyText is the status line when nothing is live and nothing went wrong.
const readyText = "Ready. Pick where to stream and press Go Live."

// giveUpAfter is how many failed reconnect attempts in a row end the stream when the user chose
// not to keep trying.
const giveUpAfter = 10
