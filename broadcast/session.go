package broadcast

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"onair/broadcast/localtest"
	"onair/capture"
	"onair/encoder"
	"onair/rtmpout"
)

// Session is one live stream: sources, encoders, and the connection to the platform.
type Session struct {
	plan  Plan
	log   *slog.Logger
	clock *capture.Clock

	video capture.VideoSource
	audio capture.AudioSource
	file  *capture.MediaFile
	venc  *encoder.Video
	aenc  *encoder.Audio
	recv  *localtest.Receiver

	// audioOut carries encoded audio to the sender, which reads video straight from the encoder:
	// one goroutine less to wake per packet.
	audioOut chan encoder.Packet
	ctx      context.Context
	stop     context.CancelFunc
	sent     chan struct{} // closed when the sender is done
	subs     subscribers
	lat      latencies // video: what the viewer's picture lags behind the camera
	// audioLat is separate: AAC adds about 50 ms by itself (one frame of look-ahead).
	audioLat latencies
	ctl      *controller
	ctlMu    sync.Mutex

	mu          sync.Mutex
	state       State
	err         error
	liveSince   time.Time
	reconnects  int
	attempt     int
	retryAt     time.Time
	prevTotals  totals // counters of connections that ended
	reconnectCh chan struct{}
	conn        *rtmpout.Conn // the live connection, nil while disconnected
	lastConnErr error         // why the last connection ended
	lostVideo   atomic.Uint64 // video frames lost while disconnected
	started     time.Time
	prevVideo   uint64 // frames sent at the last snapshot, for fps
	prevAt      time.Time
	taps        Taps
	tapMu       sync.Mutex
	lastPreview time.Time
}

type packet struct {
	video bool
	encoder.Packet
}

// Start checks cfg, opens the sources and encoders, and starts connecting in the background.
// Errors in the settings or sources come back at once; connection errors arrive as a failed
// state in the stats and from Wait.
func Start(ctx context.Context, cfg Config) (*Session, error) {
	plan, err := cfg.Resolve()
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Session{plan: plan, log: log, clock: capture.NewClock(),
		sent: make(chan struct{}), state: StateIdle, reconnectCh: make(chan struct{}, 1), started: time.Now(), taps: cfg.Taps}
	s.ctx, s.stop = context.WithCancel(ctx)
	for _, w := range plan.Warnings {
		log.Warn(w)
	}
	if err := s.openSources(); err != nil {
		s.closeSources()
		return nil, err
	}
	if err := s.openEncoders(); err != nil {
		s.closeSources()
		return nil, err
	}
	if plan.localTest {
		if err := s.startLocalTest(); err == nil {
			s.plan.Target, err = rtmpout.ParseURL(s.plan.serverName, "")
		}
		if err != nil {
			s.stop()
			s.closeSources()
			s.closeEncoders()
			return nil, err
		}
	}
	var setRate func(int)
	if s.venc != nil {
		divisor := 1
		setRate = func(kbps int) { // called by the controller, under ctlMu
			divisor = frameDivisor(kbps, s.plan.Width, s.plan.Height, s.plan.FPS, divisor)
			s.venc.SetFrameDivisor(divisor)
			s.venc.SetBitrate(kbps)
		}
	}
	s.ctl = newController(s.plan, setRate, log)
	s.setState(StateConnecting, nil)
	s.startPipelines()
	go s.sender()
	go s.statsLoop()
	return s, nil
}

func (s *Session) openSources() error {
	p := s.plan
	var err error
	switch p.VideoKind {
	case "test":
		s.video, err = capture.NewTestPattern(s.clock, p.Width, p.Height, p.FPS)
	case "camera":
		s.video, err = capture.OpenCamera(s.clock, p.VideoArg, p.Width, p.Height, float64(p.FPS))
	case "screen":
		s.video, err = capture.OpenScreen(s.clock, p.VideoArg, float64(p.FPS))
	case "file":
		s.file, err = capture.OpenMediaFile(s.clock, p.VideoArg, capture.MediaFileOptions{Video: true, Audio: p.AudioKind == "file", Loop: p.Loop})
		if err == nil {
			s.video = s.file.Video()
		}
	}
	if err != nil {
		return err
	}
	switch p.AudioKind {
	case "test":
		s.audio = capture.NewTestTone(s.clock)
	case "mic":
		s.audio, err = capture.OpenMicrophone(s.clock, p.AudioArg)
	case "file":
		s.audio = s.file.Audio()
	}
	return err
}

