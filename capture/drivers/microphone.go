//go:build !nomicrophone

package drivers

import _ "github.com/pion/mediadevices/pkg/driver/microphone"
