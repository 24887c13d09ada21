package testpeer

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// rwTimeout makes ffmpeg/ffprobe give up a network read after 3 s: an nginx-rtmp player never sees
// end-of-stream when the publisher leaves.
const rwTimeout = "3000000"

// Command builds an ffmpeg-family command that is interrupted with SIGINT when ctx ends and killed 5 s
// later if it ignores that (ffmpeg blocked in a read ignores one signal).
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// Run runs an ffmpeg-family command with a hard timeout and returns its combined output.
func Run(t testing.TB, timeout time.Duration, name string, args ...string) ([]byte, error) {
	t.Helper()
	Require(t, name, "ffmpeg")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := Command(ctx, name, args...).CombinedOutput()
	if ctx.Err() != nil {
		return out, fmt.Errorf("%s timed out after %v: %w", name, timeout, ctx.Err())
	}
	return out, err
}

// Clip describes a synthetic clip made with the ffmpeg CLI.
type Clip struct {
	Width, Height, FPS int
	Seconds            float64
	GOP                int    // keyframe interval in frames (default 2 s)
	Audio              bool   // a 440 Hz tone at 48 kHz stereo
	VideoCodec         string // default libx264; "rawvideo" for raw clips
	AudioCodec         string // default aac; "pcm_s16le" for raw clips
	PixelFormat        string // default yuv420p
}

