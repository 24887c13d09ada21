package ui

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"github.com/zalando/go-keyring"
)

// Preference keys: what the window remembers between runs. The stream key is not among them.
const (
	prefPreset     = "preset"
	prefServer     = "server."
	prefVideo      = "video"
	prefAudio      = "audio"
	prefSize       = "size"
	prefFPS        = "fps"
	prefBitrate    = "bitrate."
	prefRemember   = "remember_key"
	prefFileEnd    = "file_end"
	prefKeepTrying = "keep_trying"
	prefVideo2     = "video2"
	prefLayout     = "layout"
	prefAudio2     = "audio2"
	prefLevel      = "level." // the sounds' levels in dB: level.1, level.2
)

// keyringService names OnAir's entries in the OS keyring.
const keyringService = "OnAir stream key"

// KeyStore keeps stream keys, per preset, where the OS keeps secrets.
type KeyStore interface {
	Get(preset string) (string, error)
	Set(preset, key string) error
	Delete(preset string) error
}

// OSKeyring stores keys in the OS keyring (Secret Service on Linux).
type OSKeyring struct{}

// Get returns the remembered key, or "" if there is none.
func (OSKeyring) Get(preset string) (string, error) {
	k, err := keyring.Get(keyringService, preset)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", nil
	}
	return k, err
}

// Set remembers a key.
func (OSKeyring) Set(preset, key string) error { return keyring.Set(keyringService, preset, key) }

// Delete forgets a key.
func (OSKeyring) Delete(preset string) error {
	err := keyring.Delete(keyringService, preset)
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

func prefs(a fyne.App) fyne.Preferences { return a.Preferences() }

// load restores the settings of the last run.
func (w *Window) load() {
	p := prefs(w.app)
	w.listSources()
	w.fpsSel.SetSelected(strconv.Itoa(p.IntWithFallback(prefFPS, 30)))
	w.remember.SetChecked(p.Bool(prefRemember))
	w.keepTrying.SetChecked(p.BoolWithFallback(prefKeepTrying, true))
	if i := p.IntWithFallback(prefFileEnd, 0); i >= 0 && i < len(fileEnds) {
		w.fileEnd.SetSelectedIndex(i)
	}
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
	w.restoreScene(p.String(prefVideo2), p.String(prefLayout), videos)
	for o, spec := range audios {
		if spec == p.String(prefAudio2) && spec != "" && slices.Contains(w.audio2Sel.Options, o) {
			w.audio2Sel.SetSelected(o)
		}
	}
	w.level1.slider.SetValue(p.FloatWithFallback(prefLevel+"1", 0))
	w.level2.slider.SetValue(p.FloatWithFallback(prefLevel+"2", 0))
	w.videos, w.audios = videos, audios
	w.dests.load()
	w.showSceneControls()
	w.showSoundControls()
	w.showNoCamera()
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
	p.SetString(prefVideo2, w.secondPicture())
	p.SetString(prefLayout, w.sceneLayout().String())
	p.SetString(prefAudio2, w.secondSound())
	p.SetFloat(prefLevel+"1", w.level1.slider.Value)
	p.SetFloat(prefLevel+"2", w.level2.slider.Value)
	p.SetString(prefSize, w.sizeSel.Selected)
	if n, err := strconv.Atoi(w.fpsSel.Selected); err == nil {
		p.SetInt(prefFPS, n)
	}
	if kbps, ok := w.bitrate.Value(); ok { // never an invalid number
		p.SetString(prefBitrate+w.preset.ID, strconv.Itoa(kbps))
	}
	p.SetBool(prefRemember, w.remember.Checked)
	p.SetInt(prefFileEnd, w.fileEnd.SelectedIndex())
	p.SetBool(prefKeepTrying, w.keepTrying.Checked)
	key, id, remember := strings.TrimSpace(w.key.Text), w.preset.ID, w.remember.Checked
	w.bg.run(func() { // a locked keyring may ask for a password and wait
		switch {
		case remember && key != "":
			if err := w.keys.Set(id, key); err != nil {
				w.do(func() {
					w.tell("Key not remembered",
						"The system keyring is not available, so OnAir will not remember your stream key (it never stores it in plain text).")
				})
			}
		case !remember:
			_ = w.keys.Delete(id)
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
