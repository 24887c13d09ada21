// Package rtmpout is OnAir's RTMP/RTMPS publish client, layered one way: handshake -> chunk ->
// message -> client, with AMF0 and FLV in packages of their own. Its send queue measures
// backpressure and drops frames by priority when the network cannot keep up.
package rtmpout

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"onair/rtmpout/amf0"
	"onair/rtmpout/chunk"
	"onair/rtmpout/handshake"
)

// Config is what Dial needs.
type Config struct {
	Server string // rtmp:// or rtmps:// URL
	Key    string // the stream key; empty when it is the URL's last path element
	// ExtraCAPEM adds PEM certificates to the system roots for RTMPS (private servers, tests).
	ExtraCAPEM []byte
	// Timeout bounds dialing, the handshake and the publish exchange together. Default 10 s.
	Timeout time.Duration
	Drop    DropPolicy
	// KernelBuffer caps the unsent bytes the kernel may hold (TCP_NOTSENT_LOWAT). Default 64 KiB.
	KernelBuffer int
	// OnKeyframeNeeded is called (from a producer's goroutine) when the queue dropped video up to
	// the next keyframe: a keyframe now heals the stream at once instead of at the next GOP.
	OnKeyframeNeeded func()
	// OnSent, if set, is called from the writer goroutine after each audio or video frame left for
	// the socket, with the frame's DTS: the caller measures capture-to-socket latency with it.
	OnSent func(video bool, dts time.Duration)
	// Resolver looks up the server's name; nil: the system's.
	Resolver *net.Resolver
	// WriteTimeout bounds each write to the socket once publishing: a peer that stops reading
	// fails the connection after this long. Default 10 s.
	WriteTimeout time.Duration
	Logger       *slog.Logger
}

const (
	chunkSize     = 4096
	flashVer      = "FMLE/3.0 (compatible; OnAir/0.1)"
	defaultWindow = 2500000
)

// Conn is a publishing RTMP connection. Producers call its Write methods, which never wait for the
// network; one goroutine owns the socket and writes.
type Conn struct {
	cfg      Config
	target   Target
	log      *slog.Logger
	nc       net.Conn
	tcp      *net.TCPConn
	cw       *chunk.Writer
	cr       *chunk.Reader
	streamID uint32
	q        *queue
	meter    meter

	mu          sync.Mutex
	err         error
	ackedBytes  uint64
	lastAck     time.Time
	delivered   uint64 // the most DeliveredBytes said (selective acknowledgements can be withdrawn)
	videoSent   uint64
	audioSent   uint64
	window      uint32 // acknowledgement window the server asked for
	ackedUpTo   uint64 // bytes read when we last sent an acknowledgement
	failed      chan struct{}
	writerDone  chan struct{}
	readerDone  chan struct{}
	stopWriting chan struct{}
	closeOnce   sync.Once
	running     atomic.Bool // the reader and writer goroutines own the socket
	closing     atomic.Bool // Close has begun: socket errors from now on are ours
}

// Dial connects, performs the handshake, and asks to publish; it returns once the server said
// NetStream.Publish.Start. Errors are *Error values whose Kind says what happened.
func Dial(ctx context.Context, cfg Config) (*Conn, error) {
	t, err := ParseURL(cfg.Server, cfg.Key)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.KernelBuffer == 0 {
		cfg.KernelBuffer = 64 << 10
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()

	c := &Conn{cfg: cfg, target: t, log: log.With("server", t.Redacted()), q: newQueue(cfg.Drop),
		failed: make(chan struct{}), writerDone: make(chan struct{}), readerDone: make(chan struct{}),
		stopWriting: make(chan struct{}), window: defaultWindow}
	if err := c.dial(ctx); err != nil {
		return nil, withHost(err, t.Host)
	}
	// Bound every blocking step below by ctx: closing the socket unblocks them.
	stop := context.AfterFunc(ctx, func() { c.nc.Close() })
	err = c.handshakeAndPublish(ctx)
	if !stop() || ctx.Err() != nil {
		if err == nil || !errors.Is(err, ErrPublishRejected) && !errors.Is(err, ErrStreamBusy) {
			err = c.cutShort(ctx)
		}
	}
	if err != nil {
		c.nc.Close()
		return nil, withHost(err, t.Host)
	}
	_ = c.nc.SetDeadline(time.Time{})
	c.log.Info("publishing", "stream_id", c.streamID)
	c.running.Store(true)
	go c.writeLoop()
	go c.readLoop()
	return c, nil
}

func (c *Conn) dial(ctx context.Context) error {
	d := net.Dialer{KeepAlive: 15 * time.Second, Resolver: c.cfg.Resolver}
	nc, err := d.DialContext(ctx, "tcp", c.target.Addr())
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return c.cutShort(ctx)
		}
		return classify(err, "connecting to "+c.target.Addr())
	}
	c.tcp = nc.(*net.TCPConn)
	limitNotSent(c.tcp, c.cfg.KernelBuffer)
	c.nc = nc
	if c.target.TLS {
		roots, err := x509.SystemCertPool()
		if err != nil {
			roots = x509.NewCertPool()
		}
		if len(c.cfg.ExtraCAPEM) > 0 && !roots.AppendCertsFromPEM(c.cfg.ExtraCAPEM) {
			nc.Close()
			return &Error{Kind: ErrTLS, Detail: "the extra CA file holds no PEM certificate"}
		}
		tc := tls.Client(nc, &tls.Config{ServerName: c.target.Host, RootCAs: roots, MinVersion: tls.VersionTLS12})
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return tlsFailure(ctx, err, c.target.Host)
		}
		c.nc = tc
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = c.nc.SetDeadline(dl)
	}
	return nil
}

