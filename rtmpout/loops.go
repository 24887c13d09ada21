package rtmpout

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"onair/rtmpout/amf0"
	"onair/rtmpout/chunk"
	"onair/rtmpout/flv"
)

// Frame is one encoded frame. Data is copied: the caller may reuse it after the call.
type Frame struct {
	DTS, PTS time.Duration // from the start of the stream
	Keyframe bool
	// Data is an Annex B access unit for video, one raw AAC frame for audio.
	Data []byte
}

// Metadata is what onMetaData tells players about the stream.
type Metadata struct {
	Width, Height      int
	FrameRate          float64
	VideoKbps          int
	AudioKbps          int
	AudioSampleRate    int
	AudioChannels      int
	HasVideo, HasAudio bool
	Encoder            string
}

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("rtmpout: connection closed")

// WriteMetadata queues @setDataFrame onMetaData. Send it first, before the sequence headers.
func (c *Conn) WriteMetadata(md Metadata) error {
	arr := amf0.ECMAArray{{Key: "duration", Value: 0.0}, {Key: "fileSize", Value: 0.0}}
	if md.HasVideo {
		arr = append(arr,
			amf0.Property{Key: "width", Value: float64(md.Width)},
			amf0.Property{Key: "height", Value: float64(md.Height)},
			amf0.Property{Key: "videodatarate", Value: float64(md.VideoKbps)},
			amf0.Property{Key: "framerate", Value: md.FrameRate},
			amf0.Property{Key: "videocodecid", Value: float64(flv.CodecAVC)})
	}
	if md.HasAudio {
		arr = append(arr,
			amf0.Property{Key: "audiodatarate", Value: float64(md.AudioKbps)},
			amf0.Property{Key: "audiosamplerate", Value: float64(md.AudioSampleRate)},
			amf0.Property{Key: "audiosamplesize", Value: 16.0},
			amf0.Property{Key: "stereo", Value: md.AudioChannels == 2},
			amf0.Property{Key: "audiocodecid", Value: float64(flv.CodecAAC)})
	}
	enc := md.Encoder
	if enc == "" {
		enc = "OnAir"
	}
	arr = append(arr, amf0.Property{Key: "encoder", Value: enc})
	b, err := amf0.Append(nil, "@setDataFrame", "onMetaData", arr)
	if err != nil {
		return err
	}
	return c.enqueue(kindHeader, csidData, chunk.TypeDataAMF0, 0, false, false, b)
}

// WriteVideoConfig queues the AVC sequence header built from SPS and PPS in Annex B.
func (c *Conn) WriteVideoConfig(annexB []byte) error { return c.WriteVideoConfigAt(annexB, 0) }

// WriteVideoConfigAt queues a new AVC sequence header in the stream at dts, before the keyframe
// that starts using it (the picture's size changed). It goes in order with the frames: the ones
// queued before it keep the old configuration.
func (c *Conn) WriteVideoConfigAt(annexB []byte, dts time.Duration) error {
	b, err := flv.AVCSequenceHeader(annexB)
	if err != nil {
		return err
	}
	return c.enqueue(kindHeader, csidVideo, chunk.TypeVideo, dts, false, false, b)
}

// WriteAudioConfig queues the AAC sequence header (an AudioSpecificConfig).
func (c *Conn) WriteAudioConfig(asc []byte) error {
	b, err := flv.AACSequenceHeader(asc)
	if err != nil {
		return err
	}
	return c.enqueue(kindHeader, csidAudio, chunk.TypeAudio, 0, false, false, b)
}

// WriteVideo queues one H.264 access unit. It never waits for the network.
func (c *Conn) WriteVideo(f Frame) error {
	if err := c.Err(); err != nil {
		return err
	}
	it := newItem()
	it.kind, it.csid, it.typ, it.streamID = kindVideo, csidVideo, chunk.TypeVideo, c.streamID
	it.dts, it.keyframe, it.disposable = f.DTS, f.Keyframe, !f.Keyframe && flv.Disposable(f.Data)
	it.body = flv.AppendVideo(it.body, f.Data, f.Keyframe, int32((f.PTS-f.DTS)/time.Millisecond))
	return c.push(it)
}