func (s *Session) openEncoders() error {
	p := s.plan
	var err error
	if s.video != nil {
		s.venc, err = encoder.NewVideo(encoder.VideoConfig{Width: p.Width, Height: p.Height, FPS: p.FPS,
			BitrateKbps: p.VideoKbps, KeyframeInterval: time.Duration(p.Keyframe * float64(time.Second)),
			TrialCache: p.trialCache(), Logger: s.log})
		if err != nil {
			return fmt.Errorf("the video encoder could not start: %w", err)
		}
	}
	if s.audio != nil {
		info := s.audio.Info()
		s.aenc, err = encoder.NewAudio(encoder.AudioConfig{SampleRate: info.SampleRate, Channels: min(2, info.Channels), BitrateKbps: p.AudioKbps})
		if err != nil {
			s.closeEncoders()
			return fmt.Errorf("the audio encoder could not start: %w", err)
		}
	}
	return nil
}

func (s *Session) closeSources() {
	if s.video != nil {
		s.video.Close()
	}
	if s.audio != nil {
		s.audio.Close()
	}
	if s.file != nil {
		s.file.Close()
	}
}

func (s *Session) closeEncoders() {
	if s.venc != nil {
		go func() { // drain whatever is left so Close can finish
			for range s.venc.Packets() {
			}
		}()
		s.venc.Close()
	}
	if s.aenc != nil {
		s.aenc.Close()
	}
}

// startPipelines starts one goroutine per source. Video packets go from the encoder to the sender
// directly; audio ones through audioOut, closed when the audio source ends.
func (s *Session) startPipelines() {
	if s.video != nil {
		go s.videoLoop()
	}
	if s.audio != nil {
		s.audioOut = make(chan encoder.Packet, 512)
		go func() {
			defer close(s.audioOut)
			s.audioLoop()
		}()
	}
}

// videoLoop reads frames and hands them to the encoder, at most FPS a second.
func (s *Session) videoLoop() {
	defer s.venc.Close() // flushes, then closes Packets, which the sender reads to the end
	interval := time.Second / time.Duration(s.plan.FPS)
	var next time.Duration
	for {
		f, release, err := s.video.Read()
		if err != nil {
			s.sourceEnded("video", err)
			return
		}
		if f.Time < next-interval/2 { // a source faster than the stream's rate
			release()
			continue
		}
		next = max(next+interval, f.Time)
		vf, err := toEncoderFrame(f, release)
		if err != nil {
			release()
			s.fail(err)
			return
		}
		if err := s.venc.Submit(vf); err != nil {
			return
		}
		s.tapPreview(f)
	}
}

// audioLoop reads chunks and encodes them in place.
func (s *Session) audioLoop() {
	for {
		c, release, err := s.audio.Read()
		if err != nil {
			s.sourceEnded("audio", err)
			if pkts, ferr := s.aenc.Flush(); ferr == nil {
				s.queueAudio(pkts)
			}
			return
		}
		s.tapLevel(c)
		pkts, err := s.aenc.Encode(encoder.AudioChunk{Float32: c.Samples, PTS: c.Time})
		release()
		if err != nil {
			s.fail(fmt.Errorf("the audio encoder failed: %w", err))
			return
		}
		s.queueAudio(pkts)
	}
}

func (s *Session) queueAudio(pkts []encoder.Packet) {
	for _, p := range pkts {
		select {
		case s.audioOut <- p:
		case <-s.ctx.Done():
			return
		}
	}
}

// sourceEnded handles a source's end: a file's end finishes the stream cleanly; a lost device or
// a closed session ends it too.
func (s *Session) sourceEnded(what string, err error) {
	switch {
	case errors.Is(err, io.EOF):
		s.log.Info("source ended", "source", what)
	case errors.Is(err, capture.ErrClosed) || s.ctx.Err() != nil:
	default:
		s.fail(fmt.Errorf("the %s source stopped: %w", what, err))
	}
}

// Stop ends the session at once, whatever its state, and waits until everything is closed.
func (s *Session) Stop() {
	s.stop()
	s.closeSources()
	<-s.sent
}

// Wait waits until the session ends (stopped, failed, or the file source finished) and returns
// why it failed, or nil.
func (s *Session) Wait() error {
	<-s.sent
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Done is closed when the session has ended.
func (s *Session) Done() <-chan struct{} { return s.sent }

// Plan returns the resolved settings.
func (s *Session) Plan() Plan { return s.plan }

func (s *Session) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	s.log.Error("session failed", "err", err)
	s.stop()
	s.closeSources()
}

func (s *Session) setState(st State, err error) {
	s.mu.Lock()
	changed := s.state != st
	s.state = st
	if st == StateLive && s.liveSince.IsZero() {
		s.liveSince = time.Now()
	}
	if err != nil && s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	if changed {
		s.log.Info("state", "state", st)
		s.publish(false)
	}
}

// SetBitrate changes the video bitrate while live; with adaptation on it becomes the new ceiling.
// It is capped at the preset's limit.
func (s *Session) SetBitrate(kbps int) {
	kbps = min(kbps, s.plan.Preset.VideoLimit(s.plan.Width, s.plan.Height, s.plan.FPS))
	s.ctlMu.Lock()
	s.ctl.setCeiling(kbps)
	s.ctlMu.Unlock()
}

// State returns the current state.
func (s *Session) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}
