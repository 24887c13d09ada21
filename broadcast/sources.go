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
	video  capture.VideoSource
	video2 capture.VideoSource // the second picture, if any
	audio  capture.AudioSource
	audio2 capture.AudioSource // the second sound, mixed with the first
	file   *capture.MediaFile  // the file behind video and audio, when they come from one
	file2  *capture.MediaFile  // the file behind video2
	once   sync.Once
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
	src.video, src.file, err = openPicture(p, clock, p.VideoKind, p.VideoArg, p.AudioKind == "file" || p.Audio2Kind == "file", p.Loop)
	if err != nil {
		return err
	}
	if p.wrapVideo != nil && src.video != nil {
		src.video = p.wrapVideo(clock, src.video)
	}
	// A file as the second picture plays on in a loop: it stands in for a camera.
	if src.video2, src.file2, err = openPicture(p, clock, p.Video2Kind, p.Video2Arg, false, true); err != nil {
		return err
	}
	switch p.AudioKind {
	case "test":
		src.audio = capture.NewTestTone(clock)
	case "mic":
		src.audio, err = openMicrophone(clock, p.AudioArg)
	case "file":
		src.audio = src.file.Audio()
		if p.AtFileEnd == FileEndHold && src.audio != nil {
			src.audio = keepAudio(clock, fmt.Sprintf("video file “%s”", filepath.Base(p.VideoArg)), src.audio, neverAgain[capture.AudioSource])
		}
	}
	if err != nil {
		return err
	}
	return src.openSecondSound(p, clock)
}

// openSecondSound opens the sound mixed with the first, at the first's rate.
func (src *sources) openSecondSound(p Plan, clock *capture.Clock) error {
	var err error
	switch p.Audio2Kind {
	case "none":
		return nil
	case "test":
		src.audio2 = capture.NewTestTone(clock)
	case "desktop":
		src.audio2, err = capture.OpenDesktopSound(clock)
	case "mic":
		src.audio2, err = openMicrophone(clock, p.Audio2Arg)
	case "file":
		if src.audio2 = src.file.Audio(); src.audio2 == nil {
			err = fmt.Errorf("%w: %s has no sound", ErrBadSource, filepath.Base(p.VideoArg))
		}
	}
	if err != nil {
		return err
	}
	if a, b := src.audio.Info().SampleRate, src.audio2.Info().SampleRate; a != b {
		return fmt.Errorf("%w: the second sound (%s) runs at %d Hz and the first at %d Hz; OnAir mixes sounds of the same rate only",
			ErrBadSource, src.audio2.Info().Label, b, a)
	}
	return nil
}

// openMicrophone opens a microphone, kept: silence stands in while it is away, and it is taken
// back when it returns.
func openMicrophone(clock *capture.Clock, name string) (capture.AudioSource, error) {
	open := func() (capture.AudioSource, error) { return capture.OpenMicrophone(clock, name) }
	dev, err := open()
	if err != nil {
		return nil, err
	}
	return keepAudio(clock, fmt.Sprintf("microphone “%s”", dev.Info().Label), dev, open), nil
}

// openPicture opens a picture source of kind with arg; file is the media file behind it, if any.
func openPicture(p Plan, clock *capture.Clock, kind, arg string, fileSound, loop bool) (video capture.VideoSource, file *capture.MediaFile, err error) {
	switch kind {
	case "test":
		video, err = capture.NewTestPattern(clock, p.Width, p.Height, p.FPS)
	case "camera", "screen":
		open := func() (capture.VideoSource, error) {
			if kind == "screen" {
				return capture.OpenScreen(clock, arg, float64(p.FPS))
			}
			return capture.OpenCamera(clock, arg, p.Width, p.Height, float64(p.FPS))
		}
		var dev capture.VideoSource
		if dev, err = open(); err == nil {
			what := fmt.Sprintf("%s “%s”", kind, dev.Info().Label)
			video = keepVideo(clock, what, dev, open, p.Width, p.Height, p.FPS)
		}
	case "file":
		file, err = capture.OpenMediaFile(clock, arg, capture.MediaFileOptions{Video: true, Audio: fileSound, Loop: loop})
		if err == nil {
			video = file.Video()
			if p.AtFileEnd == FileEndHold && !loop { // at the end the stand-in holds the last picture
				what := fmt.Sprintf("video file “%s”", filepath.Base(arg))
				video = keepVideo(clock, what, video, neverAgain[capture.VideoSource], p.Width, p.Height, p.FPS)
			}
		}
	}
	return video, file, err
}

// lost names the devices that are away while their stand-ins play.
func (src *sources) lost() []string {
	var out []string
	for _, s := range []any{src.video, src.video2, src.audio, src.audio2} {
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
		if src.video2 != nil {
			src.video2.Close()
		}
		if src.file2 != nil {
			src.file2.Close()
		}
		if src.audio != nil {
			src.audio.Close()
		}
		if src.audio2 != nil {
			src.audio2.Close()
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
