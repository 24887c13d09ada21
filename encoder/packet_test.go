package encoder

import (
	"bytes"
	"testing"
	"time"
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