// MakeClip writes a clip (test pattern with motion, optional tone) to path; the container follows the
// file name's extension.
func MakeClip(t testing.TB, path string, c Clip) {
	t.Helper()
	if c.GOP == 0 {
		c.GOP = 2 * c.FPS
	}
	if c.VideoCodec == "" {
		c.VideoCodec = "libx264"
	}
	if c.AudioCodec == "" {
		c.AudioCodec = "aac"
	}
	if c.PixelFormat == "" {
		c.PixelFormat = "yuv420p"
	}
	if c.VideoCodec == "rawvideo" && strings.HasSuffix(path, ".y4m") {
		c.VideoCodec = "wrapped_avframe" // what FFmpeg 5.1's y4m muxer takes for raw frames
	}
	args := []string{"-v", "error", "-y", "-f", "lavfi", "-i",
		fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", c.Width, c.Height, c.FPS)}
	if c.Audio {
		args = append(args, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-ac", "2")
	}
	args = append(args, "-t", strconv.FormatFloat(c.Seconds, 'f', -1, 64), "-c:v", c.VideoCodec, "-pix_fmt", c.PixelFormat)
	if c.VideoCodec == "libx264" {
		args = append(args, "-preset", "veryfast", "-g", strconv.Itoa(c.GOP), "-sc_threshold", "0", "-bf", "0")
	}
	if c.Audio {
		args = append(args, "-c:a", c.AudioCodec)
	}
	args = append(args, path)
	if out, err := Run(t, 2*time.Minute, "ffmpeg", args...); err != nil {
		t.Fatalf("testpeer: making clip: %v\n%s", err, out)
	}
}

// Stream is one stream as ffprobe reports it.
type Stream struct {
	Index        int    `json:"index"`
	CodecType    string `json:"codec_type"`
	CodecName    string `json:"codec_name"`
	Profile      string `json:"profile"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	RFrameRate   string `json:"r_frame_rate"`
	AvgFrameRate string `json:"avg_frame_rate"`
	SampleRate   string `json:"sample_rate"`
	Channels     int    `json:"channels"`
}

// Packet is one packet as ffprobe reports it.
type Packet struct {
	CodecType   string `json:"codec_type"`
	StreamIndex int    `json:"stream_index"`
	PTSTime     string `json:"pts_time"`
	DTSTime     string `json:"dts_time"`
	Size        string `json:"size"`
	Flags       string `json:"flags"`
}

// PTS returns the packet's presentation time in seconds.
func (p Packet) PTS() float64 { v, _ := strconv.ParseFloat(p.PTSTime, 64); return v }

// DTS returns the packet's decoding time in seconds.
func (p Packet) DTS() float64 { v, _ := strconv.ParseFloat(p.DTSTime, 64); return v }

// Keyframe reports whether ffprobe flagged the packet as a keyframe.
func (p Packet) Keyframe() bool { return strings.Contains(p.Flags, "K") }

// Probe is what ffprobe found in a file or stream.
type Probe struct {
	Streams []Stream `json:"streams"`
	Packets []Packet `json:"packets"`
}

// Stream returns the first stream of the given type ("video", "audio"), or nil.
func (p *Probe) Stream(codecType string) *Stream {
	for i := range p.Streams {
		if p.Streams[i].CodecType == codecType {
			return &p.Streams[i]
		}
	}
	return nil
}

// PacketsOf returns the packets of the given type in file order.
func (p *Probe) PacketsOf(codecType string) []Packet {
	var out []Packet
	for _, pk := range p.Packets {
		if pk.CodecType == codecType {
			out = append(out, pk)
		}
	}
	return out
}

// ProbeFile runs ffprobe on a file or URL, with packets, and parses what it prints.
func ProbeFile(t testing.TB, target string) *Probe {
	t.Helper()
	args := []string{"-v", "error", "-show_streams", "-show_packets", "-of", "json"}
	if strings.Contains(target, "://") {
		args = append(args, "-rw_timeout", rwTimeout)
	}
	out, err := Run(t, time.Minute, "ffprobe", append(args, target)...)
	if err != nil {
		t.Fatalf("testpeer: ffprobe %s: %v\n%s", target, err, out)
	}
	var p Probe
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatalf("testpeer: parse ffprobe output: %v\n%s", err, out)
	}
	return &p
}

// Recording is an ffmpeg CLI reading an RTMP stream into a file.
type Recording struct {
	cmd  *exec.Cmd
	done chan error
	out  strings.Builder
}

// Record starts ffmpeg reading url into path (stream copy) for at most limit; call Wait for the file.
func Record(t testing.TB, url, path string, limit time.Duration) *Recording {
	t.Helper()
	Require(t, "ffmpeg", "ffmpeg")
	ctx, cancel := context.WithTimeout(context.Background(), limit+10*time.Second)
	r := &Recording{done: make(chan error, 1)}
	r.cmd = Command(ctx, "ffmpeg", "-v", "error", "-rw_timeout", rwTimeout, "-i", url,
		"-c", "copy", "-t", strconv.FormatFloat(limit.Seconds(), 'f', -1, 64), "-y", path)
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.out
	if err := r.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("testpeer: start ffmpeg: %v", err)
	}
	go func() { r.done <- r.cmd.Wait(); cancel() }()
	t.Cleanup(func() { _ = r.cmd.Process.Kill(); <-r.done; r.done <- nil })
	return r
}

// Wait waits for the recording to end and returns its error with ffmpeg's output.
func (r *Recording) Wait() error {
	err := <-r.done
	r.done <- err
	if err != nil {
		return fmt.Errorf("%w: %s", err, r.out.String())
	}
	return nil
}

// Frame is one decoded video picture: its size and time.
type Frame struct {
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Time   string `json:"best_effort_timestamp_time"`
}

// T returns the picture's time in seconds.
func (f Frame) T() float64 { v, _ := strconv.ParseFloat(f.Time, 64); return v }

// DecodeFrames decodes a file's video with ffprobe and returns every picture's size and time, and
// what the decoder complained of.
func DecodeFrames(t testing.TB, path string) (frames []Frame, complaints string) {
	t.Helper()
	cmd := Command(context.Background(), "ffprobe", "-v", "error", "-select_streams", "v:0", "-show_frames",
		"-show_entries", "frame=width,height,best_effort_timestamp_time", "-of", "json", path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("testpeer: ffprobe -show_frames %s: %v\n%s", path, err, stderr.String())
	}
	var doc struct {
		Frames []Frame `json:"frames"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("testpeer: parse ffprobe's frames: %v", err)
	}
	return doc.Frames, stderr.String()
}
