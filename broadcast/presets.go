package broadcast

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"onair/assets"
)

// Server is one ingest address of a platform.
type Server struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Preset is a platform's ingest servers and limits.
type Preset struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	About            string         `json:"about"`
	KeyHelp          string         `json:"key_help"`
	Servers          []Server       `json:"servers"`
	KeyRequired      bool           `json:"key_required"`
	RTMPSRequired    bool           `json:"rtmps_required"`
	ServerEditable   bool           `json:"server_editable"`
	ServerHint       string         `json:"server_hint"`
	MaxVideoKbps     int            `json:"max_video_kbps"`
	DefaultVideoKbps int            `json:"default_video_kbps"`
	MaxAudioKbps     int            `json:"max_audio_kbps"`
	DefaultAudioKbps int            `json:"default_audio_kbps"`
	KeyframeSeconds  float64        `json:"keyframe_seconds"`
	MaxFPS           int            `json:"max_fps"`
	Sizes            []string       `json:"sizes"`
	LimitsBySize     map[string]int `json:"limits_by_size"`
	// SizeChange: the platform takes a new picture size mid-stream (a new sequence header at a
	// keyframe), so a slow link may lower the size rather than the frame rate.
	SizeChange bool   `json:"size_change"`
	Source     string `json:"source"`
}

// Presets returns the presets in display order: Local test first.
func Presets() []Preset {
	var doc struct {
		Presets []Preset `json:"presets"`
	}
	if err := json.Unmarshal(assets.PresetsJSON, &doc); err != nil {
		panic(fmt.Sprintf("broadcast: the embedded presets are broken: %v", err)) // caught by TestPresetsLoad
	}
	return doc.Presets
}

// FindPreset returns the preset with the given id or name (case does not matter).
func FindPreset(name string) (Preset, error) {
	var ids []string
	for _, p := range Presets() {
		if strings.EqualFold(p.ID, name) || strings.EqualFold(p.Name, name) {
			return p, nil
		}
		ids = append(ids, p.ID)
	}
	sort.Strings(ids)
	return Preset{}, fmt.Errorf("%w %q: choose one of %s", ErrUnknownPreset, name, strings.Join(ids, ", "))
}

// VideoLimit is the most video bitrate the platform takes at this size and rate.
func (p Preset) VideoLimit(width, height, fps int) int {
	if len(p.LimitsBySize) > 0 {
		rate := 30
		if fps > 30 {
			rate = 60
		}
		if v, ok := p.LimitsBySize[fmt.Sprintf("%dx%d@%d", width, height, rate)]; ok {
			return v
		}
	}
	return p.MaxVideoKbps
}

// DefaultServer is the preset's first server URL ("" where the user must give one).
func (p Preset) DefaultServer() string {
	if len(p.Servers) == 0 {
		return ""
	}
	return p.Servers[0].URL
}