// WriteAudio queues one AAC frame. It never waits for the network; audio is never dropped.
func (c *Conn) WriteAudio(f Frame) error {
	if err := c.Err(); err != nil {
		return err
	}
	it := newItem()
	it.kind, it.csid, it.typ, it.streamID, it.dts = kindAudio, csidAudio, chunk.TypeAudio, c.streamID, f.DTS
	it.body = flv.AppendAudio(it.body, f.Data)
	return c.push(it)
}

func (c *Conn) enqueue(k kind, csid uint32, typ uint8, dts time.Duration, key, disp bool, body []byte) error {
	if err := c.Err(); err != nil {
		return err
	}
	it := newItem()
	it.kind, it.csid, it.typ, it.streamID, it.dts, it.keyframe, it.disposable = k, csid, typ, c.streamID, dts, key, disp
	it.body = append(it.body, body...)
	return c.push(it)
}

func (c *Conn) push(it *item) error {
	c.askKeyframe(c.q.push(it))
	return nil
}

// askKeyframe asks the producer for a keyframe when the queue wants one.
func (c *Conn) askKeyframe(want bool) {
	if want && c.cfg.OnKeyframeNeeded != nil {
		c.cfg.OnKeyframeNeeded()
	}
}

// writeLoop owns the socket's write side. Every write has a deadline, so a peer that stops
// reading fails the connection on every OS; the deadline moves at most once a second, which keeps
// it between WriteTimeout minus a second and WriteTimeout.
func (c *Conn) writeLoop() {
	defer close(c.writerDone)
	msg := chunk.Message{}
	var deadlineSet time.Time
	for {
		it := c.q.pop(c.stopWriting)
		if it == nil {
			return
		}
		msg = chunk.Message{CSID: it.csid, Type: it.typ, StreamID: it.streamID,
			Timestamp: uint32(it.dts / time.Millisecond), Payload: it.body}
		start := time.Now()
		if start.Sub(deadlineSet) >= time.Second {
			deadlineSet = start
			_ = c.nc.SetWriteDeadline(start.Add(c.cfg.WriteTimeout))
		}
		before := c.cw.BytesWritten()
		err := c.cw.WriteMessage(&msg)
		now := time.Now()
		c.meter.add(now, int(c.cw.BytesWritten()-before), now.Sub(start))
		switch it.kind {
		case kindVideo:
			c.count(&c.videoSent)
		case kindAudio:
			c.count(&c.audioSent)
		}
		if err == nil && c.cfg.OnSent != nil && (it.kind == kindVideo || it.kind == kindAudio) {
			c.cfg.OnSent(it.kind == kindVideo, it.dts)
		}
		releaseItem(it)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				err = &Error{Kind: ErrTimeout, Detail: fmt.Sprintf("the server took nothing for %v", c.cfg.WriteTimeout), Err: err}
			}
			c.fail(classify(err, "sending"))
			return
		}
	}
}

func (c *Conn) count(n *uint64) {
	c.mu.Lock()
	*n++
	c.mu.Unlock()
}

// readLoop owns the socket's read side: control messages, acknowledgements, status.
func (c *Conn) readLoop() {
	defer close(c.readerDone)
	for {
		m, err := c.cr.ReadMessage()
		if err != nil {
			c.fail(classify(err, "reading from the server"))
			return
		}
		cmd, err := c.handle(m)
		if err != nil {
			c.fail(err)
			return
		}
		if cmd != nil && cmd.name == "onStatus" && cmd.info().String("level") == "error" {
			c.fail(&Error{Kind: ErrServerClosed, Detail: c.redact(cmd.describe())})
			return
		}
	}
}

// fail records the first error and tears the connection down.
func (c *Conn) fail(err error) {
	if c.closing.Load() { // errors caused by our own Close are not failures
		c.shutdown()
		return
	}
	c.mu.Lock()
	first := c.err == nil
	if first {
		c.err = err
	}
	c.mu.Unlock()
	if first {
		c.log.Warn("connection failed", "err", err)
		close(c.failed)
		c.shutdown()
	}
}

func (c *Conn) shutdown() {
	c.closeOnce.Do(func() {
		c.q.close()
		close(c.stopWriting)
		c.nc.Close()
	})
}

