package ui

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"onair/broadcast"
)

// The destinations beyond the first: the user adds platforms (each with its key, kept in the
// system keyring), ticks the ones to use, and one Go Live streams to all. While live each has its
// own status line and its own Reconnect now.

const prefDestinations = "destinations" // the list, without keys (JSON)

// extraDest is one more destination the user added.
type extraDest struct {
	ID     string `json:"id"` // its keyring entry
	Preset string `json:"preset"`
	Server string `json:"server,omitempty"`
	On     bool   `json:"on"`
	key    string // held while the window runs; kept in the keyring under ID
	row    *destRow
}

func (d *extraDest) destination() broadcast.Destination {
	return broadcast.Destination{Preset: d.Preset, Server: d.Server, Key: d.key}
}

// destRow is a destination's line in the list.
type destRow struct {
	use       *widget.Check
	words     *widget.Label
	reconnect *widget.Button
	remove    *widget.Button
	box       *fyne.Container
}

// destList is the list under the settings.
type destList struct {
	w     *Window
	dests []*extraDest
	rows  *fyne.Container
	add   *widget.Button
	box   *fyne.Container
}

func (w *Window) buildDestinations() {
	l := &destList{w: w, rows: container.NewVBox()}
	l.add = widget.NewButton("Add a destination…", l.showAdd)
	title := widget.NewLabelWithStyle("Also stream to", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.box = container.NewVBox(container.NewHBox(title, l.add), l.rows)
	w.dests = l
}

// load restores the list and fetches each key from the keyring in the background.
func (l *destList) load() {
	var saved []*extraDest
	_ = json.Unmarshal([]byte(prefs(l.w.app).String(prefDestinations)), &saved)
	for _, d := range saved {
		if _, err := broadcast.FindPreset(d.Preset); err != nil || d.ID == "" {
			continue
		}
		l.append(d)
		if d.Preset == "local" {
			continue
		}
		l.w.bg.run(func() { // a locked keyring may ask for a password and wait
			if k, err := l.w.keys.Get(d.ID); err == nil {
				l.w.do(func() { d.key = k; l.describe(d, nil) })
			}
		})
	}
}

func (l *destList) save() {
	b, _ := json.Marshal(l.dests)
	prefs(l.w.app).SetString(prefDestinations, string(b))
}

// append adds a row for d.
func (l *destList) append(d *extraDest) {
	r := &destRow{words: widget.NewLabel("")}
	r.words.Wrapping = fyne.TextWrapWord
	r.use = widget.NewCheck("", func(on bool) { d.On = on; l.save(); l.w.qualityChanged() })
	r.use.SetChecked(d.On)
	r.reconnect = widget.NewButton("Reconnect now", func() {
		if live := l.w.current(); live != nil {
			live.ReconnectDestination(l.index(d) + 1)
		}
	})
	r.reconnect.Hide()
	r.remove = widget.NewButton("Remove", func() { l.removeDest(d) })
	r.remove.Importance = widget.LowImportance
	r.box = container.NewBorder(nil, nil, r.use, container.NewHBox(r.reconnect, r.remove), r.words)
	d.row = r
	l.dests = append(l.dests, d)
	l.rows.Add(r.box)
	l.describe(d, nil)
}

func (l *destList) index(d *extraDest) int {
	for i, o := range l.dests {
		if o == d {
			return i
		}
	}
	return -1
}

func (l *destList) removeDest(d *extraDest) {
	i := l.index(d)
	if i < 0 {
		return
	}
	l.dests = append(l.dests[:i], l.dests[i+1:]...)
	l.rows.Remove(d.row.box)
	l.save()
	id := d.ID
	l.w.bg.run(func() { _ = l.w.keys.Delete(id) })
	l.w.qualityChanged()
}

// ticked returns the destinations to stream to beside the first, in the list's order.
func (l *destList) ticked() []*extraDest {
	var out []*extraDest
	for _, d := range l.dests {
		if d.On {
			out = append(out, d)
		}
	}
	return out
}

// setEditable locks the list while live: what streams is chosen at Go Live.
func (l *destList) setEditable(on bool) {
	for _, d := range l.dests {
		if on {
			d.row.use.Enable()
			d.row.remove.Show()
			d.row.reconnect.Hide()
			l.describe(d, nil)
		} else {
			d.row.use.Disable()
			d.row.remove.Hide()
		}
	}
	if on {
		l.add.Enable()
	} else {
		l.add.Disable()
	}
}

// describe writes a destination's line: what it is while idle, how it goes while live.
func (l *destList) describe(d *extraDest, st *broadcast.DestinationStats) {
	name := d.destination().Name()
	if st == nil {
		switch {
		case d.Preset == "local":
			d.row.words.SetText(name + ": a copy received inside OnAir, to check what went out")
		case d.key == "":
			d.row.words.SetText(name + ": its stream key is not known yet (Remove and add it again)")
		default:
			d.row.words.SetText(name)
		}
		return
	}
	line := name + ": "
	offline := st.State == broadcast.StateReconnecting || st.State == broadcast.StateWaitingNetwork
	switch {
	case st.State == broadcast.StateLive && st.CantKeepUp:
		line += fmt.Sprintf("● live, but its connection can't keep up: it gets only whole keyframe groups, so its viewers see jumps · %.0f kb/s", st.SentKbps)
	case st.State == broadcast.StateLive:
		line += fmt.Sprintf("● live · %.0f kb/s · %d frames dropped", st.SentKbps, st.FramesDropped)
	case offline:
		line += fmt.Sprintf("reconnecting in %.0f s: %s", st.RetryInS, st.Error)
	case st.State == broadcast.StateFailed:
		line += "failed: " + st.Error
	case st.State == broadcast.StateConnecting:
		line += "connecting…"
	default:
		line += string(st.State)
	}
	d.row.words.SetText(line)
	if offline {
		d.row.reconnect.Show()
	} else {
		d.row.reconnect.Hide()
	}
}

// showLive shows each destination's figures from a snapshot (inside fyne.Do). The session's
// destinations are the first one, then the ticked ones in order.
func (l *destList) showLive(st broadcast.Stats, sent []*extraDest) {
	for i, d := range sent {
		if i+1 < len(st.Destinations) {
			l.describe(d, &st.Destinations[i+1])
		}
	}
}

// adopt checks a new destination and adds it to the list, its key to the keyring.
func (l *destList) adopt(nd *extraDest) error {
	if err := nd.destination().Check(); err != nil {
		return err
	}
	for _, o := range l.dests {
		if o.Preset == nd.Preset && o.Server == nd.Server && (o.key == nd.key || nd.Preset == "local") {
			return fmt.Errorf("%s is in the list already", nd.destination().Name())
		}
	}
	l.append(nd)
	l.save()
	w := l.w
	if nd.key != "" {
		id, k := nd.ID, nd.key
		w.bg.run(func() {
			if err := w.keys.Set(id, k); err != nil {
				w.do(func() {
					w.tell("Key not remembered", "The system keyring is not available: OnAir uses this key until you quit, and will not remember it.")
				})
			}
		})
	}
	w.qualityChanged()
	return nil
}

// showAdd asks for a platform, its server where it has a choice, and its key.
func (l *destList) showAdd() {
	w := l.w
	var names []string
	for _, p := range w.presets {
		names = append(names, p.Name)
	}
	server := widget.NewEntry()
	key := widget.NewPasswordEntry()
	key.SetPlaceHolder("paste its stream key")
	about := widget.NewLabel("")
	about.Wrapping = fyne.TextWrapWord
	var preset broadcast.Preset
	platform := widget.NewSelect(names, func(name string) {
		for _, p := range w.presets {
			if p.Name == name {
				preset = p
			}
		}
		about.SetText(preset.About)
		server.SetText(preset.DefaultServer())
		server.SetPlaceHolder(preset.ServerHint)
		if preset.ServerEditable {
			server.Enable()
		} else {
			server.Disable()
		}
		if preset.ID == "local" {
			server.SetText("inside OnAir, on this computer")
			key.Disable()
		} else {
			key.Enable()
		}
	})
	platform.SetSelectedIndex(1)
	problem := widget.NewLabel("")
	problem.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(widget.NewFormItem("Platform", platform), widget.NewFormItem("", about),
		widget.NewFormItem("Server", server), widget.NewFormItem("Stream key", key))
	content := container.NewVBox(form, problem,
		widget.NewLabel("Its key is kept in the system keyring, never in plain text."))
	var d fyne.CanvasObject = content
	add := func() bool {
		nd := &extraDest{ID: "destination-" + strconv.FormatInt(time.Now().UnixNano(), 36), Preset: preset.ID, On: true,
			key: strings.TrimSpace(key.Text)}
		if preset.ServerEditable {
			nd.Server = strings.TrimSpace(server.Text)
			if base, k, ok := broadcast.SplitServerKey(nd.Server); ok && nd.key == "" {
				nd.Server, nd.key = base, k // a key pasted into the address is kept as a key
			}
		}
		if preset.ID == "local" {
			nd.key = ""
		}
		if err := l.adopt(nd); err != nil {
			words, detail := broadcast.Explain(err)
			problem.SetText(strings.TrimSpace(words + " " + detail))
			return false
		}
		return true
	}
	w.askForm("Add a destination", d, add)
}
