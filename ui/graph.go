package ui

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// graphSeconds is how much history the graph shows.
const graphSeconds = 180

// Colours of the graph and the congestion light.
var (
	colSent   = color.NRGBA{0x3d, 0xdc, 0x84, 0xff}
	colTarget = color.NRGBA{0x4a, 0x90, 0xe2, 0xff}
	colDrop   = color.NRGBA{0xff, 0x3b, 0x3b, 0xff}
	colGrid   = color.NRGBA{0x80, 0x80, 0x80, 0x40}
	colBack   = color.NRGBA{0x1d, 0x1f, 0x2b, 0xff}
	colGood   = color.NRGBA{0x3d, 0xdc, 0x84, 0xff}
	colSoSo   = color.NRGBA{0xf5, 0xc2, 0x42, 0xff}
	colBad    = colDrop
	colAxis   = color.NRGBA{0xc8, 0xc8, 0xd0, 0xff}
	// colOthers are the further destinations' sent lines, in the list's order.
	colOthers = []color.NRGBA{{0xf5, 0x9e, 0x42, 0xff}, {0xc0, 0x7c, 0xf0, 0xff}, {0x4a, 0xd8, 0xe0, 0xff}}
)

// Graph draws the last minutes of sent and target bitrate, with red marks where frames were
// dropped. It renders to one image once a second, which costs the GL painter almost nothing.
type Graph struct {
	img           *canvas.Image
	sent, target  []float64
	others        [][]float64 // each further destination's sent rate, aligned with sent
	drops         []bool
	width, height int
}

// NewGraph returns an empty graph.
func NewGraph() *Graph {
	g := &Graph{width: 540, height: 120} // drawn at this size, shown at the size the window gives
	g.img = canvas.NewImageFromImage(g.render())
	g.img.FillMode = canvas.ImageFillStretch
	g.img.ScaleMode = canvas.ImageScaleFastest // drawn at its size on screen: nothing to scale
	g.img.SetMinSize(fyne.NewSize(320, 100))
	return g
}

// Object is the graph's canvas object.
func (g *Graph) Object() fyne.CanvasObject { return g.img }

// Add appends one second, with what each further destination sent; call inside fyne.Do.
func (g *Graph) Add(sentKbps, targetKbps float64, dropped bool, others ...float64) {
	for len(g.others) < len(others) {
		g.others = append(g.others, make([]float64, len(g.sent)))
	}
	for i := range g.others {
		v := 0.0
		if i < len(others) {
			v = others[i]
		}
		g.others[i] = append(g.others[i], v)
	}
	g.sent = append(g.sent, sentKbps)
	g.target = append(g.target, targetKbps)
	g.drops = append(g.drops, dropped)
	if n := len(g.sent); n > graphSeconds {
		g.sent, g.target, g.drops = g.sent[n-graphSeconds:], g.target[n-graphSeconds:], g.drops[n-graphSeconds:]
		for i := range g.others {
			g.others[i] = g.others[i][n-graphSeconds:]
		}
	}
	g.fitScreen()
	g.img.Image = g.render()
	g.img.Refresh()
}

// fitScreen draws the graph at the size it has on screen, so that no redraw scales it.
func (g *Graph) fitScreen() {
	if s := g.img.Size(); s.Width >= 100 && s.Height >= 40 {
		g.width, g.height = int(s.Width), int(s.Height)
	}
}

// Reset clears the history (a new stream).
func (g *Graph) Reset() {
	g.sent, g.target, g.drops, g.others = nil, nil, nil, nil
	g.img.Image = g.render()
	g.img.Refresh()
}

// Points returns how many seconds the graph holds (for tests).
func (g *Graph) Points() int { return len(g.sent) }

func (g *Graph) render() image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, g.width, g.height))
	draw.Draw(img, img.Bounds(), &image.Uniform{colBack}, image.Point{}, draw.Src)
	top := 1000.0
	for i := range g.sent {
		top = max(top, g.sent[i], g.target[i])
	}
	for _, o := range g.others {
		for _, v := range o {
			top = max(top, v)
		}
	}
	top *= 1.15
	for q := 1; q < 4; q++ { // quarter lines
		y := g.height - g.height*q/4
		for x := 0; x < g.width; x++ {
			img.Set(x, y, colGrid)
		}
	}
	for m := 1; m < graphSeconds/60; m++ { // a tick a minute along the bottom
		x := g.width - 1 - m*60*g.width/graphSeconds
		for y := g.height - 8; y < g.height; y++ {
			img.Set(x, y, colGrid)
		}
	}
	xOf := func(i int) int { return g.width - 1 - (len(g.sent)-1-i)*g.width/graphSeconds }
	yOf := func(v float64) int { return g.height - 1 - int(v/top*float64(g.height-2)) }
	for i := range g.drops {
		if g.drops[i] { // dotted, not only red: told apart without colour
			x := xOf(i)
			for y := 0; y < g.height; y += 4 {
				img.Set(x, y, colDrop)
				img.Set(x, y+1, colDrop)
			}
		}
	}
	line := func(vals []float64, c color.NRGBA, dashed bool) {
		for i := 1; i < len(vals); i++ {
			if dashed && (xOf(i)/6)%2 == 1 {
				continue
			}
			drawLine(img, xOf(i-1), yOf(vals[i-1]), xOf(i), yOf(vals[i]), c)
		}
	}
	line(g.target, colTarget, true)
	for i, o := range g.others {
		line(o, colOthers[i%len(colOthers)], false)
	}
	line(g.sent, colSent, false)
	for q := 1; q < 4; q++ { // the scale, in kb/s, on the quarter lines
		drawText(img, 4, g.height-g.height*q/4-3, fmt.Sprintf("%.0f kb/s", top*float64(q)/4), colAxis)
	}
	return img
}

// drawText writes s with its baseline at (x, y) in a small bitmap font.
func drawText(img *image.NRGBA, x, y int, s string, c color.NRGBA) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// drawLine draws a 2-pixel line with Bresenham's algorithm.
func drawLine(img *image.NRGBA, x0, y0, x1, y1 int, c color.NRGBA) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	e := dx + dy
	for {
		img.Set(x0, y0, c)
		img.Set(x0, y0+1, c)
		if x0 == x1 && y0 == y1 {
			return
		}
		if e2 := 2 * e; e2 >= dy {
			e += dy
			x0 += sx
		} else {
			e += dx
			y0 += sy
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}
