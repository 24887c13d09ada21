package broadcast

import (
	"errors"
	"strings"
	"testing"

	"onair/rtmpout"
)

// TestDestinationFromURL: an address with its key finds its platform's preset; the key never shows
// in an error.
func TestDestinationFromURL(t *testing.T) {
	for _, c := range []struct {
		address, preset, server string
		err                     error
	}{
		{"rtmp://live.twitch.tv/app/live_123_secret", "twitch", "rtmp://live.twitch.tv/app", nil},
		{"rtmps://a.rtmps.youtube.com:443/live2/abcd-secret", "youtube", "rtmps://a.rtmps.youtube.com:443/live2", nil},
		{"rtmp://127.0.0.1:1935/live/secret", "custom", "rtmp://127.0.0.1:1935/live", nil},
		{"local", "local", "", nil},
		{"rtmp://127.0.0.1/live", "", "", rtmpout.ErrBadURL}, // no key
		{"http://127.0.0.1/live/secret", "", "", rtmpout.ErrBadURL},
	} {
		d, err := DestinationFromURL(c.address)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%s: error %v, want %v", c.address, err, c.err)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("%s: the error shows the key: %v", c.address, err)
			}
			continue
		}
		if err != nil || d.Preset != c.preset || d.Server != c.server {
			t.Errorf("%s: %+v, %v; want preset %s server %s", c.address, d, err, c.preset, c.server)
		}
	}
}

// TestSharedLimits: the shared stream keeps within every destination's limits and says so; a
// destination given twice is refused.
func TestSharedLimits(t *testing.T) {
	cfg := Config{Preset: "youtube", Key: "k1", VideoKbps: 8000, AudioKbps: 160,
		Also: []Destination{{Preset: "twitch", Key: "k2"}, {Preset: "x", Key: "k3"}}}
	p, err := cfg.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if p.VideoKbps != 6000 || len(p.Dests) != 3 || p.Dests[1].name != "Twitch" {
		t.Errorf("video %d kb/s, %d destinations; want 6000 (Twitch's limit) and 3", p.VideoKbps, len(p.Dests))
	}
	if !strings.Contains(strings.Join(p.Warnings, "\n"), "Twitch takes at most 6000 kb/s") {
		t.Errorf("no word of Twitch lowering the others: %q", p.Warnings)
	}
	cfg.Also = []Destination{{Preset: "youtube", Key: "k1"}}
	if _, err := cfg.Resolve(); !errors.Is(err, ErrBadSettings) {
		t.Errorf("the same destination twice: %v", err)
	}
	cfg.Also = []Destination{{Preset: "twitch"}}
	if _, err := cfg.Resolve(); !errors.Is(err, ErrMissingKey) {
		t.Errorf("a second destination without its key: %v", err)
	}
	cfg.Also = []Destination{{Preset: "custom", Server: "rtmp://127.0.0.1/live", Key: "a"}, {Preset: "custom", Server: "rtmp://127.0.0.1/live", Key: "b"}}
	p, err = cfg.Resolve()
	if err != nil || p.Dests[1].name != "127.0.0.1" || p.Dests[2].name != "127.0.0.1 2" {
		t.Errorf("two custom servers: %v, names %v", err, p.Dests)
	}
}

// TestSharedRate: the encoder follows the narrowest destination that keeps up; one far narrower
// than the best is left out (and its "can't keep up" shown) until it carries most of the rate.
func TestSharedRate(t *testing.T) {
	var got int
	s := &Session{setRate: func(kbps, _ int) { got = kbps }}
	a := &destination{s: s, live: &rtmpout.Conn{}, ctl: &controller{}}
	b := &destination{s: s, live: &rtmpout.Conn{}, ctl: &controller{}}
	s.dests = []*destination{a, b}
	steps := []struct {
		a, b, want int
		behindB    bool
	}{
		{4000, 4000, 4000, false},
		{4000, 3000, 3000, false}, // a little narrower: everyone follows it
		{4000, 2100, 2100, false},
		{4000, 1900, 4000, true},  // under half the best: left out
		{4000, 2500, 4000, true},  // not yet back: under 70 %
		{4000, 2900, 2900, false}, // back in
		{3000, 2900, 2900, false},
	}
	for i, st := range steps {
		s.wantRate(a, st.a)
		s.wantRate(b, st.b)
		if got != st.want || b.behind != st.behindB {
			t.Errorf("step %d (%d, %d): encoder at %d, b behind %v; want %d, %v", i, st.a, st.b, got, b.behind, st.want, st.behindB)
		}
	}
	a.live = nil // the wide one drops: the narrow one is all there is
	s.shareRate()
	if got != 2900 || b.behind {
		t.Errorf("alone: encoder at %d, behind %v", got, b.behind)
	}
}
