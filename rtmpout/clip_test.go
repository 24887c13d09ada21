package rtmpout

import (
	"encoding/binary"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"onair/tools/testpeer"
)

// clip is a real H.264/AAC stream made by the ffmpeg CLI, split into what an encoder hands us.
type clip struct {
	videoConfig []byte // Annex B SPS+PPS
	audioConfig []byte // AudioSpecificConfig
	frames      []clipFrame
	width       int
	height      int
}

type clipFrame struct {
	video bool
	Frame
}

var (
	clipOnce sync.Once
	clipData *clip
	clipDir  string
)

// testClip makes (once per test binary) a 4 s 320x240 25 fps clip with a 48 kHz stereo tone.
func testClip(t *testing.T) *clip {
	t.Helper()
	clipOnce.Do(func() {
		dir := t.TempDir()
		path := filepath.Join(dir, "clip.flv")
		testpeer.MakeClip(t, path, testpeer.Clip{Width: 320, Height: 240, FPS: 25, Seconds: 4, Audio: true})
		tags, err := testpeer.ReadFLV(path)
		if err != nil {
			t.Fatal(err)
		}
		c := &clip{width: 320, height: 240}
		for _, tag := range tags {
			ts := time.Duration(tag.Timestamp) * time.Millisecond
			switch tag.Type {
			case 9:
				b := tag.Body
				cts := time.Duration(int32(uint32(b[2])<<16|uint32(b[3])<<8|uint32(b[4]))<<8>>8) * time.Millisecond
				if b[1] == 0 {
					c.videoConfig = avccToAnnexB(b[5:])
				} else if b[1] == 1 {
					c.frames = append(c.frames, clipFrame{video: true, Frame: Frame{DTS: ts, PTS: ts + cts,
						Keyframe: b[0]>>4 == 1, Data: lengthPrefixedToAnnexB(b[5:])}})
				}
			case 8:
				if tag.Body[1] == 0 {
					c.audioConfig = tag.Body[2:]
				} else {
					c.frames = append(c.frames, clipFrame{Frame: Frame{DTS: ts, PTS: ts, Data: tag.Body[2:]}})
				}
			}
		}
		clipData = c
	})
	if clipData == nil {
		t.Fatal("no test clip")
	}
	return clipData
}

func (c *clip) count(video bool) int {
	n := 0
	for _, f := range c.frames {
		if f.video == video {
			n++
		}
	}
	return n
}

func avccToAnnexB(avcc []byte) []byte {
	var out []byte
	p := 6
	for i := 0; i < int(avcc[5]&0x1F); i++ {
		n := int(binary.BigEndian.Uint16(avcc[p:]))
		out = append(append(out, 0, 0, 0, 1), avcc[p+2:p+2+n]...)
		p += 2 + n
	}
	np := int(avcc[p])
	p++
	for i := 0; i < np; i++ {
		n := int(binary.BigEndian.Uint16(avcc[p:]))
		out = append(append(out, 0, 0, 0, 1), avcc[p+2:p+2+n]...)
		p += 2 + n
	}
	return out
}

func lengthPrefixedToAnnexB(b []byte) []byte {
	var out []byte
	for len(b) >= 4 {
		n := int(binary.BigEndian.Uint32(b))
		out = append(append(out, 0, 0, 0, 1), b[4:4+n]...)
		b = b[4+n:]
	}
	return out
}

// publish sends the clip's headers and frames, paced at speed × real time (0: as fast as possible).
func publish(t *testing.T, c *Conn, cl *clip, speed float64) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.WriteMetadata(Metadata{Width: cl.width, Height: cl.height, FrameRate: 25, HasVideo: true, HasAudio: true,
		AudioSampleRate: 48000, AudioChannels: 2, VideoKbps: 500, AudioKbps: 128}))
	must(c.WriteVideoConfig(cl.videoConfig))
	must(c.WriteAudioConfig(cl.audioConfig))
	start := time.Now()
	for _, f := range cl.frames {
		if speed > 0 {
			if d := time.Duration(float64(f.DTS)/speed) - time.Since(start); d > 0 {
				time.Sleep(d)
			}
		}
		if f.video {
			must(c.WriteVideo(f.Frame))
		} else {
			must(c.WriteAudio(f.Frame))
		}
	}
}

// queueVideo writes the clip's video config, then its video rounds times over (each round 4 s
// later), all at once: the send queue stays full for as long as the link takes.
func (cl *clip) queueVideo(t *testing.T, c *Conn, rounds int) {
	t.Helper()
	if err := c.WriteVideoConfig(cl.videoConfig); err != nil {
		t.Fatal(err)
	}
	for r := 0; r < rounds; r++ {
		off := time.Duration(r) * 4 * time.Second
		for _, f := range cl.frames {
			if !f.video {
				continue
			}
			fr := f.Frame
			fr.DTS += off
			fr.PTS += off
			if err := c.WriteVideo(fr); err != nil {
				t.Fatal(err)
			}
		}
	}
}
