package broadcast

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"

	"onair/capture"
	"onair/rtmpout"
)

// What a file source does at its end.
const (
	FileEndStop = "stop"
	FileEndLoop = "loop"
	FileEndHold = "hold"
)

// Errors found before connecting.
var (
	ErrUnknownPreset = errors.New("unknown platform preset")
	ErrMissingKey    = errors.New("a stream key is needed")
	ErrBadSource     = errors.New("unknown source")
	ErrBadSettings   = errors.New("invalid settings")
)

// Config is what a session needs; the window and `onair stream` fill it in.
type Config struct {
	Preset string // preset id or name; default "local"
	Server string // overrides the preset's server
	Key    string // the stream key: never logged
	// Also are more destinations that get the same stream, after the first one above.
	Also []Destination

	Video string // test | camera[:NAME] | screen[:NAME] | file:PATH | none
	// Video2 is a second picture (test | camera[:NAME] | screen[:NAME] | file:PATH | none):
	// the camera in a corner of the screen, or beside it, as Layout says.
	Video2 string
	// Layout is how the two pictures share the stream's (ParseLayout); with a second picture
	// the default is DefaultCorner.
	Layout string
	Audio  string // test | mic[:NAME] | file | none
	// Audio2 is a second sound mixed with the first: desktop (the computer's own sound), test,
	// mic[:NAME], or file (the video file's sound), or none.
	Audio2 string
	// AudioGainDB and Audio2GainDB set each sound's level (0: as captured).
	AudioGainDB, Audio2GainDB float64
	Loop                      bool // loop a file source
	// AtFileEnd is what happens when a file source ends: FileEndStop (the default) ends the
	// stream, FileEndLoop plays it again (as Loop), FileEndHold shows "Be right back" on its last
	// picture, with silence, until stopped.
	AtFileEnd string

	Width, Height, FPS int
	VideoKbps          int // 0: the preset's default
	AudioKbps          int // 0: the preset's default
	Adaptive           bool
	CAFile             string // extra CA certificates (PEM) for RTMPS
	LocalTestDir       string // where the Local test saves what it received (default: LocalTestFolder)
	// CacheDir is where measurements that outlive a session are kept (the x264 preset trial's
	// answer); empty: nothing is remembered.
	CacheDir string
	// RecordPath, when set, records what is sent to this new file (Matroska) from the start.
	RecordPath string
	// RecordOnly records without streaming anywhere: the preset only gives the defaults.
	RecordOnly bool
	// RecordFullQuality keeps the recording at the chosen bitrate with an encoder of its own while
	// the stream adapts (about twice the video encoding's CPU); by default the recording holds
	// the stream's own packets.
	RecordFullQuality bool
	// MaxAttempts ends the stream after this many failed reconnect attempts in a row; 0 keeps
	// trying until stopped.
	MaxAttempts int
	// Resolver looks up the server's name (tests point it at a DNS server of their own); nil: the
	// system's.
	Resolver *net.Resolver

	Logger *slog.Logger
	Taps   Taps // optional views for the window: preview and audio level

	// wrapVideo, in tests, stands between the video source and the session: a source that
	// misbehaves as a device can.
	wrapVideo func(*capture.Clock, capture.VideoSource) capture.VideoSource
}

// Plan is a Config checked and resolved against its preset.
type Plan struct {
	Config
	Preset Preset
	// Dests are the destinations in order, the first one first; the stream they share keeps within
	// every one's limits.
	Dests      []destPlan
	VideoKind  string // test, camera, screen, file, none
	VideoArg   string
	Video2Kind string // the second picture's kind; none without one
	Video2Arg  string
	Audio2Kind string // the second sound's kind; none without one
	Audio2Arg  string
	layout     Layout
	AudioKind  string // test, mic, file, none
	AudioArg   string
	Keyframe   float64
	Warnings   []string // said to the user: a bitrate capped to the platform's limit, …
}

// sizeSteps reports whether a slow link may lower the picture's size: with adaptation on and
// every destination's platform taking a size change mid-stream (Preset.SizeChange).
func (p Plan) sizeSteps() bool {
	if !p.Adaptive || len(p.Dests) == 0 {
		return false
	}
	for _, d := range p.Dests {
		if !d.preset.SizeChange {
			return false
		}
	}
	return true
}

// trialCache is the file remembering the encoder's preset trial, if anything is remembered.
func (p Plan) trialCache() string {
	if p.CacheDir == "" {
		return ""
	}
	return filepath.Join(p.CacheDir, "x264-trials.json")
}

