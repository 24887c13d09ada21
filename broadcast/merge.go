package broadcast

import "time"

// mergeWait is how long past its capture time a packet waits for the other stream before it may
// go alone. AAC packets come out about 50 ms after their audio (the encoder looks one frame ahead);
// holding video back that long would add it to every frame's latency, so audio may follow video
// slightly out of order. Shorter than a 30 fps frame, so a held packet normally goes with the next
// frame and needs no timer wake of its own.
const mergeWait = 30 * time.Millisecond

// merger puts audio and video packets, which arrive from two goroutines, back in time order. A
// packet waits about mergeWait for the other stream before it goes out alone .
type merger struct {
	hasVideo, hasAudio bool
	video, audio       []packet
	flushing           bool
}

func newMerger(hasVideo, hasAudio bool) *merger {
	return &merger{hasVideo: hasVideo, hasAudio: hasAudio}
}

func (m *merger) push(p packet) {
	if p.video {
		m.video = append(m.video, p)
	} else {
		m.audio = append(m.audio, p)
	}
}

func (m *merger) pending() bool { return len(m.video)+len(m.audio) > 0 }

// flush lets everything out in order: no more packets will come.
func (m *merger) flush() { m.flushing = true }

// ended says one stream has no more packets: the other's need not wait for it.
func (m *merger) ended(video bool) {
	if video {
		m.hasVideo = false
	} else {
		m.hasAudio = false
	}
}

// pop returns the next packet in DTS order, if it may go now.
func (m *merger) pop(now time.Duration) (packet, bool) {
	nv, na := len(m.video), len(m.audio)
	switch {
	case nv > 0 && na > 0:
		if m.video[0].DTS <= m.audio[0].DTS {
			return m.take(&m.video), true
		}
		return m.take(&m.audio), true
	case nv > 0 && (m.flushing || !m.hasAudio || m.video[0].DTS+mergeWait < now):
		return m.take(&m.video), true
	case na > 0 && (m.flushing || !m.hasVideo || m.audio[0].DTS+mergeWait < now):
		return m.take(&m.audio), true
	}
	return packet{}, false
}

// due returns when a packet held back for the other stream must go even though no packet came
// after it (which would have taken it along), if one is held.
func (m *merger) due() (time.Duration, bool) {
	nv, na := len(m.video), len(m.audio)
	switch {
	case nv > 0 && na == 0:
		return m.video[0].DTS + 2*mergeWait + 1, true
	case na > 0 && nv == 0:
		return m.audio[0].DTS + 2*mergeWait + 1, true
	}
	return 0, false
}

func (m *merger) take(q *[]packet) packet {
	p := (*q)[0]
	(*q)[0] = packet{}
	*q = (*q)[1:]
	return p
}

// holdsKeyframe reports whether a video keyframe waits in the merger.
func (m *merger) holdsKeyframe() bool {
	for _, p := range m.video {
		if p.Keyframe {
			return true
		}
	}
	return false
}
