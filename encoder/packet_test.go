package encoder

import (
	"bytes"
	"testing"
	"time"

	"github.com/asticode/go-astiav"
)

// Released packets' memory comes back for later packets; packets still held are never written
// over; and the copies are the encoder's real output (they decode).
func TestReleasedPacketMemoryIsReused(t *testing.T) {
	const w, h, fps, n = 320, 240, 30, 40
	v, err := NewVideo(VideoConfig{Width: w, Height: h, FPS: fps, BitrateKbps: 500, Codec: "libx264"})
	if err != nil {
		t.Fatal(err)
	}
	type seen struct {
		p    Packet
		copy []byte
	}
	done := make(chan []seen, 1)
	go func() {
		var all []seen
		released := map[*byte]bool{}
		reused := 0
		for p := range v.Packets() {
			if released[&p.Data[0]] {
				reused++
			}
			all = append(all, seen{p, bytes.Clone(p.Data)})
			if len(all)%2 == 0 { // every other packet is let go at once, the rest are held
				released[&p.Data[0]] = true
				p.Release()
			}
		}
		if reused == 0 {
			all = nil
		}
		done <- all
	}()
	for i := 0; i < n; i++ {
		y, u, vv := pattern(w, h, i)
		submitWait(t, v, i420Frame(w, h, y, u, vv, time.Duration(i)*time.Second/fps))
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	all := <-done
	if all == nil {
		t.Fatal("no packet reused the memory of one released before it")
	}
	var pkts []Packet
	for i, s := range all {
		if i%2 == 0 && !bytes.Equal(s.p.Data, s.copy) { // held: must be as it came out
			t.Fatalf("packet %d, still held, was written over by a later one", i)
		}
		pkts = append(pkts, Packet{Data: s.copy, PTS: s.p.PTS, DTS: s.p.DTS, Keyframe: s.p.Keyframe})
	}
	if pics := decodeH264(t, v.Config(), pkts); len(pics) != n {
		t.Fatalf("decoded %d pictures from %d packets", len(pics), n)
	}
}

// TestPacketData guards packetData's reach into astiav.Packet's private layout: the bytes it reads
// are the ones go-astiav's own (copying) Data returns.
func TestPacketData(t *testing.T) {
	pkt := astiavPacketFromEncoder(t)
	defer pkt.Free()
	want := pkt.Data()
	if len(want) == 0 || !bytes.Equal(packetData(pkt), want) {
		t.Fatalf("packetData read %d bytes, go-astiav %d: the layout of astiav.Packet changed", len(packetData(pkt)), len(want))
	}
}

// astiavPacketFromEncoder returns one packet straight from libx264, as the encoder's loop gets it.
func astiavPacketFromEncoder(t *testing.T) *astiav.Packet {
	t.Helper()
	cc, err := openVideo("libx264", VideoConfig{Width: 64, Height: 64, FPS: 30, BitrateKbps: 800, KeyframeInterval: time.Second, Preset: "ultrafast", Profile: "high"})
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Free()
	f := astiav.AllocFrame()
	defer f.Free()
	f.SetWidth(64)
	f.SetHeight(64)
	f.SetPixelFormat(astiav.PixelFormatYuv420P)
	if err := f.AllocBuffer(0); err != nil {
		t.Fatal(err)
	}
	if err := cc.SendFrame(f); err != nil {
		t.Fatal(err)
	}
	if err := cc.SendFrame(nil); err != nil {
		t.Fatal(err)
	}
	pkt := astiav.AllocPacket()
	if err := cc.ReceivePacket(pkt); err != nil {
		pkt.Free()
		t.Fatal(err)
	}
	return pkt
}