// Resolve checks c and fills in defaults from its preset. Every error here comes before any
// connection is made.
func (c Config) Resolve() (Plan, error) {
	if c.Preset == "" {
		c.Preset = "local"
	}
	p, err := FindPreset(c.Preset)
	if err != nil {
		return Plan{}, err
	}
	plan := Plan{Config: c, Preset: p, Keyframe: p.KeyframeSeconds}
	if c.Width == 0 && c.Height == 0 {
		plan.Width, plan.Height = 1280, 720
	}
	if plan.FPS == 0 {
		plan.FPS = 30
	}
	if plan.Width < 64 || plan.Height < 64 || plan.Width > 3840 || plan.Height > 2160 || plan.Width%2 != 0 || plan.Height%2 != 0 {
		return Plan{}, fmt.Errorf("%w: size %dx%d (even numbers, 64x64 to 3840x2160)", ErrBadSettings, plan.Width, plan.Height)
	}
	if plan.FPS < 1 || plan.FPS > p.MaxFPS {
		return Plan{}, fmt.Errorf("%w: %d frames per second (1 to %d on %s)", ErrBadSettings, plan.FPS, p.MaxFPS, p.Name)
	}
	if plan.VideoKind, plan.VideoArg, err = parseSource(c.Video, "test", []string{"test", "camera", "screen", "file", "none"}); err != nil {
		return Plan{}, err
	}
	if plan.AudioKind, plan.AudioArg, err = parseSource(c.Audio, "test", []string{"test", "mic", "file", "none"}); err != nil {
		return Plan{}, err
	}
	if err := plan.resolveSecondPicture(); err != nil {
		return Plan{}, err
	}
	if err := plan.resolveSecondSound(); err != nil {
		return Plan{}, err
	}
	if plan.VideoKind == "file" && plan.VideoArg == "" {
		return Plan{}, fmt.Errorf("%w: --video file:PATH needs a path", ErrBadSource)
	}
	if plan.AudioKind == "file" && plan.VideoKind != "file" {
		return Plan{}, fmt.Errorf("%w: --audio file takes the sound of a --video file: source", ErrBadSource)
	}
	switch plan.AtFileEnd {
	case "", FileEndStop:
		plan.AtFileEnd = FileEndStop
		if plan.Loop {
			plan.AtFileEnd = FileEndLoop
		}
	case FileEndLoop:
		plan.Loop = true
	case FileEndHold:
	default:
		return Plan{}, fmt.Errorf("%w: at the file's end %q (stop, loop or hold)", ErrBadSettings, plan.AtFileEnd)
	}
	if plan.VideoKind == "none" && plan.AudioKind == "none" {
		return Plan{}, fmt.Errorf("%w: nothing to stream (video and audio are both none)", ErrBadSource)
	}

	limit := p.VideoLimit(plan.Width, plan.Height, plan.FPS)
	if plan.VideoKbps == 0 {
		plan.VideoKbps = min(p.DefaultVideoKbps, limit)
	}
	if plan.VideoKbps < 100 {
		return Plan{}, fmt.Errorf("%w: video bitrate %d kb/s (at least 100)", ErrBadSettings, plan.VideoKbps)
	}
	if plan.VideoKbps > limit {
		plan.Warnings = append(plan.Warnings, fmt.Sprintf("%s takes at most %d kb/s of video at this size: lowered from %d", p.Name, limit, plan.VideoKbps))
		plan.VideoKbps = limit
	}
	if plan.AudioKbps == 0 {
		plan.AudioKbps = p.DefaultAudioKbps
	}
	if plan.AudioKbps < 32 {
		return Plan{}, fmt.Errorf("%w: audio bitrate %d kb/s (at least 32)", ErrBadSettings, plan.AudioKbps)
	}
	if plan.AudioKbps > p.MaxAudioKbps {
		plan.Warnings = append(plan.Warnings, fmt.Sprintf("%s takes at most %d kb/s of audio: lowered from %d", p.Name, p.MaxAudioKbps, plan.AudioKbps))
		plan.AudioKbps = p.MaxAudioKbps
	}

	if c.RecordOnly {
		if c.RecordPath == "" {
			return Plan{}, fmt.Errorf("%w: recording only needs a file to record to", ErrBadSettings)
		}
		return plan, nil
	}
	first, err := resolveDestination(p, c.Server, c.Key, c.CAFile)
	if err != nil {
		return Plan{}, err
	}
	plan.Dests = []destPlan{first}
	if err := plan.resolveMoreDestinations(); err != nil {
		return Plan{}, err
	}
	return plan, nil
}