// handshakeAndPublish runs the RTMP handshake and the publish exchange.
func (c *Conn) handshakeAndPublish(ctx context.Context) error {
	if err := handshake.Do(c.nc); err != nil {
		return classify(err, "RTMP handshake")
	}
	c.cw = chunk.NewWriter(c.nc)
	c.cr = chunk.NewReader(c.nc)
	return c.publishExchange(ctx)
}

// cutShort says why Dial's context ended the attempt: cancelled by the caller, or out of time.
func (c *Conn) cutShort(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return &Error{Kind: ErrNetwork, Detail: "cancelled", Err: ctx.Err()}
	}
	return &Error{Kind: ErrTimeout, Detail: fmt.Sprintf("no answer within %v", c.cfg.Timeout), Err: ctx.Err()}
}

// withHost names the server in err's words.
func withHost(err error, host string) error {
	var e *Error
	if errors.As(err, &e) && e.Host == "" {
		e.Host = host
	}
	return err
}

// publishExchange runs connect, releaseStream, FCPublish, createStream and publish.
func (c *Conn) publishExchange(ctx context.Context) error {
	if err := c.cw.WriteMessage(controlMessage(chunk.TypeSetChunkSize, u32(chunkSize))); err != nil {
		return classify(err, "sending chunk size")
	}
	_ = c.cw.SetChunkSize(chunkSize)

	t := c.target
	connect := amf0.Object{
		{Key: "app", Value: t.App},
		{Key: "type", Value: "nonprivate"},
		{Key: "flashVer", Value: flashVer},
		{Key: "tcUrl", Value: t.TCURL},
	}
	if err := c.send(csidCommand, 0, "connect", 1, connect); err != nil {
		return err
	}
	res, err := c.await(ctx, 1, "connect")
	if err != nil {
		return err
	}
	if res.name == "_error" {
		return &Error{Kind: ErrConnectRejected, Detail: c.redact(res.describe())}
	}

	// releaseStream and FCPublish are what Twitch, YouTube and others expect from an encoder;
	// errors on them are not fatal (FFmpeg treats them as warnings too).
	if err := c.send(csidCommand, 0, "releaseStream", 2, nil, t.StreamName); err != nil {
		return err
	}
	if err := c.send(csidCommand, 0, "FCPublish", 3, nil, t.StreamName); err != nil {
		return err
	}
	if err := c.send(csidCommand, 0, "createStream", 4, nil); err != nil {
		return err
	}
	res, err = c.await(ctx, 4, "createStream")
	if err != nil {
		return err
	}
	id, ok := firstNumber(res.args)
	if res.name == "_error" || !ok {
		return &Error{Kind: ErrConnectRejected, Detail: "createStream: " + c.redact(res.describe())}
	}
	c.streamID = uint32(id)

	if err := c.send(csidStream, c.streamID, "publish", 5, nil, t.StreamName, "live"); err != nil {
		return err
	}
	for {
		m, err := c.cr.ReadMessage()
		if err != nil {
			// nginx-rtmp (on_publish refusing) and others simply hang up on a refused key.
			return &Error{Kind: ErrPublishRejected, Detail: "the server hung up when asked to publish", Err: err}
		}
		cmd, err := c.handle(m)
		if err != nil {
			return err
		}
		if cmd == nil || cmd.name != "onStatus" && cmd.name != "_error" {
			continue
		}
		info := cmd.info()
		code := info.String("code")
		switch {
		case code == "NetStream.Publish.Start":
			return nil
		case code == "NetStream.Publish.BadName" || strings.Contains(strings.ToLower(info.String("description")), "already publishing"):
			// nginx-rtmp, and others, while an earlier connection with the key is still open:
			// after a network drop it may be OnAir's own, not yet timed out.
			return &Error{Kind: ErrStreamBusy, Detail: c.redact(cmd.describe())}
		case cmd.name == "_error" || info.String("level") == "error" || strings.Contains(code, "Failed") ||
			strings.Contains(code, "Rejected"):
			return &Error{Kind: ErrPublishRejected, Detail: c.redact(cmd.describe())}
		}
	}
}

