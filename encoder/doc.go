// Package encoder turns raw frames into H.264 video and AAC audio with FFmpeg (go-astiav v0.16.0,
// the last release that builds against Debian 12's FFmpeg 5.1), and follows bitrate changes while live.
package encoder

import _ "github.com/asticode/go-astiav" // pinned in go.mod; the encoders land with their issue