// resolveDestination checks one destination's server and key against its preset.
func resolveDestination(p Preset, server, key, caFile string) (destPlan, error) {
	d := destPlan{name: p.Name, preset: p, key: key}
	if p.ID == "local" && server == "" {
		d.localTest = true
		return d, nil // the receiver's address is known once it listens
	}
	if server == "" {
		server = p.DefaultServer()
	}
	if server == "" {
		return destPlan{}, fmt.Errorf("%w: %s needs your server address (%s)", rtmpout.ErrBadURL, p.Name, p.ServerHint)
	}
	if p.KeyRequired && strings.TrimSpace(key) == "" {
		return destPlan{}, fmt.Errorf("%w for %s: %s", ErrMissingKey, p.Name, p.About)
	}
	var err error
	if d.target, err = rtmpout.ParseURL(server, key); err != nil {
		return destPlan{}, err
	}
	if p.RTMPSRequired && !d.target.TLS {
		return destPlan{}, fmt.Errorf("%w: %s accepts only secure rtmps:// addresses", rtmpout.ErrBadURL, p.Name)
	}
	d.server = server
	if p.ID == "custom" {
		d.name = d.target.Host
	}
	if caFile != "" {
		if d.extraCA, err = os.ReadFile(caFile); err != nil {
			return destPlan{}, fmt.Errorf("%w: reading the CA file: %v", ErrBadSettings, err)
		}
	}
	return d, nil
}

func parseSource(spec, def string, kinds []string) (kind, arg string, err error) {
	if spec == "" {
		spec = def
	}
	kind, arg, _ = strings.Cut(spec, ":")
	for _, k := range kinds {
		if kind == k {
			return kind, arg, nil
		}
	}
	return "", "", fmt.Errorf("%w %q: use one of %s", ErrBadSource, spec, strings.Join(kinds, ", "))
}

// SplitServerKey takes the stream key out of a server address that carries it as its last part
// (rtmp://host/app/KEY), so that the address can be saved and shown without it. ok is false when
// the address holds no key, or is not valid.
func SplitServerKey(server string) (base, key string, ok bool) {
	t, err := rtmpout.ParseURL(server, "")
	if err != nil || t.StreamName == "" {
		return server, "", false
	}
	return t.TCURL, t.StreamName, true
}

// resolveSecondPicture checks the second picture and the layout.
func (p *Plan) resolveSecondPicture() error {
	var err error
	if p.Video2Kind, p.Video2Arg, err = parseSource(p.Video2, "none", []string{"test", "camera", "screen", "file", "none"}); err != nil {
		return err
	}
	if p.Video2Kind == "file" && p.Video2Arg == "" {
		return fmt.Errorf("%w: --video2 file:PATH needs a path", ErrBadSource)
	}
	if p.Video2Kind != "none" && p.VideoKind == "none" {
		return fmt.Errorf("%w: a second picture (--video2) goes with a first one (--video)", ErrBadSource)
	}
	if p.Video2Kind != "none" && p.Video2Kind == p.VideoKind && p.Video2Arg == p.VideoArg && p.VideoKind != "test" {
		return fmt.Errorf("%w: the second picture is the same %s as the first", ErrBadSource, p.VideoKind)
	}
	if p.layout, err = ParseLayout(p.Layout); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSettings, err)
	}
	if p.Layout == "" && p.Video2Kind != "none" {
		p.layout = DefaultCorner
	}
	if p.layout.Kind != "video" && p.Video2Kind == "none" {
		return fmt.Errorf("%w: the layout %s needs a second picture (--video2)", ErrBadSettings, p.layout)
	}
	return nil
}

// resolveSecondSound checks the second sound and the levels.
func (p *Plan) resolveSecondSound() error {
	var err error
	if p.Audio2Kind, p.Audio2Arg, err = parseSource(p.Audio2, "none", []string{"desktop", "test", "mic", "file", "none"}); err != nil {
		return err
	}
	switch {
	case p.Audio2Kind != "none" && p.AudioKind == "none":
		return fmt.Errorf("%w: a second sound (--audio2) goes with a first one (--audio)", ErrBadSource)
	case p.Audio2Kind == "file" && (p.VideoKind != "file" || p.AudioKind == "file"):
		return fmt.Errorf("%w: --audio2 file takes the sound of a --video file: source whose sound is not already the first", ErrBadSource)
	case p.Audio2Kind != "none" && p.Audio2Kind == p.AudioKind && p.Audio2Arg == p.AudioArg && p.AudioKind != "test":
		return fmt.Errorf("%w: the second sound is the same %s as the first", ErrBadSource, p.AudioKind)
	}
	for _, db := range []float64{p.AudioGainDB, p.Audio2GainDB} {
		if db < -60 || db > 24 || math.IsNaN(db) {
			return fmt.Errorf("%w: a sound level of %g dB (-60 to +24)", ErrBadSettings, db)
		}
	}
	return nil
}
