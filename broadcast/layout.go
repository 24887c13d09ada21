package broadcast

import (
	"fmt"
	"image"
	"strings"
)

// Layout is how the picture source and the second one share the stream's picture.
type Layout struct {
	Kind   string // video (the first only), video2 (the second only), corner, side
	Corner string // corner: tl, tr, bl, br
	Size   string // corner: s, m, l
}

// DefaultCorner is the camera's usual place over a screen: bottom right, medium.
var DefaultCorner = Layout{Kind: "corner", Corner: "br", Size: "m"}

// ParseLayout reads --layout: video | video2 | side | corner[:POS[:SIZE]].
func ParseLayout(s string) (Layout, error) {
	parts := strings.Split(s, ":")
	switch parts[0] {
	case "", "video":
		return Layout{Kind: "video"}, nil
	case "video2", "side":
		if len(parts) > 1 {
			return Layout{}, fmt.Errorf("the layout %q takes no position or size", parts[0])
		}
		return Layout{Kind: parts[0]}, nil
	case "corner":
		l := DefaultCorner
		if len(parts) > 1 {
			l.Corner = parts[1]
		}
		if len(parts) > 2 {
			l.Size = parts[2]
		}
		if len(parts) > 3 || !strings.Contains(" tl tr bl br ", " "+l.Corner+" ") || !strings.Contains(" s m l ", " "+l.Size+" ") {
			return Layout{}, fmt.Errorf("the layout %q is not one OnAir knows: use corner:POS:SIZE with POS one of tl, tr, bl, br and SIZE one of s, m, l", s)
		}
		return l, nil
	}
	return Layout{}, fmt.Errorf("the layout %q is not one OnAir knows: use video, video2, side or corner:POS:SIZE", s)
}

func (l Layout) String() string {
	if l.Kind == "corner" {
		return fmt.Sprintf("corner:%s:%s", l.Corner, l.Size)
	}
	return l.Kind
}

// insetWidth is the corner picture's share of the stream's width, by size.
var insetWidth = map[string][2]int{"s": {1, 5}, "m": {1, 4}, "l": {1, 3}}

// areas returns where the first and the second picture go in a w×h stream; an empty rectangle
// means the picture is not shown.
func (l Layout) areas(w, h int) (first, second image.Rectangle) {
	whole := image.Rect(0, 0, w, h)
	switch l.Kind {
	case "video2":
		return image.Rectangle{}, whole
	case "side":
		return image.Rect(0, 0, w/2, h), image.Rect(w/2, 0, w, h)
	case "corner":
		share := insetWidth[l.Size]
		iw := w * share[0] / share[1] &^ 1 // even: 4:2:0 chroma
		ih := iw * h / w &^ 1              // the stream's shape: a 16:9 camera fills it
		margin := w / 40 &^ 1
		x, y := margin, margin
		if strings.HasSuffix(l.Corner, "r") {
			x = w - margin - iw
		}
		if strings.HasPrefix(l.Corner, "b") {
			y = h - margin - ih
		}
		return whole, image.Rect(x, y, x+iw, y+ih)
	}
	return whole, image.Rectangle{}
}
