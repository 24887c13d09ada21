package broadcast

import (
	"context"
	"fmt"
	"time"

	"onair/rtmpout"
)

type dialResult struct {
	conn *liveConn
	err  error
	gen  int
}

// startDial starts a connection attempt in the background, in place of one still running;
// dialDone gets its result.
func (d *destination) startDial() {
	if d.cancelDial != nil {
		d.cancelDial()
	}
	ctx, cancel := context.WithCancel(d.s.ctx)
	d.cancelDial = cancel
	d.dialGen++
	gen := d.dialGen
	d.dialing, d.retry, d.dialStarted = true, nil, time.Now()
	d.outstanding++
	go func() { c, err := d.dial(ctx); d.dialed <- dialResult{c, err, gen} }()
}

// dialDone takes a finished attempt: live on success, else a retry or the end.
func (d *destination) dialDone(r dialResult) {
	s := d.s
	d.outstanding--
	if r.gen != d.dialGen || s.ctx.Err() != nil { // given up for a fresh one, or stopping
		if r.conn != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			r.conn.Close(ctx)
			cancel()
		}
		return
	}
	d.dialing = false
	d.cancelDial()
	d.cancelDial = nil
	if r.err != nil {
		d.dialFailed(r.err)
		return
	}
	d.endProbe()
	d.protocolFailures = 0
	d.conn, d.failed = r.conn, r.conn.Failed()
	d.setOut(r.conn)
	s.ctlMu.Lock()
	d.ctl.reconnected()
	s.shareRate()
	s.ctlMu.Unlock()
	select { // the stream must start on a keyframe
	case s.keyNeeded <- struct{}{}:
	default:
	}
	d.mu.Lock()
	if d.attempt > 0 {
		d.reconnects++
	}
	d.attempt = 0
	d.mu.Unlock()
	d.setState(StateLive)
}

// dial connects and sends the stream's headers: metadata and the codecs' configurations.
func (d *destination) dial(ctx context.Context) (*liveConn, error) {
	s := d.s
	cfg := rtmpout.Config{
		Server: d.plan.server, Key: d.plan.key, ExtraCAPEM: d.plan.extraCA, Logger: d.log,
		OnKeyframeNeeded: func() {
			// A destination left out of the shared rate waits for the next GOP: a keyframe on its
			// account would cost every other destination bits.
			if s.venc != nil && !d.lagging.Load() {
				s.venc.ForceKeyframe()
			}
		},
		Resolver: s.plan.Resolver,
	}
	if d.index == 0 {
		cfg.OnSent = d.tl.sent(s)
	}
	c, err := rtmpout.Dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	lc := &liveConn{Conn: c}
	err = c.WriteMetadata(s.metadata())
	if err == nil && s.venc != nil {
		lc.videoConfig = s.venc.Config()
		err = c.WriteVideoConfig(lc.videoConfig)
	}
	if err == nil && s.aenc != nil {
		err = c.WriteAudioConfig(s.aenc.Config())
	}
	if err != nil {
		c.Close(context.Background())
		return nil, fmt.Errorf("sending the stream headers: %w", err)
	}
	return lc, nil
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
