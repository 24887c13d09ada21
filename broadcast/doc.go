// Package broadcast is the session engine: capture -> encoder -> rtmpout, bitrate control,
// reconnect and stats. The window and the `onair stream` command drive it.
package broadcast
