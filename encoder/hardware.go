package encoder

import (
	"sync"

	"github.com/asticode/go-astiav"
)

// hardwareCandidates are the H.264 encoders Debian's FFmpeg offers besides libx264. Most need a
// device this machine may not have; a trial encode decides.
var hardwareCandidates = []string{"h264_nvenc", "h264_qsv", "h264_vaapi", "h264_v4l2m2m"}

var (
	hardwareOnce   sync.Once
	hardwareWorked []string
)

// hardwareThatWorks returns the hardware encoders that opened and encoded a frame here. The trial
// runs once per process.
func hardwareThatWorks() []string {
	hardwareOnce.Do(func() {
		// Failing trials log errors of their own ("Cannot load libcuda.so.1"): expected, so hidden.
		level := astiav.GetLogLevel()
		astiav.SetLogLevel(astiav.LogLevelQuiet)
		defer astiav.SetLogLevel(level)
		for _, name := range hardwareCandidates {
			if trialEncode(name) {
				hardwareWorked = append(hardwareWorked, name)
			}
		}
	})
	return hardwareWorked
}

// trialEncode opens the encoder at a small size and encodes one black frame.
func trialEncode(name string) bool {
	if astiav.FindEncoderByName(name) == nil {
		return false
	}
	cfg := VideoConfig{Width: 320, Height: 240, FPS: 30, BitrateKbps: 500, KeyframeInterval: 1e9, Preset: "veryfast", Profile: "main"}
	cc, err := openVideo(name, cfg)
	if err != nil {
		return false
	}
	defer cc.Free()
	f := astiav.AllocFrame()
	defer f.Free()
	f.SetWidth(320)
	f.SetHeight(240)
	f.SetPixelFormat(astiav.PixelFormatYuv420P)
	if f.AllocBuffer(0) != nil || f.ImageFillBlack() != nil {
		return false
	}
	f.SetPts(0)
	if cc.SendFrame(f) != nil || cc.SendFrame(nil) != nil {
		return false
	}
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	if cc.ReceivePacket(pkt) != nil {
		return false
	}
	pkt.Unref()
	return true
}

// QuietLogs limits FFmpeg's own logging to errors. FFmpeg's log level is process-wide, so main
// calls this once.
func QuietLogs() { astiav.SetLogLevel(astiav.LogLevelError) }
