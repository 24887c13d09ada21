// Package assets holds OnAir's static files: the icon and the platform presets.
package assets

import _ "embed"

// IconPNG is OnAir's application icon (drawn by scripts/icon.sh).
//
//go:embed icon.png
var IconPNG []byte

// PresetsJSON lists the streaming platforms with their servers and limits (read by broadcast/).
//
//go:embed presets.json
var PresetsJSON []byte
