package ui

import (
	"fmt"
	"image/color"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// LevelMeter shows the microphone's peak level in dBFS, with a peak hold, so the user sees that
// the sound works before going live.
type LevelMeter struct {
	bar    *canvas.Rectangle
	hold   *canvas.Rectangle
	back   *canvas.Rectangle
	label  *widget.Label
	box    *fyne.Container
	level  float64 // dBFS
	peak   float64
	peakAt time.Time
}

const meterFloor = -60.0 // dBFS at the left edge

// NewLevelMeter returns a meter at silence.
func NewLevelMeter() *LevelMeter {
	m := &LevelMeter{
		bar:   canvas.NewRectangle(colGood),
		hold:  canvas.NewRectangle(color.White),
		back:  canvas.NewRectangle(color.NRGBA{0x30, 0x30, 0x38, 0xff}),
		label: widget.NewLabel("sound: —"),
		level: math.Inf(-1), peak: math.Inf(-1),
	}
	m.back.SetMinSize(fyne.NewSize(200, 10))
	// Fixed-width digits: a label whose width changes lays the window out again, which costs a
	// second redraw for every level shown.
	m.label.TextStyle.Monospace = true
	bars := container.NewWithoutLayout(m.back, m.bar, m.hold)
	m.box = container.NewBorder(nil, nil, nil, m.label, container.New(&meterLayout{m: m}, bars))
	return m
}

// Object is the meter's canvas object.
func (m *LevelMeter) Object() fyne.CanvasObject { return m.box }

// Text is what the meter says (for tests).
func (m *LevelMeter) Text() string { return m.label.Text }

// SetLevel shows a new peak level; call inside fyne.Do.
func (m *LevelMeter) SetLevel(dbfs float64, now time.Time) {
	m.level = dbfs
	if dbfs > m.peak || now.Sub(m.peakAt) > 2*time.Second {
		m.peak, m.peakAt = dbfs, now
	}
	switch {
	case math.IsInf(dbfs, -1) || dbfs < -80:
		m.label.SetText("sound: silent")
	default:
		m.label.SetText(fmt.Sprintf("sound: %3.0f dB", dbfs))
	}
	switch {
	case dbfs > -3:
		m.bar.FillColor = colBad
	case dbfs > -12:
		m.bar.FillColor = colSoSo
	default:
		m.bar.FillColor = colGood
	}
	m.box.Refresh()
}

func fraction(db float64) float32 {
	if math.IsInf(db, -1) || db < meterFloor {
		return 0
	}
	return float32(math.Min(1, (db-meterFloor)/-meterFloor))
}

type meterLayout struct{ m *LevelMeter }

func (l *meterLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(200, 12) }

func (l *meterLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
	m := l.m
	y := (size.Height - 10) / 2
	m.back.Resize(fyne.NewSize(size.Width, 10))
	m.back.Move(fyne.NewPos(0, y))
	m.bar.Resize(fyne.NewSize(size.Width*fraction(m.level), 10))
	m.bar.Move(fyne.NewPos(0, y))
	m.hold.Resize(fyne.NewSize(2, 10))
	m.hold.Move(fyne.NewPos(size.Width*fraction(m.peak), y))
}
