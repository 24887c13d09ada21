package localtest

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/asticode/go-astiav"
)

// Expect is what the sender meant to send; the report checks the stream against it.
type Expect struct {
	Video, Audio    bool
	Width, Height   int
	FPS             int
	KeyframeSeconds float64
}

// Report is what the receiver found.
type Report struct {
	Path string
	// Video
	VideoCodec    string
	Width, Height int
	FPS           float64
	VideoKbps     float64
	VideoFrames   int
	MaxKeyGap     time.Duration
	// Audio
	AudioCodec  string
	SampleRate  int
	Channels    int
	AudioKbps   float64
	AudioFrames int
	// AVOffset is when audio starts relative to video; AVOffsetEnd, when it ends.
	AVOffset    time.Duration
	AVOffsetEnd time.Duration
	Duration    time.Duration
	Problems    []string
}

// Summary says in one plain sentence what a viewer would get.
func (r Report) Summary() string {
	if !r.OK() {
		more := ""
		if len(r.Problems) > 1 {
			more = fmt.Sprintf(" (and %d more)", len(r.Problems)-1)
		}
		return "Your stream arrived with a problem: " + r.Problems[0] + more + "."
	}
	var parts []string
	if r.VideoCodec != "" {
		parts = append(parts, fmt.Sprintf("%dx%d at %.0f fps", r.Width, r.Height, r.FPS))
	}
	if r.AudioCodec != "" {
		parts = append(parts, "sound OK")
	}
	if r.VideoCodec != "" && r.AudioCodec != "" {
		parts = append(parts, "in sync")
	}
	return "Your stream arrived: " + strings.Join(parts, ", ") + "."
}

// OK reports whether nothing is wrong.
func (r Report) OK() bool { return len(r.Problems) == 0 }

func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Local test: what the receiver got (saved to %s)\n", r.Path)
	if r.VideoCodec != "" {
		fmt.Fprintf(&b, "  video: %s %dx%d, %.1f fps, %.0f kb/s, %d frames, longest keyframe gap %.1f s\n",
			r.VideoCodec, r.Width, r.Height, r.FPS, r.VideoKbps, r.VideoFrames, r.MaxKeyGap.Seconds())
	} else {
		fmt.Fprintln(&b, "  video: none")
	}
	if r.AudioCodec != "" {
		fmt.Fprintf(&b, "  audio: %s %d Hz, %d channel(s), %.0f kb/s, %d frames\n", r.AudioCodec, r.SampleRate, r.Channels, r.AudioKbps, r.AudioFrames)
	} else {
		fmt.Fprintln(&b, "  audio: none")
	}
	if r.VideoCodec != "" && r.AudioCodec != "" {
		fmt.Fprintf(&b, "  audio starts %d ms and ends %d ms after video\n", r.AVOffset.Milliseconds(), r.AVOffsetEnd.Milliseconds())
	}
	if r.OK() {
		fmt.Fprintln(&b, "  result: everything arrived as sent")
	} else {
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "  problem: %s\n", p)
		}
	}
	return b.String()
}

type streamInfo struct {
	video          bool
	codec          string
	width, height  int
	rate, channels int
	count          int
	bytes          int
	first, last    time.Duration
	seen           bool
	lastDTS        time.Duration
	backwards      int
	lastKey        time.Duration
	maxKeyGap      time.Duration
	keys           int
}

type analysis struct {
	streams map[int]*streamInfo
}

func newAnalysis() *analysis { return &analysis{streams: map[int]*streamInfo{}} }

func (a *analysis) addStream(s *astiav.Stream) {
	cp := s.CodecParameters()
	si := &streamInfo{video: cp.MediaType() == astiav.MediaTypeVideo, codec: cp.CodecID().String()}
	if si.video {
		si.width, si.height = cp.Width(), cp.Height()
	} else {
		si.rate, si.channels = cp.SampleRate(), cp.ChannelLayout().Channels()
	}
	a.streams[s.Index()] = si
}

func ts(v int64, tb astiav.Rational) time.Duration {
	return time.Duration(float64(v) * float64(tb.Num()) / float64(tb.Den()) * float64(time.Second))
}

