// Package localtest is the Local test destination: an RTMP server inside OnAir (FFmpeg's RTMP listen
// mode, through go-astiav) that receives the stream exactly as a platform would, saves it to a file
// the user can open, and checks what arrived.
package localtest

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/asticode/go-astiav"
)

// Receiver accepts one publish on 127.0.0.1 and records it.
type Receiver struct {
	URL  string // where to publish (key included)
	Path string // the recording
	log  *slog.Logger

	in      *astiav.FormatContext
	irq     *astiav.IOInterrupter
	done    chan struct{}
	mu      sync.Mutex
	stats   *analysis
	err     error
	stopped bool
}

// Start listens on a free loopback port and records to path (an .flv file).
func Start(path string, log *slog.Logger) (*Receiver, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("local test: no free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Receiver{URL: fmt.Sprintf("rtmp://127.0.0.1:%d/live/local-test", port), Path: path, log: log,
		done: make(chan struct{}), stats: newAnalysis()}
	r.in = astiav.AllocFormatContext()
	r.irq = astiav.NewIOInterrupter()
	r.in.SetIOInterrupter(r.irq)
	ready := make(chan struct{})
	go r.run(ready)
	<-ready
	// FFmpeg accepts exactly one connection, so a test connection would use it up: watch the
	// kernel's socket table for the listener instead.
	for deadline := time.Now().Add(3 * time.Second); !listening(port); time.Sleep(5 * time.Millisecond) {
		select {
		case <-r.done:
			return nil, fmt.Errorf("local test: the receiver did not start: %w", r.Err())
		default:
		}
		if time.Now().After(deadline) {
			r.Abort()
			return nil, errors.New("local test: the receiver did not start listening")
		}
	}
	return r, nil
}

// listening reports whether something listens on 127.0.0.1:port (from /proc/net/tcp).
func listening(port int) bool {
	b, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		time.Sleep(200 * time.Millisecond) // no /proc: give FFmpeg a moment
		return true
	}
	want := fmt.Sprintf("0100007F:%04X 00000000:0000 0A", port)
	return strings.Contains(string(b), want)
}

// Err returns what went wrong in the receiver, if anything.
func (r *Receiver) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Stop waits (at most a few seconds) for the publisher's stream to end, then closes the file.
func (r *Receiver) Stop() {
	select {
	case <-r.done:
	case <-time.After(3 * time.Second):
		r.irq.Interrupt()
		<-r.done
	}
}

// Abort ends the receiver at once.
func (r *Receiver) Abort() {
	r.irq.Interrupt()
	<-r.done
}

func (r *Receiver) fail(err error) {
	r.mu.Lock()
	if r.err == nil {
		r.err = err
	}
	r.mu.Unlock()
}

func (r *Receiver) run(ready chan struct{}) {
	defer close(r.done)
	defer r.irq.Free() // after the context that points at it
	defer r.in.Free()
	d := astiav.NewDictionary()
	defer d.Free()
	_ = d.Set("listen", "1", 0)
	_ = d.Set("timeout", "30", 0) // seconds to wait for the publisher
	close(ready)
	if err := r.in.OpenInput(r.URL, nil, d); err != nil {
		r.fail(fmt.Errorf("local test: no stream arrived: %w", err))
		return
	}
	defer r.in.CloseInput()
	if err := r.in.FindStreamInfo(nil); err != nil {
		r.fail(fmt.Errorf("local test: the stream could not be read: %w", err))
		return
	}
	if err := r.record(); err != nil {
		r.fail(err)
	}
}

// record remuxes every packet into the file while analysing it.
func (r *Receiver) record() error {
	out, err := astiav.AllocOutputFormatContext(nil, "flv", r.Path)
	if err != nil || out == nil {
		return fmt.Errorf("local test: cannot write %s: %w", r.Path, err)
	}
	defer out.Free()
	streams := map[int]*astiav.Stream{}
	for _, is := range r.in.Streams() {
		cp := is.CodecParameters()
		if cp.MediaType() != astiav.MediaTypeVideo && cp.MediaType() != astiav.MediaTypeAudio {
			continue
		}
		os := out.NewStream(nil)
		if err := cp.Copy(os.CodecParameters()); err != nil {
			return err
		}
		os.CodecParameters().SetCodecTag(0)
		streams[is.Index()] = os
		r.stats.addStream(is)
	}
	io, err := astiav.OpenIOContext(r.Path, astiav.NewIOContextFlags(astiav.IOContextFlagWrite), r.irq, nil)
	if err != nil {
		return fmt.Errorf("local test: cannot write %s: %w", r.Path, err)
	}
	defer io.Close()
	out.SetPb(io)
	if err := out.WriteHeader(nil); err != nil {
		return fmt.Errorf("local test: writing %s: %w", r.Path, err)
	}
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	for {
		err := r.in.ReadFrame(pkt)
		if err != nil {
			if !errors.Is(err, astiav.ErrEof) {
				r.log.Info("local test: stream ended", "err", err)
			}
			break
		}
		if os, ok := streams[pkt.StreamIndex()]; ok {
			is := r.in.Streams()[pkt.StreamIndex()]
			r.mu.Lock()
			r.stats.packet(is, pkt)
			r.mu.Unlock()
			pkt.RescaleTs(is.TimeBase(), os.TimeBase())
			pkt.SetStreamIndex(os.Index())
			if err := out.WriteInterleavedFrame(pkt); err != nil {
				pkt.Unref()
				return fmt.Errorf("local test: writing %s: %w", r.Path, err)
			}
		}
		pkt.Unref()
	}
	return out.WriteTrailer()
}

// Report checks what arrived against what was sent.
func (r *Receiver) Report(want Expect) Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := r.stats.report(want)
	rep.Path = r.Path
	if r.err != nil {
		rep.Problems = append([]string{r.err.Error()}, rep.Problems...)
	}
	return rep
}
