package broadcast

import (
	"image"
	"strings"
	"testing"
)

func TestLayoutsPlaceThePictures(t *testing.T) {
	for _, c := range []struct {
		spec          string
		first, second image.Rectangle
	}{
		{"", image.Rect(0, 0, 1280, 720), image.Rectangle{}},
		{"video", image.Rect(0, 0, 1280, 720), image.Rectangle{}},
		{"video2", image.Rectangle{}, image.Rect(0, 0, 1280, 720)},
		{"side", image.Rect(0, 0, 640, 720), image.Rect(640, 0, 1280, 720)},
		{"corner", image.Rect(0, 0, 1280, 720), image.Rect(928, 508, 1248, 688)},
		{"corner:br:m", image.Rect(0, 0, 1280, 720), image.Rect(928, 508, 1248, 688)},
		{"corner:tl:s", image.Rect(0, 0, 1280, 720), image.Rect(32, 32, 288, 176)},
		{"corner:tr:l", image.Rect(0, 0, 1280, 720), image.Rect(822, 32, 1248, 270)},
		{"corner:bl:m", image.Rect(0, 0, 1280, 720), image.Rect(32, 508, 352, 688)},
	} {
		l, err := ParseLayout(c.spec)
		if err != nil {
			t.Fatalf("%q: %v", c.spec, err)
		}
		if first, second := l.areas(1280, 720); first != c.first || second != c.second {
			t.Errorf("%q: %v and %v, want %v and %v", c.spec, first, second, c.first, c.second)
		}
	}
	for _, bad := range []string{"corner:middle", "corner:tl:xl", "corner:tl:s:x", "side:tl", "pip", "Corner"} {
		if _, err := ParseLayout(bad); err == nil || !strings.Contains(err.Error(), "layout") {
			t.Errorf("%q: %v, want an error that names the layout", bad, err)
		}
	}
}

func TestSecondPictureAndSoundSettings(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string // in the error; "" for none
	}{
		{Config{Video: "test", Video2: "test"}, ""},
		{Config{Video: "screen", Video2: "camera", Layout: "side"}, ""},
		{Config{Video: "none", Video2: "test"}, "goes with a first one"},
		{Config{Video: "test", Layout: "side"}, "needs a second picture"},
		{Config{Video: "test", Video2: "file:"}, "needs a path"},
		{Config{Video: "camera", Video2: "camera"}, "the same camera"},
		{Config{Video: "test", Video2: "test", Layout: "corner:up"}, "not one OnAir knows"},
		{Config{Audio: "none", Audio2: "none"}, ""},
		{Config{Audio: "none", Audio2: "test"}, "goes with a first one"},
		{Config{Audio: "mic", Audio2: "mic"}, "the same mic"},
		{Config{Audio: "test", Audio2: "file"}, "takes the sound of a --video file"},
		{Config{Audio: "test", Audio2: "desktop", AudioGainDB: 30}, "a sound level of 30 dB"},
	} {
		p, err := c.cfg.Resolve()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", c.cfg, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%+v: %v, want an error saying %q", c.cfg, err, c.want)
		case c.want == "" && c.cfg.Video2 != "" && c.cfg.Layout == "" && p.layout != DefaultCorner:
			t.Errorf("%+v: layout %v, want the default corner", c.cfg, p.layout)
		}
	}
}
