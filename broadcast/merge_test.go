package broadcast

import (
	"testing"
	"time"

	"onair/encoder"
)

func pkt(video bool, dtsMS int) packet {
	d := time.Duration(dtsMS) * time.Millisecond
	return packet{video: video, Packet: encoder.Packet{DTS: d, PTS: d}}
}

// popAll pops what may go at now, as "v10" / "a21".
func popAll(m *merger, now time.Duration) []string {
	var out []string
	for {
		p, ok := m.pop(now)
		if !ok {
			return out
		}
		kind := "a"
		if p.video {
			kind = "v"
		}
		out = append(out, kind+time.Duration(p.DTS).String())
	}
}

func TestMergerOrdersAndHoldsBack(t *testing.T) {
	m := newMerger(true, true)
	m.push(pkt(true, 0))
	m.push(pkt(true, 33))
	m.push(pkt(false, 21))
	if got := popAll(m, 40*time.Millisecond); len(got) != 2 || got[0] != "v0s" || got[1] != "a21ms" {
		t.Fatalf("popped %v, want [v0s a21ms]: in time order, and video 33 waits for audio", got)
	}
	// Once it has waited mergeWait, the next look (a packet arriving) lets it go; the timer for
	// when nothing arrives is set later than that.
	if got := popAll(m, 33*time.Millisecond+mergeWait); len(got) != 0 {
		t.Fatalf("popped %v before it waited mergeWait", got)
	}
	due, ok := m.due()
	if want := 33*time.Millisecond + 2*mergeWait + 1; !ok || due != want {
		t.Fatalf("due = %v %v, want %v", due, ok, want)
	}
	if got := popAll(m, 33*time.Millisecond+mergeWait+1); len(got) != 1 {
		t.Fatalf("popped %v after mergeWait, want the held video", got)
	}
	if _, ok := m.due(); ok {
		t.Fatal("nothing is held, yet due reports a time")
	}
}

func TestMergerStopsWaitingForAnEndedStream(t *testing.T) {
	m := newMerger(true, true)
	m.push(pkt(false, 100))
	if got := popAll(m, 101*time.Millisecond); len(got) != 0 {
		t.Fatalf("audio went before waiting for video: %v", got)
	}
	m.ended(true)
	if got := popAll(m, 101*time.Millisecond); len(got) != 1 {
		t.Fatalf("popped %v after the video ended, want the audio at once", got)
	}
}
