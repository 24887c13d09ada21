// Package drivers registers mediadevices' camera (V4L2) and screen (X11) drivers. Registration is
// process-wide, so only main (and tests) import it:
//
//	import _ "onair/capture/drivers"
//
// Microphones are not here: capture registers its own miniaudio driver the first time one is
// listed or opened (mediadevices' would start the sound system in every run).
package drivers

import (
	_ "github.com/pion/mediadevices/pkg/driver/camera"
	_ "github.com/pion/mediadevices/pkg/driver/screen"
)
