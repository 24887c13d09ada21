package encoder

import (
	"path/filepath"
	"sync"

	"github.com/asticode/go-astiav"

	"onair/internal/annexb"
)

// hardwareCandidate is an H.264 encoder a system FFmpeg may offer besides libx264 (the static
// build carries only v4l2 m2m, which needs no driver library), and the device
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

// trialEncode opens the encoder at a small size and checks that it encodes, and that a keyframe
// asked for comes out as an IDR frame: OnAir asks for one after every reconnect.
func trialEncode(name string) bool {
	if astiav.FindEncoderByName(name) == nil {
		return false
	}
	return forcedKeyIsIDR(name, VideoConfig{Width: 320, Height: 240, FPS: 30, BitrateKbps: 500, KeyframeInterval: 10e9, Preset: "veryfast", Profile: "main"})
}

// forcedKeyIsIDR encodes six black frames with the fourth forced to a keyframe, and reports
// whether that frame came out as an IDR frame.
func forcedKeyIsIDR(name string, cfg VideoConfig) bool {
	cc, err := openVideo(name, cfg)
	if err != nil {
		return false
	}
	defer cc.Free()
	f := astiav.AllocFrame()
	defer f.Free()
	f.SetWidth(cfg.Width)
	f.SetHeight(cfg.Height)
	f.SetPixelFormat(astiav.PixelFormatYuv420P)
	if f.AllocBuffer(0) != nil || f.ImageFillBlack() != nil {
		return false
	}
	const forced = 3
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	idr := false
	drain := func() {
		for cc.ReceivePacket(pkt) == nil {
			if pkt.Pts() == forced*msTimeBase/int64(cfg.FPS) {
				idr = hasIDR(packetData(pkt))
			}
			pkt.Unref()
		}
	}
	for i := 0; i < 6; i++ {
		f.SetPts(int64(i) * msTimeBase / int64(cfg.FPS))
		f.SetPictureType(astiav.PictureTypeNone)
		if i == forced {
			f.SetPictureType(astiav.PictureTypeI)
		}
		if cc.SendFrame(f) != nil {
			return false
		}
		drain()
	}
	if cc.SendFrame(nil) != nil {
		return false
	}
	drain()
	return idr
}

// hasIDR reports whether an Annex B access unit holds an IDR slice (NAL unit type 5).
func hasIDR(au []byte) bool {
	found := false
	annexb.Units(au, func(_, body, end int) {
		if body < end && au[body]&0x1f == 5 {
			found = true
		}
	})
	return found
}

// QuietLogs limits FFmpeg's own logging to errors. FFmpeg's log level is process-wide, so main
// calls this once.
func QuietLogs() { astiav.SetLogLevel(astiav.LogLevelError) }
