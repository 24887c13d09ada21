package broadcast

import (
	"context"
	"fmt"

	"onair/rtmpout"
)

// startDial starts one connection attempt in the background; dialDone gets its result.
func (snd *sender) startDial() {
	if snd.stopWait != nil {
		snd.stopWait()
		snd.stopWait = nil
	}
	snd.dialing, snd.retry = true, nil
	go func() { c, err := snd.dial(); snd.dialed <- dialResult{c, err} }()
}

// dialDone takes a finished attempt: live on success, else a retry or the end.
func (snd *sender) dialDone(r dialResult) {
	s := snd.s
	snd.dialing = false
	if s.ctx.Err() != nil {
		if r.conn != nil {
			r.conn.Close(context.Background())
		}
		return
	}
	if r.err != nil {
		if !rtmpout.Retryable(r.err) || s.attemptCount() >= maxAttempts || !s.everLive() && !isDrop(r.err) {
			s.fail(r.err)
			return
		}
		snd.retry, snd.stopWait = s.scheduleRetry()
		return
	}
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
func (snd *sender) dial() (*liveConn, error) {
	s := snd.s
	cfg := rtmpout.Config{
		Server: s.plan.serverURL(), Key: s.plan.Key, ExtraCAPEM: s.plan.ExtraCA, Logger: s.log,
		OnKeyframeNeeded: func() {
			if s.venc != nil {
				s.venc.ForceKeyframe()
			}
		},
		OnSent: snd.tl.sent(s),
	}
	c, err := rtmpout.Dial(s.ctx, cfg)
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
