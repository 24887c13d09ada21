// Package capture lists and opens cameras, microphones, screens, test sources and media files, and
// delivers frames stamped on one monotonic clock. It is the only package that imports mediadevices.
package capture

import _ "github.com/pion/mediadevices" // pinned in go.mod; the sources land with their issue
