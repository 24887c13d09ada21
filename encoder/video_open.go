package encoder

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/asticode/go-astiav"
)

// openFirstWorking opens the encoder cfg names, or else the first hardware encoder that works here,
// or else libx264 with the preset and threads its trial picks for this machine. It records the
// preset and threads chosen in cfg.
func openFirstWorking(cfg *VideoConfig, log *slog.Logger) (*astiav.CodecContext, string, error) {
	names := []string{cfg.Codec}
	if cfg.Codec == "" {
		names = append(hardwareThatWorks(), "libx264")
	}
	var err error
	for _, name := range names {
		c := *cfg
		if name == "libx264" && c.Preset == "" {
			c.Logger = log
			s, fps, cached := stepFor(c, time.Now())
			c.Preset, c.Threads = s.Preset, s.Threads
			log.Info("x264 preset chosen", "preset", c.Preset, "threads", c.Threads, "trial_fps", fps, "remembered", cached)
		}
		cc, openErr := openVideo(name, c)
		if openErr == nil {
			cfg.Preset, cfg.Threads = c.Preset, c.Threads
			return cc, name, nil
		}
		err = openErr
		log.Info("video encoder unavailable", "codec", name, "err", err)
	}
	return nil, "", fmt.Errorf("encoder: no H.264 encoder could be opened: %w", err)
}

// forcedIDROption names, per encoder, the option that makes a forced keyframe an IDR frame: one a
// viewer who joins, or a server after a reconnect, can start from. VA-API makes every forced I
// frame an IDR by itself; the start-up trial checks each encoder either way (forcedKeyIsIDR).
var forcedIDROption = map[string]string{"libx264": "forced-idr", "h264_nvenc": "forced-idr", "h264_qsv": "forced_idr"}

// openVideo opens one encoder with OnAir's streaming settings: constant bitrate, exact keyframe
// interval, no scene-cut keyframes, zero latency.
func openVideo(name string, cfg VideoConfig) (*astiav.CodecContext, error) {
	codec := astiav.FindEncoderByName(name)
	if codec == nil {
		return nil, fmt.Errorf("FFmpeg has no encoder %q", name)
	}
	cc := astiav.AllocCodecContext(codec)
	if cc == nil {
		return nil, errors.New("cannot allocate a codec context")
	}
	cc.SetWidth(cfg.Width)
	cc.SetHeight(cfg.Height)
	cc.SetPixelFormat(astiav.PixelFormatYuv420P)
	cc.SetTimeBase(astiav.NewRational(1, msTimeBase))
	cc.SetFramerate(astiav.NewRational(cfg.FPS, 1))
	cc.SetGopSize(gopFrames(cfg))
	cc.SetFlags(cc.Flags().Add(astiav.CodecContextFlagGlobalHeader))
	bps := int64(cfg.BitrateKbps) * 1000
	cc.SetBitRate(bps)

	d := astiav.NewDictionary()
	defer d.Free()
	opts := map[string]string{
		"maxrate": strconv.FormatInt(bps, 10), "bufsize": strconv.FormatInt(bps, 10),
		"bf": strconv.Itoa(cfg.BFrames), "g": strconv.Itoa(gopFrames(cfg)),
	}
	if opt, ok := forcedIDROption[name]; ok && !cfg.openGOP {
		opts[opt] = "1"
	}
	if name == "libx264" {
		opts["preset"] = cfg.Preset
		opts["tune"] = "zerolatency"
		opts["profile"] = cfg.Profile
		opts["sc_threshold"] = "0" // without it x264 adds keyframes at scene cuts
		// Strict CBR, as Twitch asks and OBS does: filler keeps the rate exact on easy pictures, so
		// the network is loaded as planned and congestion shows the same whatever the scene.
		opts["x264-params"] = "filler=1"
		// A fresh encoder's rate buffer starts 90 % full, so its first IDR frame takes that: 2.5
		// times a later keyframe, a burst that overruns a shallow bottleneck when the encoder is
		// opened again at a new size mid-stream. Starting it a quarter full keeps that IDR as big
		// as the others.
		opts["x264-params"] += ":vbv-init=0.25"
		if cfg.openGOP {
			opts["x264-params"] += ":open-gop=1"
		}
		if cfg.Threads > 0 {
			opts["threads"] = strconv.Itoa(cfg.Threads)
		}
	}
	for k, val := range opts {
		if err := d.Set(k, val, 0); err != nil {
			cc.Free()
			return nil, err
		}
	}
	if err := cc.Open(codec, d); err != nil {
		cc.Free()
		return nil, err
	}
	return cc, nil
}

func gopFrames(cfg VideoConfig) int {
	return max(1, int(cfg.KeyframeInterval.Seconds()*float64(cfg.FPS)+0.5))
}
