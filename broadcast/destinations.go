package broadcast

import (
	"fmt"
	"net/url"
	"strings"

	"onair/rtmpout"
)

// Destination is one more place the stream goes, beside the first.
type Destination struct {
	Preset string // preset id or name; default "custom"
	Server string // overrides the preset's server
	Key    string // the stream key: never logged
}

// destPlan is a destination checked against its preset.
type destPlan struct {
	name      string // how the user knows it: the platform's name, or the server's
	preset    Preset
	target    rtmpout.Target
	server    string // the address to dial
	key       string
	extraCA   []byte
	localTest bool // OnAir's own receiver, started with the session
}

// DestinationFromURL makes a destination of a server address that carries its stream key as its
// last part (rtmp://host/app/KEY), with the platform's preset when the address is one of its
// servers. "local" is the Local test.
func DestinationFromURL(address string) (Destination, error) {
	if strings.EqualFold(address, "local") {
		return Destination{Preset: "local"}, nil
	}
	base, key, ok := SplitServerKey(address)
	if !ok {
		if _, err := rtmpout.ParseURL(redactURL(address), ""); err != nil { // says what is wrong, key hidden
			return Destination{}, err
		}
		return Destination{}, fmt.Errorf("%w: the address %s does not end with a stream key (rtmp://server/app/KEY)", ErrMissingKey, redactURL(address))
	}
	d := Destination{Preset: "custom", Server: base, Key: key}
	if p, ok := presetServing(base); ok {
		d.Preset = p.ID
	}
	return d, nil
}

// presetServing finds the platform whose ingest server this is.
func presetServing(server string) (Preset, bool) {
	u, err := url.Parse(server)
	if err != nil {
		return Preset{}, false
	}
	for _, p := range Presets() {
		if p.ID == "local" || p.ID == "custom" {
			continue
		}
		for _, sv := range p.Servers {
			if su, err := url.Parse(sv.URL); err == nil && su.Host != "" && strings.EqualFold(su.Hostname(), u.Hostname()) {
				return p, true
			}
		}
	}
	return Preset{}, false
}

// redactURL hides the last path element of an address, where a key would be.
func redactURL(address string) string {
	if i := strings.LastIndex(address, "/"); i > len("rtmps://") {
		return address[:i+1] + "(key hidden)"
	}
	return address
}

// resolveMoreDestinations checks Also, and lowers what the shared stream carries to what every
// destination takes: the lowest bitrate limit, the shortest keyframe interval.
func (p *Plan) resolveMoreDestinations() error {
	if p.RecordOnly {
		return nil
	}
	for _, a := range p.Also {
		name := a.Preset
		if name == "" {
			name = "custom"
		}
		pr, err := FindPreset(name)
		if err != nil {
			return err
		}
		d, err := resolveDestination(pr, a.Server, a.Key, p.CAFile)
		if err != nil {
			return err
		}
		for _, o := range p.Dests {
			if d.localTest && o.localTest {
				return fmt.Errorf("%w: the Local test is there twice", ErrBadSettings)
			}
			if !d.localTest && o.server == d.server && o.key == d.key {
				return fmt.Errorf("%w: %s is there twice with the same stream key", ErrBadSettings, d.name)
			}
		}
		d.name = uniqueName(d.name, p.Dests)
		p.Dests = append(p.Dests, d)
		p.fitWithin(pr)
	}
	if p.FPS > 0 {
		for _, d := range p.Dests {
			if p.FPS > d.preset.MaxFPS {
				return fmt.Errorf("%w: %d frames per second (%s takes up to %d)", ErrBadSettings, p.FPS, d.name, d.preset.MaxFPS)
			}
		}
	}
	return nil
}

// fitWithin lowers the shared stream's settings to another platform's limits, and says so.
func (p *Plan) fitWithin(pr Preset) {
	if limit := pr.VideoLimit(p.Width, p.Height, p.FPS); p.VideoKbps > limit {
		p.Warnings = append(p.Warnings, fmt.Sprintf("%s takes at most %d kb/s of video at this size: every destination gets %d kb/s, not %d", pr.Name, limit, limit, p.VideoKbps))
		p.VideoKbps = limit
	}
	if p.AudioKbps > pr.MaxAudioKbps {
		p.Warnings = append(p.Warnings, fmt.Sprintf("%s takes at most %d kb/s of audio: every destination gets %d kb/s", pr.Name, pr.MaxAudioKbps, pr.MaxAudioKbps))
		p.AudioKbps = pr.MaxAudioKbps
	}
	if pr.KeyframeSeconds > 0 && pr.KeyframeSeconds < p.Keyframe {
		p.Warnings = append(p.Warnings, fmt.Sprintf("%s wants a keyframe every %g s: every destination gets one that often", pr.Name, pr.KeyframeSeconds))
		p.Keyframe = pr.KeyframeSeconds
	}
}

func uniqueName(name string, taken []destPlan) string {
	for n := 2; ; n++ {
		clash := false
		for _, d := range taken {
			clash = clash || d.name == name
		}
		if !clash {
			return name
		}
		name = fmt.Sprintf("%s %d", strings.TrimSuffix(name, fmt.Sprintf(" %d", n-1)), n)
	}
}

// Check tells whether the destination can be used: a platform, an address and a key that fit.
// Nothing is dialed.
func (d Destination) Check() error {
	name := d.Preset
	if name == "" {
		name = "custom"
	}
	p, err := FindPreset(name)
	if err != nil {
		return err
	}
	_, err = resolveDestination(p, d.Server, d.Key, "")
	return err
}

// Name is how the window and the stats name the destination.
func (d Destination) Name() string {
	p, err := FindPreset(d.Preset)
	if err != nil {
		p, _ = FindPreset("custom")
	}
	if p.ID == "custom" {
		if t, err := rtmpout.ParseURL(d.Server, "x"); err == nil {
			return t.Host
		}
	}
	return p.Name
}
