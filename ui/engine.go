package ui

import (
	"context"

	"onair/broadcast"
)

// Engine is what the window needs from the session engine. The real one is Broadcast; tests use
// a fake.
type Engine interface {
	Presets() []broadcast.Preset
	Devices() []broadcast.Device
	// Preview shows the sources (through cfg.Taps) before going live.
	Preview(cfg broadcast.Config) (Stopper, error)
	// GoLive starts a session; errors in the settings come back at once.
	GoLive(ctx context.Context, cfg broadcast.Config) (Live, error)
}

// Stopper is something running that the window can stop.
type Stopper interface{ Stop() }

// Live is a running session as the window sees it.
type Live interface {
	Subscribe() <-chan broadcast.Stats
	Stop()
	ReconnectNow()
	// ReconnectDestination skips one destination's wait (0: the first, then the others in order).
	ReconnectDestination(i int)
	SetBitrate(kbps int)
	Report() string
	// StartRecording records what is sent to path while the stream goes on; StopRecording ends it.
	StartRecording(path string) error
	StopRecording()
	// LocalTestReport is what the Local test received, once the stream has ended (nil for other
	// destinations).
	LocalTestReport() *broadcast.LocalReport
}

// Broadcast is the real Engine.
type Broadcast struct {
	CacheDir  string // where sessions remember measurements between runs; "" remembers nothing
	AboutText string // the version lines the About dialog shows
}

// About says which OnAir and FFmpeg this is.
func (b Broadcast) About() string { return b.AboutText }

// Presets lists the platforms.
func (Broadcast) Presets() []broadcast.Preset { return broadcast.Presets() }

// Devices lists capture devices.
func (Broadcast) Devices() []broadcast.Device { return broadcast.Devices() }

// Preview starts a preview of the sources.
func (Broadcast) Preview(cfg broadcast.Config) (Stopper, error) { return broadcast.StartPreview(cfg) }

// GoLive starts a session.
func (b Broadcast) GoLive(ctx context.Context, cfg broadcast.Config) (Live, error) {
	cfg.CacheDir = b.CacheDir
	return broadcast.Start(ctx, cfg)
}
