package broadcast

import (
	"image"
	"sync"
	"sync/atomic"
	"time"

	"onair/capture"
)

// A device that stops delivering (unplugged, taken by another program) must not end the broadcast:
// a kept source stands in for it with the last picture dimmed under "Be right back", or with
// silence, and takes the device back when it can be opened again.
const (
	lostAfter   = time.Second     // a device silent this long is gone; viewers see the stand-in
	reopenEvery = 2 * time.Second // how often a lost device is looked for
	keepEvery   = time.Second     // how often the last picture is kept for the stand-in
)

// opener opens a device again, by the name it was chosen by.
type opener[S any] func() (S, error)

// pumped is one read of a device, handed from the goroutine that waits on it.
type pumped[F any] struct {
	frame   F
	release func()
	err     error
}

// pump reads a device in a goroutine of its own, so that a device that hangs is noticed.
type pump[F any] struct {
	out  chan pumped[F]
	quit chan struct{}
}

func startPump[F any](read func() (F, func(), error)) *pump[F] {
	p := &pump[F]{out: make(chan pumped[F]), quit: make(chan struct{})}
	go func() {
		for {
			f, release, err := read()
			select {
			case p.out <- pumped[F]{f, release, err}:
			case <-p.quit:
				if release != nil {
					release()
				}
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return p
}

// keeper holds what kept video and audio share: the device, its loss and its return.
type keeper[S interface{ Close() error }, F any] struct {
	what   string // "camera “HD Webcam”", for the window
	open   opener[S]
	read   func(S) func() (F, func(), error)
	back   chan S // a reopened device
	stop   chan struct{}
	once   sync.Once
	isLost atomic.Bool
	timer  *time.Timer // the reading goroutine's one timer, reset for every wait

	mu     sync.Mutex // dev, pump and closed change together
	dev    S
	pump   *pump[F]
	closed bool
}

func newKeeper[S interface{ Close() error }, F any](what string, dev S, open opener[S], read func(S) func() (F, func(), error)) *keeper[S, F] {
	k := &keeper[S, F]{what: what, open: open, read: read, dev: dev, back: make(chan S), stop: make(chan struct{})}
	k.pump = startPump(read(dev))
	return k
}

// after is a channel that fires in d, from one timer reused for every read: a device delivers
// thirty frames a second.
func (k *keeper[S, F]) after(d time.Duration) <-chan time.Time {
	if k.timer == nil {
		k.timer = time.NewTimer(d)
	} else {
		k.timer.Reset(d)
	}
	return k.timer.C
}

// frames is the current device's pump.
func (k *keeper[S, F]) frames() <-chan pumped[F] {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.pump.out
}

// lose gives up the device: it is closed (in the background: a dead device may hang) and looked
// for every reopenEvery until it opens or the source is closed.
func (k *keeper[S, F]) lose() {
	k.mu.Lock()
	if k.closed || k.isLost.Load() {
		k.mu.Unlock()
		return
	}
	k.isLost.Store(true)
	close(k.pump.quit)
	dev := k.dev
	k.mu.Unlock()
	go dev.Close()
	go func() {
		t := time.NewTicker(reopenEvery)
		defer t.Stop()
		for {
			select {
			case <-k.stop:
				return
			case <-t.C:
			}
			if d, err := k.open(); err == nil {
				select {
				case k.back <- d:
				case <-k.stop:
					d.Close()
				}
				return
			}
		}
	}()
}

// resume takes back a reopened device.
func (k *keeper[S, F]) resume(d S) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		d.Close()
		return
	}
	k.dev, k.pump = d, startPump(k.read(d))
	k.isLost.Store(false)
}

// lost names the device while it is away, else "".
func (k *keeper[S, F]) lost() string {
	if k.isLost.Load() {
		return k.what
	}
	return ""
}

func (k *keeper[S, F]) stopped() bool {
	select {
	case <-k.stop:
		return true
	default:
		return false
	}
}

// Close closes the device (unless it is lost, and so closed already) and ends the stand-in.
func (k *keeper[S, F]) Close() error {
	k.once.Do(func() {
		close(k.stop)
		k.mu.Lock()
		defer k.mu.Unlock()
		k.closed = true
		if !k.isLost.Load() {
			close(k.pump.quit)
			k.dev.Close()
		}
	})
	return nil
}

// keptVideo is a video device with a "be right back" stand-in.
type keptVideo struct {
	*keeper[capture.VideoSource, capture.VideoFrame]
	clock    *capture.Clock
	info     capture.VideoInfo
	interval time.Duration
	picture  image.Image // the last picture kept, then the stand-in's
	keptAt   time.Time
	next     time.Duration // when the next stand-in frame is due
}

func keepVideo(clock *capture.Clock, what string, dev capture.VideoSource, open opener[capture.VideoSource], width, height, fps int) *keptVideo {
	read := func(d capture.VideoSource) func() (capture.VideoFrame, func(), error) { return d.Read }
	info := dev.Info()
	if info.Width == 0 {
		info.Width, info.Height = width, height
	}
	return &keptVideo{keeper: newKeeper(what, dev, open, read), clock: clock, info: info, interval: time.Second / time.Duration(fps)}
}

func (v *keptVideo) Info() capture.VideoInfo { return v.info }

// Read returns the device's next frame, or the stand-in's while the device is away.
func (v *keptVideo) Read() (capture.VideoFrame, func(), error) {
	for {
		if v.isLost.Load() {
			select {
			case d := <-v.back:
				v.resume(d)
				continue
			case <-v.after(time.Until(v.clock.At(v.next))):
				f := capture.VideoFrame{Image: v.picture, Time: v.next}
				v.next += v.interval
				return f, func() {}, nil
			case <-v.stop:
				return capture.VideoFrame{}, func() {}, capture.ErrClosed
			}
		}
		select {
		case r := <-v.frames():
			if r.err == nil {
				if now := time.Now(); now.Sub(v.keptAt) >= keepEvery {
					if p := keepPicture(r.frame.Image); p != nil {
						v.picture, v.keptAt = p, now
					}
				}
				return r.frame, r.release, nil
			}
			if v.stopped() {
				return capture.VideoFrame{}, func() {}, capture.ErrClosed
			}
		case <-v.after(lostAfter):
		case <-v.stop:
			return capture.VideoFrame{}, func() {}, capture.ErrClosed
		}
		// The device is gone: the last picture kept becomes the stand-in.
		v.picture = brbPicture(v.picture, v.info.Width, v.info.Height)
		v.next = v.clock.Now()
		v.lose()
	}
}

// keptAudio is a sound device with silence as its stand-in.
type keptAudio struct {
	*keeper[capture.AudioSource, capture.AudioChunk]
	clock   *capture.Clock
	info    capture.AudioInfo
	silence []float32
	next    time.Duration
}

// silenceChunk is the stand-in's chunk length.
const silenceChunk = 20 * time.Millisecond

func keepAudio(clock *capture.Clock, what string, dev capture.AudioSource, open opener[capture.AudioSource]) *keptAudio {
	read := func(d capture.AudioSource) func() (capture.AudioChunk, func(), error) { return d.Read }
	info := dev.Info()
	n := info.SampleRate * int(silenceChunk/time.Millisecond) / 1000 * max(1, info.Channels)
	return &keptAudio{keeper: newKeeper(what, dev, open, read), clock: clock, info: info, silence: make([]float32, n)}
}

func (a *keptAudio) Info() capture.AudioInfo { return a.info }

// Read returns the device's next chunk, or silence while the device is away.
func (a *keptAudio) Read() (capture.AudioChunk, func(), error) {
	for {
		if a.isLost.Load() {
			select {
			case d := <-a.back:
				a.resume(d)
				continue
			case <-a.after(time.Until(a.clock.At(a.next + silenceChunk))):
				c := capture.AudioChunk{Samples: a.silence, Channels: a.info.Channels, SampleRate: a.info.SampleRate, Time: a.next}
				a.next += silenceChunk
				return c, func() {}, nil
			case <-a.stop:
				return capture.AudioChunk{}, func() {}, capture.ErrClosed
			}
		}
		select {
		case r := <-a.frames():
			if r.err == nil {
				return r.frame, r.release, nil
			}
			if a.stopped() {
				return capture.AudioChunk{}, func() {}, capture.ErrClosed
			}
		case <-a.after(lostAfter):
		case <-a.stop:
			return capture.AudioChunk{}, func() {}, capture.ErrClosed
		}
		a.next = a.clock.Now()
		a.lose()
	}
}