func firstNumber(args []any) (float64, bool) {
	for _, a := range args {
		if f, ok := a.(float64); ok {
			return f, true
		}
	}
	return 0, false
}

// send writes a command directly; only used before the writer goroutine starts.
func (c *Conn) send(csid, streamID uint32, values ...any) error {
	m, err := commandMessage(csid, streamID, values...)
	if err != nil {
		return err
	}
	if err := c.cw.WriteMessage(m); err != nil {
		return classify(err, "sending "+values[0].(string))
	}
	return nil
}

// await reads until the _result or _error of transaction txn, handling control messages.
func (c *Conn) await(ctx context.Context, txn float64, what string) (*command, error) {
	for {
		m, err := c.cr.ReadMessage()
		if err != nil {
			if ctx.Err() != nil {
				return nil, &Error{Kind: ErrTimeout, Detail: "waiting for the answer to " + what, Err: ctx.Err()}
			}
			return nil, classify(err, "waiting for the answer to "+what)
		}
		cmd, err := c.handle(m)
		if err != nil {
			return nil, err
		}
		if cmd != nil && (cmd.name == "_result" || cmd.name == "_error") && cmd.txn == txn {
			return cmd, nil
		}
	}
}

// handle applies protocol control messages and returns commands for the caller. Before the loops
// start it answers directly; afterwards through the queue.
func (c *Conn) handle(m *chunk.Message) (*command, error) {
	switch m.Type {
	case chunk.TypeSetChunkSize:
		if len(m.Payload) >= 4 {
			n := int(uint32(m.Payload[0])<<24|uint32(m.Payload[1])<<16|uint32(m.Payload[2])<<8|uint32(m.Payload[3])) & 0x7FFFFFFF
			if err := c.cr.SetChunkSize(n); err != nil {
				return nil, classify(err, "server chunk size")
			}
		}
	case chunk.TypeWindowAckSize:
		if len(m.Payload) >= 4 {
			c.mu.Lock()
			c.window = be32(m.Payload)
			c.mu.Unlock()
		}
	case chunk.TypeSetPeerBandwidth:
		// We receive almost nothing; tell the server our window as the specification asks.
		if len(m.Payload) >= 4 {
			c.reply(controlMessage(chunk.TypeWindowAckSize, u32(be32(m.Payload))))
		}
	case chunk.TypeAck:
		if len(m.Payload) >= 4 {
			c.mu.Lock()
			c.ackedBytes, c.lastAck = uint64(be32(m.Payload)), time.Now()
			c.mu.Unlock()
		}
	case chunk.TypeUserControl:
		if len(m.Payload) >= 6 && int(m.Payload[0])<<8|int(m.Payload[1]) == eventPingRequest {
			c.reply(controlMessage(chunk.TypeUserControl, append([]byte{0, eventPingResponse}, m.Payload[2:6]...)))
		}
	case chunk.TypeCommandAMF0, chunk.TypeCommandAMF3:
		return parseCommand(m)
	}
	c.maybeAck()
	return nil, nil
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// maybeAck acknowledges what we read once a window's worth has arrived.
func (c *Conn) maybeAck() {
	read := c.cr.BytesRead()
	c.mu.Lock()
	due := c.window > 0 && read-c.ackedUpTo >= uint64(c.window)
	if due {
		c.ackedUpTo = read
	}
	c.mu.Unlock()
	if due {
		c.reply(controlMessage(chunk.TypeAck, u32(uint32(read))))
	}
}

// reply sends a protocol message: directly before the loops run, queued after.
func (c *Conn) reply(m *chunk.Message) {
	if c.loopsRunning() {
		it := newItem()
		it.kind, it.csid, it.typ, it.streamID = kindControl, m.CSID, m.Type, m.StreamID
		it.body = append(it.body, m.Payload...)
		c.q.push(it)
		return
	}
	_ = c.cw.WriteMessage(m)
}

func (c *Conn) loopsRunning() bool { return c.running.Load() }

// redact hides the stream key in text that came from the server.
func (c *Conn) redact(s string) string { return Redact(s, c.target.StreamName) }
