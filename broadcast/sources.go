package broadcast

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"

	"onair/capture"
)

// sources are a session's or a preview's open capture sources. They are closed once, from close,
// whoever calls it first: Stop from the window and a failure from a pipeline may race.
type sources struct {
	video capture.VideoSource
	audio capture.AudioSource
	file  *capture.MediaFile // the file behind video and audio, when they come from one
	once  sync.Once
}

// openSources opens what p asks for on clock. On error the ones already open are closed.
func openSources(p Plan, clock *capture.Clock) (*sources, error) {
	src := &sources{}
	err := src.open(p, clock)
	if err != nil {
		src.close()
		return nil, err
	}
	return src, nil
}

func (src *sources) open(p Plan, clock *capture.Clock) error {
	var err error
	switch p.VideoKind {
	case "test":
		src.video, err = capture.NewTestPattern(clock, p.Width, p.Height, p.FPS)
	case "camera", "screen":
		open := func() (capture.VideoSource, error) {
			if p.VideoKind == "screen" {
				return capture.OpenScreen(clock, p.VideoArg, float64(p.FPS))
			}
			return capture.OpenCamera(clock, p.VideoArg, p.Width, p.Height, float64(p.FPS))
		}
		var dev capture.VideoSource
		if dev, err = open(); err == nil {
			what := fmt.Sprintf("%s “%s”", p.VideoKind, dev.Info().Label)
			src.video = keepVideo(clock, what, dev, open, p.Width, p.Height, p.FPS)
		}
	case "file":
		src.file, err = capture.OpenMediaFile(clock, p.VideoArg, capture.MediaFileOptions{Video: true, Audio: p.AudioKind == "file", Loop: p.Loop})
		if err == nil {
			src.video = src.file.Video()
			if p.AtFileEnd == FileEndHold { // at the end the stand-in holds the last picture
				what := fmt.Sprintf("video file “%s”", filepath.Base(p.VideoArg))
				src.video = keepVideo(clock, what, src.video, neverAgain[capture.VideoSource], p.Width, p.Height, p.FPS)
			}
		}
	}
	if err != nil {
		return err
	}
	if p.wrapVideo != nil && src.video != nil {
		src.video = p.wrapVideo(clock, src.video)
	}
	switch p.AudioKind {
	case "test":
		src.audio = capture.NewTestTone(clock)
	case "mic":
		open := func() (capture.AudioSource, error) { return capture.OpenMicrophone(clock, p.AudioArg) }
		var dev capture.AudioSource
		if dev, err = open(); err == nil {
			src.audio = keepAudio(clock, fmt.Sprintf("microphone “%s”", dev.Info().Label), dev, open)
		}
	case "file":
		src.audio = src.file.Audio()
		if p.AtFileEnd == FileEndHold && src.audio != nil {
			src.audio = keepAudio(clock, fmt.Sprintf("video file “%s”", filepath.Base(p.VideoArg)), src.audio, neverAgain[capture.AudioSource])
		}
	}
	return err
}

// lost names the devices that are away while their stand-ins play.
func (src *sources) lost() []string {
	var out []string
	for _, s := range []any{src.video, src.audio} {
		if k, ok := s.(interface{ lost() string }); ok && k.lost() != "" && !slices.Contains(out, k.lost()) {
			out = append(out, k.lost())
		}
	}
	return out
}

// close closes every source; their readers return capture.ErrClosed.
func (src *sources) close() {
	src.once.Do(func() {
		if src.video != nil {
			src.video.Close()
		}
		if src.audio != nil {
			src.audio.Close()
		}
		if src.file != nil {
			src.file.Close()
		}
	})
}

// neverAgain is the opener of a source that does not come back: a file that ended.
func neverAgain[S any]() (S, error) {
	var none S
	return none, errors.New("a file that ended does not come back")
}
