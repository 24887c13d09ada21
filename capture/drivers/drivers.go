// Package drivers registers mediadevices' camera (V4L2), microphone (miniaudio) and screen (X11)
// drivers. Registration is process-wide, so only main (and tests) import it:
//
//	import _ "onair/capture/drivers"
//
// Build with the `nomicrophone` tag on a machine where miniaudio cannot start at all (its driver's
// init panics there); OnAir then runs without a microphone.
package drivers

import (
	_ "github.com/pion/mediadevices/pkg/driver/camera"
	_ "github.com/pion/mediadevices/pkg/driver/screen"
)
