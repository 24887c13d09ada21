package ui

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// readableTheme is Fyne's theme with disabled text dark enough to read: while live the settings
// are locked, and the user must still see where and what they stream (at least 4.5:1 contrast).
type readableTheme struct{ fyne.Theme }

// Theme is OnAir's theme.
func Theme() fyne.Theme { return readableTheme{theme.DefaultTheme()} }

func (t readableTheme) Color(name fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if name == theme.ColorNameDisabled {
		if v == theme.VariantDark {
			return color.NRGBA{R: 0xb4, G: 0xb4, B: 0xb8, A: 0xff}
		}
		return color.NRGBA{R: 0x50, G: 0x50, B: 0x55, A: 0xff}
	}
	return t.Theme.Color(name, v)
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}
