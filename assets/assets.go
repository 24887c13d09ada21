// Package assets holds OnAir's static files: the icon and the platform presets.
package assets

import _ "embed"

// IconPNG is OnAir's application icon (drawn by scripts/icon.sh).
//
//go:embed icon.png
var IconPNG []byte
