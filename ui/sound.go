package ui

import (
	"fmt"
	"onair/broadcast"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// The sounds: the microphone and a second sound (the computer's own, say), each with its level
// and mute, mixed into the stream. Levels and mutes change live; the second sound is chosen before
// going live.

const optDesktopSound = "The computer's sound"

// soundLevel is one sound's level slider (dB) and mute.
type soundLevel struct {
	slider *widget.Slider
	mute   *widget.Check
	label  *widget.Label
	box    *fyne.Container
}

func (w *Window) newSoundLevel() *soundLevel {
	l := &soundLevel{label: widget.NewLabel("")}
	l.label.TextStyle.Monospace = true // its width stays: no new layout per step (ui/meter.go)
	l.slider = widget.NewSlider(-30, 12)
	l.slider.Step = 1
	l.slider.OnChanged = func(float64) { l.showValue(); w.soundLevelsChanged() }
	l.mute = widget.NewCheck("Mute", func(bool) { w.soundLevelsChanged() })
	l.showValue()
	l.box = container.NewBorder(nil, nil, l.mute, l.label, l.slider)
	return l
}

func (l *soundLevel) showValue() { l.label.SetText(fmt.Sprintf("%+3.0f dB", l.slider.Value)) }

// buildSound makes the second sound's picker, both levels and the second meter.
func (w *Window) buildSound() {
	w.level1, w.level2 = w.newSoundLevel(), w.newSoundLevel()
	w.meter2 = NewLevelMeter()
	w.meter2.Object().Hide()
	w.audio2Sel = widget.NewSelect([]string{optNothing}, func(string) { w.secondSoundChanged() })
	w.audio2Sel.SetSelected(optNothing)
	w.level2.box.Hide()
}

// listSecondSounds offers the computer's sound, the other microphones and the test tone.
func (w *Window) listSecondSounds() {
	opts := []string{optNothing}
	w.audios[optDesktopSound] = "desktop"
	hasMonitor := false
	for _, o := range w.audioSel.Options {
		spec := w.audios[o]
		if strings.HasPrefix(o, "Monitor of") {
			hasMonitor = true
			continue // offered as the computer's sound
		}
		if strings.HasPrefix(spec, "mic:") || spec == "test" {
			opts = append(opts, o)
		}
	}
	if hasMonitor {
		opts = append([]string{optNothing, optDesktopSound}, opts[1:]...)
	}
	w.audio2Sel.Options = opts
	w.audio2Sel.Refresh()
}

// secondSound is the second sound's source spec, "" for none.
func (w *Window) secondSound() string {
	if w.audio2Sel.Selected == optNothing || w.audio2Sel.Selected == "" {
		return ""
	}
	return w.audios[w.audio2Sel.Selected]
}

// secondSoundChanged shows the second sound's level and meter, and restarts the preview.
func (w *Window) secondSoundChanged() {
	if w.level2 == nil || w.meter2 == nil {
		return // still being built
	}
	w.showSoundControls()
	if w.videos != nil && w.current() == nil {
		w.startPreview()
	}
}

// showSoundControls shows the second sound's level and meter when there is one.
func (w *Window) showSoundControls() {
	if w.secondSound() == "" {
		w.level2.box.Hide()
		w.meter2.Object().Hide()
	} else {
		w.level2.box.Show()
		w.meter2.Object().Show()
	}
}

// soundLeveller is a preview or a live session whose sound levels change while it runs.
type soundLeveller interface {
	SetSoundLevels(db1, db2 float64, mute1, mute2 bool)
}

// soundLevelsChanged applies the levels to what runs: the live stream, or the preview.
func (w *Window) soundLevelsChanged() {
	if w.level1 == nil || w.level2 == nil {
		return // still being built
	}
	if s, ok := w.whatRuns().(soundLeveller); ok {
		s.SetSoundLevels(w.level1.slider.Value, w.level2.slider.Value, w.level1.mute.Checked, w.level2.mute.Checked)
	}
}

// soundConfig puts the sounds' settings into cfg.
func (w *Window) soundConfig(cfg *broadcast.Config) {
	cfg.Audio2 = w.secondSound()
	cfg.AudioGainDB, cfg.Audio2GainDB = w.level1.slider.Value, w.level2.slider.Value
	if w.level1.mute.Checked {
		cfg.AudioGainDB = -60
	}
	if w.level2.mute.Checked {
		cfg.Audio2GainDB = -60
	}
}
