package encoder

import (
	"path/filepath"
	"sync"

	"github.com/asticode/go-astiav"
)

// hardwareCandidate is an H.264 encoder Debian's FFmpeg offers besides libx264, and the device
// nodes it cannot work without.
type hardwareCandidate struct {
	name    string
	devices string // a glob: the encoder is tried only when something matches
}

// hardwareCandidates are tried in order. Where the device is there a trial encode decides; where
// it is not, trying would only load drivers (libcuda, libva) for nothing.
var hardwareCandidates = []hardwareCandidate{
	{"h264_nvenc", "/dev/nvidia[0-9]*"},
	{"h264_qsv", "/dev/dri/renderD*"},
	{"h264_vaapi", "/dev/dri/renderD*"},
	{"h264_v4l2m2m", "/dev/video*"},
}

// worthTrying returns the candidates whose devices exist according to glob.
func worthTrying(candidates []hardwareCandidate, glob func(string) ([]string, error)) []string {
	var names []string
	for _, c := range candidates {
		if m, err := glob(c.devices); err == nil && len(m) > 0 {
			names = append(names, c.name)
		}
	}
	return names
}

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
		for _, name := range worthTrying(hardwareCandidates, filepath.Glob) {
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
