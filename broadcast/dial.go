package broadcast

import (
	"context"
	"fmt"
	"time"

	"onair/rtmpout"
)

// startDial starts a connection attempt in the background, in place of one still running;
// dialDone gets its result.
func (snd *sender) startDial() {
	if snd.cancelDial != nil {
		snd.cancelDial()
	}
	ctx, cancel := context.WithCancel(snd.s.ctx)
	snd.cancelDial = cancel
	snd.dialGen++
	gen := snd.dialGen
	snd.dialing, snd.retry, snd.dialStarted = true, nil, time.Now()
	snd.outstanding++
	go func() { c, err := snd.dial(ctx); snd.dialed <- dialResult{c, err, gen} }()
}

// dialDone takes a finished attempt: live on success, else a retry or the end.
func (snd *sender) dialDone(r dialResult) {
	s := snd.s
	snd.outstanding--
	if r.gen != snd.dialGen || s.ctx.Err() != nil { // given up for a fresh one, or stopping
		if r.conn != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			r.conn.Close(ctx)
			cancel()
		}
		return
	}
	snd.dialing = false
	snd.cancelDial()
	snd.cancelDial = nil
	if r.err != nil {
		snd.dialFailed(r.err)
		return
	}
	snd.endProbe()
	snd.protocolFailures = 0
	snd.conn, snd.failed = r.conn, r.conn.Failed()
	s.ctlMu.Lock()
	s.ctl.reconnected()
	s.ctlMu.Unlock()
	snd.tl.waitKey = true
	s.setConn(r.conn.Conn)
	// The stream must start on a keyframe: ask for one unless one is already on its way (the
	// encoder's first frame is one).
	if s.venc != nil && !snd.merge.holdsKeyframe() && s.venc.Stats().Encoded > 0 {
		s.venc.ForceKeyframe()
	}
	s.mu.Lock()
	if s.attempt > 0 {
		s.reconnects++
	}
	s.attempt = 0
	s.mu.Unlock()
	s.setState(StateLive, nil)
}

// dial connects and sends the stream's headers: metadata and the codecs' configurations.
func (snd *sender) dial(ctx context.Context) (*liveConn, error) {
	s := snd.s
	cfg := rtmpout.Config{
		Server: s.plan.serverURL(), Key: s.plan.Key, ExtraCAPEM: s.plan.ExtraCA, Logger: s.log,
		OnKeyframeNeeded: func() {
			if s.venc != nil {
				s.venc.ForceKeyframe()
			}
		},
		OnSent:   snd.tl.sent(s),
		Resolver: s.plan.Resolver,
	}
	c, err := rtmpout.Dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	err = c.WriteMetadata(s.metadata())
	if err == nil && s.venc != nil {
		err = c.WriteVideoConfig(s.venc.Config())
	}
	if err == nil && s.aenc != nil {
		err = c.WriteAudioConfig(s.aenc.Config())
	}
	if err != nil {
		c.Close(context.Background())
		return nil, fmt.Errorf("sending the stream headers: %w", err)
	}
	return &liveConn{Conn: c}, nil
}

// metadata describes the stream to the server (onMetaData).
func (s *Session) metadata() rtmpout.Metadata {
	md := rtmpout.Metadata{Encoder: "OnAir", HasVideo: s.venc != nil, HasAudio: s.aenc != nil}
	if s.venc != nil {
		md.Width, md.Height, md.FrameRate, md.VideoKbps = s.plan.Width, s.plan.Height, float64(s.plan.FPS), s.plan.VideoKbps
	}
	if s.aenc != nil {
		info := s.src.audio.Info()
		md.AudioKbps, md.AudioSampleRate, md.AudioChannels = s.plan.AudioKbps, info.SampleRate, min(2, info.Channels)
	}
	return md
}
