package broadcast

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"onair/capture"
	"onair/encoder"
)

// pictures are the second picture and the layout, as a session and a preview both keep them.
type pictures struct {
	second *latestPicture // nil without a second picture
	layout atomic.Pointer[Layout]
}

// startPictures sets the layout and, with a second picture, starts keeping its newest frame
// for the composites and t's preview pictures.
func (p *pictures) startPictures(src capture.VideoSource, l Layout, t *tapper, ended func(error)) {
	p.layout.Store(&l)
	if src != nil {
		p.second = keepLatest(src, ended)
		t.second, t.layout = p.second, &p.layout
	}
}

// SetLayout changes how the two pictures share the stream's, from the next frame on.
func (p *pictures) SetLayout(l Layout) error {
	if p.second == nil && l.Kind != "video" {
		return fmt.Errorf("%w: the layout %s needs a second picture", ErrBadSettings, l)
	}
	p.layout.Store(&l)
	return nil
}

// latestPicture keeps the second picture source's newest frame for the composites: the first
// source sets the pace, and a late camera repeats its last picture instead of holding it up.
// A frame is released once it is replaced and no composite uses it any more.
type latestPicture struct {
	mu   sync.Mutex
	cur  *sharedFrame
	done chan struct{}
}

type sharedFrame struct {
	capture.VideoFrame
	release func()
	users   int // the holder counts as one while the frame is the newest
}

// keepLatest reads src until it is closed.
func keepLatest(src capture.VideoSource, ended func(error)) *latestPicture {
	l := &latestPicture{done: make(chan struct{})}
	go func() {
		defer close(l.done)
		for {
			f, release, err := src.Read()
			if err != nil {
				l.mu.Lock()
				last := l.cur
				l.cur = nil
				l.mu.Unlock()
				l.drop(last)
				if !errors.Is(err, capture.ErrClosed) {
					ended(err)
				}
				return
			}
			l.mu.Lock()
			old := l.cur
			l.cur = &sharedFrame{VideoFrame: f, release: release, users: 1}
			l.mu.Unlock()
			l.drop(old)
		}
	}()
	return l
}

func (l *latestPicture) drop(s *sharedFrame) {
	if s == nil {
		return
	}
	l.mu.Lock()
	s.users--
	last := s.users == 0
	l.mu.Unlock()
	if last {
		s.release()
	}
}

// take lends the newest frame; false before the first one.
func (l *latestPicture) take() (capture.VideoFrame, func(), bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.cur
	if s == nil {
		return capture.VideoFrame{}, nil, false
	}
	s.users++
	var once sync.Once
	return s.VideoFrame, func() { once.Do(func() { l.drop(s) }) }, true
}

// compose lays out vf (the first picture, at the stream's size w×h) with the second picture's
// newest frame as layout says. The frame it returns owns what it holds.
func (l *latestPicture) compose(vf encoder.VideoFrame, layout Layout, w, h int) (encoder.VideoFrame, error) {
	first, second := layout.areas(w, h)
	if second.Empty() {
		return vf, nil
	}
	f2, release, ok := l.take()
	if !ok { // no second picture yet: the first alone
		return vf, nil
	}
	v2, err := toEncoderFrame(f2, release)
	if err != nil {
		release()
		return vf, err
	}
	if first.Empty() { // the second picture alone, on the first's clock
		if vf.Release != nil {
			vf.Release()
		}
		v2.PTS = vf.PTS
		return v2, nil
	}
	vf.Area, vf.Inset, vf.InsetArea = first, &v2, second
	return vf, nil
}