func (a *analysis) packet(s *astiav.Stream, p *astiav.Packet) {
	si := a.streams[s.Index()]
	if si == nil {
		return
	}
	pts, dts := ts(p.Pts(), s.TimeBase()), ts(p.Dts(), s.TimeBase())
	if !si.seen {
		si.first, si.lastDTS, si.lastKey, si.seen = pts, dts, pts, true
	} else if dts < si.lastDTS {
		si.backwards++
	}
	si.lastDTS = max(si.lastDTS, dts)
	si.last = max(si.last, pts)
	si.count++
	si.bytes += p.Size()
	if si.video && p.Flags().Has(astiav.PacketFlagKey) {
		if si.keys > 0 {
			si.maxKeyGap = max(si.maxKeyGap, pts-si.lastKey)
		}
		si.lastKey = pts
		si.keys++
	}
}

func (a *analysis) report(want Expect) Report {
	var r Report
	var v, au *streamInfo
	for _, si := range a.streams {
		if si.video && v == nil {
			v = si
		} else if !si.video && au == nil {
			au = si
		}
	}
	problem := func(f string, args ...any) { r.Problems = append(r.Problems, fmt.Sprintf(f, args...)) }
	kbps := func(si *streamInfo) float64 {
		if d := (si.last - si.first).Seconds(); d > 0 {
			return float64(si.bytes*8) / d / 1000
		}
		return 0
	}
	if v != nil && v.count > 0 {
		r.VideoCodec, r.Width, r.Height, r.VideoFrames = v.codec, v.width, v.height, v.count
		if d := (v.last - v.first).Seconds(); d > 0 && v.count > 1 {
			r.FPS = float64(v.count-1) / d
		}
		r.VideoKbps = kbps(v)
		r.MaxKeyGap = max(v.maxKeyGap, v.last-v.lastKey)
		r.Duration = v.last - v.first
		if want.Width != 0 && (v.width != want.Width || v.height != want.Height) {
			problem("video is %dx%d, %dx%d was sent", v.width, v.height, want.Width, want.Height)
		}
		if want.FPS > 0 && r.FPS > 0 && math.Abs(r.FPS-float64(want.FPS)) > 0.1*float64(want.FPS) {
			problem("video runs at %.1f fps, %d was sent", r.FPS, want.FPS)
		}
		limit := time.Duration((want.KeyframeSeconds + 0.5) * float64(time.Second))
		if want.KeyframeSeconds > 0 && r.MaxKeyGap > limit {
			problem("no keyframe for %.1f s: a viewer joining then waits that long for a picture", r.MaxKeyGap.Seconds())
		}
		if v.backwards > 0 {
			problem("video timestamps went backwards %d time(s)", v.backwards)
		}
	} else if want.Video {
		problem("no video arrived")
	}
	if au != nil && au.count > 0 {
		r.AudioCodec, r.SampleRate, r.Channels, r.AudioFrames = au.codec, au.rate, au.channels, au.count
		r.AudioKbps = kbps(au)
		if au.backwards > 0 {
			problem("audio timestamps went backwards %d time(s)", au.backwards)
		}
		if v != nil && v.count > 0 {
			r.AVOffset, r.AVOffsetEnd = au.first-v.first, au.last-v.last
			if r.AVOffset.Abs() > 200*time.Millisecond {
				problem("audio starts %d ms away from video", r.AVOffset.Milliseconds())
			}
			switch end := r.AVOffsetEnd; {
			case end > time.Second:
				problem("video stops %.1f s before the sound: viewers saw a frozen picture", end.Seconds())
			case end < -time.Second:
				problem("sound stops %.1f s before the video", -end.Seconds())
			case (end - r.AVOffset).Abs() > 200*time.Millisecond:
				problem("sound and picture drift %d ms apart from start to end", (end - r.AVOffset).Milliseconds())
			}
		}
	} else if want.Audio {
		problem("audio is missing")
	}
	if !want.Audio && au != nil && au.count > 0 {
		problem("audio arrived that was not sent")
	}
	return r
}
