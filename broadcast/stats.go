package broadcast

import (
	"sort"
	"sync"
	"time"
)

// State is where a session is.
type State string

// Session states.
const (
	StateIdle         State = "idle"
	StateConnecting   State = "connecting"
	StateLive         State = "live"
	StateReconnecting State = "reconnecting"
	// StateWaitingNetwork is reconnecting while the server cannot be reached at all: no name
	// look-up, no route, no answer to connecting.
	StateWaitingNetwork State = "waiting_network"
	// StateRecording is a session that records without streaming anywhere.
	StateRecording State = "recording"
	StateStopped   State = "stopped"
	StateFailed    State = "failed"
)

// Stats is one snapshot, sent once a second and on every state change. Its JSON form is the
// `onair stream --stats` contract: fields may be added, never renamed or removed.
type Stats struct {
	T     float64 `json:"t"` // seconds since the session started
	State State   `json:"state"`
	// SentKbps is what actually left the socket over the last second.
	SentKbps   float64 `json:"sent_kbps"`
	TargetKbps int     `json:"target_kbps"` // the video encoder's bitrate now
	FPS        float64 `json:"fps"`         // video frames sent over the last second
	FramesSent uint64  `json:"frames_sent"`
	// FramesDropped counts video frames lost to the network: dropped by the send queue under
	// congestion or while disconnected.
	FramesDropped uint64 `json:"frames_dropped"`
	// FramesSkipped counts frames the encoder could not keep up with.
	FramesSkipped uint64 `json:"frames_skipped"`
	// QueueMS is the delay a viewer gets from sending: OnAir's queue plus the kernel's unsent
	// bytes at the current send rate.
	QueueMS float64 `json:"queue_ms"`
	// LatencyMS and LatencyP95MS are video capture-to-socket latency over the last second;
	// AudioLatencyMS is the audio's median (AAC's own look-ahead included).
	LatencyMS      float64 `json:"latency_ms"`
	LatencyP95MS   float64 `json:"latency_p95_ms"`
	AudioLatencyMS float64 `json:"audio_latency_ms"`
	Reconnects     int     `json:"reconnects"`
	UptimeS        float64 `json:"uptime_s"` // time live
	AudioSent      uint64  `json:"audio_frames_sent"`
	BytesSent      uint64  `json:"bytes_sent"`
	KernelUnsent   int     `json:"kernel_unsent_bytes"` // held by the kernel, not yet at the peer
	Encoder        string  `json:"encoder,omitempty"`
	// EncoderPreset is x264's preset, picked by a trial encode at start.
	EncoderPreset string `json:"encoder_preset,omitempty"`
	// EncoderThreads is x264's thread count, picked with the preset (0: x264's own choice).
	EncoderThreads int `json:"encoder_threads,omitempty"`
	// FailedRaises counts bitrate raises the first destination's link then did not carry;
	// FailedProbes its padding probes that found no room (each cost a little delay, no picture).
	FailedRaises int `json:"failed_raises,omitempty"`
	FailedProbes int `json:"failed_probes,omitempty"`
	// AudioKbps is the audio encoder's bitrate now: the chosen one, or 96 or 64 kb/s while the
	// video is below 500 or 250 kb/s.
	AudioKbps int `json:"audio_kbps,omitempty"`
	// EncodeFPS is the frame rate being encoded: the chosen one, or half of it while the bitrate
	// is too low for every frame to look right.
	EncodeFPS float64 `json:"encode_fps,omitempty"`
	// Width and Height are the picture's size being encoded: the chosen one, or a smaller one
	// while the link is too slow for it (where every destination takes a size change).
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
	// AVOffsetMS is how far the audio's timestamps sit from its capture time, against the video's
	// (positive: the sound comes later than the picture); OnAir keeps it within 40 ms.
	AVOffsetMS float64 `json:"av_offset_ms"`
	// MicDBFS and DesktopDBFS are the first and the second sound's peaks over the last second,
	// after their levels and before the limiter (-120: silence); absent without such a sound.
	MicDBFS     *float64 `json:"mic_dbfs,omitempty"`
	DesktopDBFS *float64 `json:"desktop_dbfs,omitempty"`
	// Reconnect details while reconnecting or waiting for the network.
	Attempt     int      `json:"attempt,omitempty"`
	RetryInS    float64  `json:"retry_in_s,omitempty"`
	Error       string   `json:"error,omitempty"`        // why it failed, in words
	ErrorDetail string   `json:"error_detail,omitempty"` // the technical detail beside it
	Warnings    []string `json:"warnings,omitempty"`
	// LostDevices names the devices that stopped delivering: viewers see "be right back" or hear
	// silence until each returns.
	LostDevices []string `json:"lost_devices,omitempty"`
	Final       bool     `json:"final,omitempty"`
	// Ended says what ended a stream that nobody stopped ("the video file ended").
	Ended string `json:"ended,omitempty"`
	// The recording, when there is one: its file, size and length, and its state ("recording",
	// "stopped", "failed") with the reason in words when it failed (the stream goes on).
	RecordingPath  string  `json:"recording_path,omitempty"`
	RecordingBytes int64   `json:"recording_bytes"`
	RecordingS     float64 `json:"recording_s,omitempty"`
	RecordingState string  `json:"recording_state,omitempty"`
	RecordingError string  `json:"recording_error,omitempty"`
	// Destinations are every destination's own figures, the first one first (its figures are the
	// top-level ones too); absent when recording only.
	Destinations []DestinationStats `json:"destinations,omitempty"`
}

// DestinationStats is one destination's part of a snapshot.
type DestinationStats struct {
	Name  string `json:"name"` // the platform's name, or the server's for a custom one
	State State  `json:"state"`
	// SentKbps is what left this destination's socket over the last second.
	SentKbps float64 `json:"sent_kbps"`
	// TargetKbps is the video bitrate this destination's link is steered to: the shared encode
	// follows the lowest of those that keep up.
	TargetKbps    int    `json:"target_kbps"`
	FramesSent    uint64 `json:"frames_sent"`
	FramesDropped uint64 `json:"frames_dropped"`
	Reconnects    int    `json:"reconnects"`
	// QueueMS is the delay sending to this destination adds (as the top-level queue_ms).
	QueueMS  float64 `json:"queue_ms"`
	RetryInS float64 `json:"retry_in_s,omitempty"`
	// CantKeepUp marks a destination far narrower than the others: the shared stream does not
	// slow down for it, and it gets whole GOPs or none.
	CantKeepUp  bool   `json:"cant_keep_up,omitempty"`
	Error       string `json:"error,omitempty"`
	ErrorDetail string `json:"error_detail,omitempty"`
}

// totals are the counters of connections that ended, added to the live one's in snapshots.
type totals struct {
	videoSent, audioSent, dropped, bytes uint64
}

// latencies collects capture-to-socket latency samples between two snapshots.
type latencies struct {
	mu      sync.Mutex
	samples []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	if len(l.samples) < 4096 {
		l.samples = append(l.samples, d)
	}
	l.mu.Unlock()
}

// take returns p50 and p95 in milliseconds and starts a new window.
func (l *latencies) take() (p50, p95 float64) {
	l.mu.Lock()
	s := l.samples
	l.samples = nil
	l.mu.Unlock()
	if len(s) == 0 {
		return 0, 0
	}
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return ms(s[len(s)/2]), ms(s[(len(s)*95)/100])
}