// Abort fails the connection with err, as if the network had: for a caller that judged it dead
// (no acknowledgement for too long). A nil err reads as ErrNetwork.
func (c *Conn) Abort(err error) {
	if err == nil {
		err = ErrNetwork
	}
	c.fail(err)
}

// Err returns why the connection failed, or nil while it works.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Failed is closed when the connection fails (not on Close).
func (c *Conn) Failed() <-chan struct{} { return c.failed }

// Close sends what is queued (until ctx ends), unpublishes, and closes. It waits for the
// connection's goroutines to end.
func (c *Conn) Close(ctx context.Context) error {
	// Queue the goodbye behind the media, then stop accepting more.
	if c.Err() == nil {
		for _, cmd := range [][]any{{"FCUnpublish", 6, nil, c.target.StreamName}, {"deleteStream", 7, nil, c.streamID}} {
			if m, err := commandMessage(csidCommand, 0, cmd...); err == nil {
				it := newItem()
				it.kind, it.csid, it.typ, it.dts = kindHeader, m.CSID, m.Type, 0
				it.body = append(it.body, m.Payload...)
				c.q.push(it)
			}
		}
	}
	c.q.close()
	select {
	case <-c.writerDone:
		// Everything is written: half-close and let the server hang up, so data still in flight
		// is delivered rather than reset.
		c.closing.Store(true)
		c.closeWrite()
		select {
		case <-c.readerDone:
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	case <-c.failed:
	case <-ctx.Done():
	}
	c.closing.Store(true)
	c.shutdown()
	<-c.writerDone
	<-c.readerDone
	return nil
}

func (c *Conn) closeWrite() {
	switch nc := c.nc.(type) {
	case *tls.Conn:
		_ = nc.CloseWrite()
	case *net.TCPConn:
		_ = nc.CloseWrite()
	}
}

// SetDropPolicy changes when the send queue drops video, while publishing.
func (c *Conn) SetDropPolicy(p DropPolicy) { c.q.setPolicy(p) }

// SkipToKeyframe drops the video not yet written and new video until a keyframe, and asks the
// producer for one: after the link fell far, frames queued at the old rate would arrive seconds late.
// For the next stall the drop policy waits that much longer: the backlog already in the kernel
// holds up what follows for that long, which the policy must not count as the queue's.
func (c *Conn) SkipToKeyframe(stall time.Duration) { c.askKeyframe(c.q.skipToKeyframe(stall)) }

// LimitInFlight caps what the kernel holds for this connection, sent but unacknowledged bytes
// included, to about bytes (0 or less: leave it to the kernel). A bottleneck's buffer then never
// holds more than that: when the link narrows, TCP loses little, needs no timeout to recover, and
// the backlog waits in the queue, where the drop policy can see it.
func (c *Conn) LimitInFlight(bytes int) { setSendBuffer(c.tcp, bytes) }

// LimitPacing caps the rate the kernel sends at, in bytes a second (0 or less: no change). BBR's
// estimate of a shaped link can read hundreds of times its rate; a backlog then leaves at the
// line's rate and overruns a shallow bottleneck buffer, and the losses stall TCP.
func (c *Conn) LimitPacing(bytesPerSecond int) { setMaxPacing(c.tcp, bytesPerSecond) }

// Stats returns a snapshot of the send side.
func (c *Conn) Stats() Stats {
	qs := c.q.stats()
	r1, r2, total, blocked := c.meter.rates(time.Now())
	acked, sacked, minRTT := tcpState(c.tcp)
	c.mu.Lock()
	defer c.mu.Unlock()
	var unsent int
	c.delivered, unsent = reached(c.delivered, acked, sacked, kernelUnsent(c.tcp))
	return Stats{
		QueueDuration: qs.duration, QueueBytes: qs.bytes, QueuePackets: qs.packets,
		KernelUnsent: unsent, SentBytes: total, DeliveredBytes: c.delivered, MinRTT: minRTT,
		SendRate1s: r1, SendRate2s: r2,
		WriteBlocked: blocked, VideoSent: c.videoSent, AudioSent: c.audioSent,
		VideoDropped: qs.videoDropped, KeyframeRequests: qs.keyRequests,
		AckedBytes: c.ackedBytes, LastAck: c.lastAck,
	}
}
