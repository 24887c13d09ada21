package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"onair/broadcast"
	"onair/capture"
)

// runStream is `onair stream`: its flags and its --stats lines are a contract for scripts.
func runStream(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stream", flag.ContinueOnError)
	fs.SetOutput(stderr)
	preset := fs.String("preset", "local", "platform preset (onair presets lists them)")
	server := fs.String("server", "", "server URL, rtmp:// or rtmps:// (default: the preset's)")
	key := fs.String("key", "", "stream key; other users can read a command line, so prefer --key-file or $ONAIR_STREAM_KEY")
	keyFile := fs.String("key-file", "", "read the stream key from FILE (default: $ONAIR_STREAM_KEY)")
	video := fs.String("video", "test", "video source: test, camera[:NAME], screen[:NAME], file:PATH, none")
	video2 := fs.String("video2", "none", "a second picture: test, camera[:NAME], screen[:NAME], file:PATH (loops), none")
	layout := fs.String("layout", "", "how the two pictures share the stream: video, video2, side, corner:POS:SIZE (POS tl, tr, bl, br; SIZE s, m, l; default with --video2: corner:br:m)")
	audio2 := fs.String("audio2", "none", "a second sound mixed with the first: desktop (the computer's own sound), test, mic[:NAME], file (the --video file's sound), none")
	audioGain := fs.Float64("audio-gain", 0, "the first sound's level in dB (-60 to +24)")
	audio2Gain := fs.Float64("audio2-gain", 0, "the second sound's level in dB (-60 to +24)")
	audio := fs.String("audio", "test", "audio source: test, mic[:NAME], file (the --video file's sound), none")
	size := fs.String("size", "1280x720", "video size WxH")
	fps := fs.Int("fps", 30, "frames per second")
	bitrate := fs.Int("bitrate", 0, "video bitrate in kb/s (default: the preset's)")
	audioBitrate := fs.Int("audio-bitrate", 0, "audio bitrate in kb/s (default: the preset's)")
	adaptive := fs.Bool("adaptive", true, "lower the bitrate when the network cannot carry it")
	duration := fs.Duration("duration", 0, "stop after this long (default: until interrupted or the file ends)")
	ca := fs.String("ca", "", "extra CA certificates (PEM file) for rtmps://")
	stats := fs.String("stats", "", "write one JSON stats line a second to FILE, or - for stdout")
	loop := fs.Bool("loop", false, "loop a file source (as --at-end loop)")
	atEnd := fs.String("at-end", "", "what a file source does at its end: stop (the stream), loop, or hold (\"Be right back\" until stopped)")
	record := fs.String("record", "", "record what is sent to this new file (Matroska, .mkv); alone, without --preset or --server, record only")
	recordQuality := fs.String("record-quality", "stream", "stream: the recording holds what is sent; full: it keeps the chosen bitrate with an encoder of its own (more CPU)")
	maxAttempts := fs.Int("max-attempts", 0, "end the stream after this many failed reconnect attempts in a row (default: keep trying)")
	var also alsoFlag
	fs.Var(&also, "also", "also stream to this address, its stream key as its last part (rtmp://server/app/KEY); @FILE reads the address from FILE (keeps the key off the command line); local is the Local test. Repeatable")
	verbose := fs.Bool("v", false, "log what happens to stderr")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	w, h, err := parseSize(*size)
	if err != nil {
		fmt.Fprintf(stderr, "onair: %v\n", err)
		return 2
	}
	destination := false
	fs.Visit(func(f *flag.Flag) {
		destination = destination || f.Name == "preset" || f.Name == "server" || f.Name == "also"
	})
	if *recordQuality != "stream" && *recordQuality != "full" {
		fmt.Fprintf(stderr, "onair: --record-quality takes stream or full, not %q\n", *recordQuality)
		return 2
	}
	moreDests, err := also.destinations()
	if err != nil {
		fmt.Fprintf(stderr, "onair: %v\n", err)
		return 2
	}
	k, err := streamKey(*key, *keyFile)
	if err != nil {
		fmt.Fprintf(stderr, "onair: %v\n", err)
		return 2
	}
	level := slog.LevelError
	if *verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	var statsOut io.Writer
	switch *stats {
	case "":
	case "-":
		statsOut = stdout
	default:
		f, err := os.Create(*stats)
		if err != nil {
			fmt.Fprintf(stderr, "onair: cannot write stats: %v\n", err)
			return 2
		}
		defer f.Close()
		statsOut = f
	}

	// A stream's heap is a few recycled pictures and little garbage: collecting at 25 % growth
	// keeps less memory resident at no CPU cost worth counting. A GOGC in the environment wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(25)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	s, err := broadcast.Start(ctx, broadcast.Config{
		Preset: *preset, Server: *server, Key: k, Also: moreDests, Video: *video, Video2: *video2, Layout: *layout, Audio: *audio, Audio2: *audio2, AudioGainDB: *audioGain, Audio2GainDB: *audio2Gain, Loop: *loop, AtFileEnd: *atEnd,
		Width: w, Height: h, FPS: *fps, VideoKbps: *bitrate, AudioKbps: *audioBitrate,
		Adaptive: *adaptive, CAFile: *ca, CacheDir: cacheDir(), MaxAttempts: *maxAttempts, Logger: log,
		RecordPath: *record, RecordOnly: *record != "" && !destination, RecordFullQuality: *recordQuality == "full",
	})
	if err != nil {
		words, detail := broadcast.Explain(err)
		fmt.Fprintf(stderr, "onair: %s%s\n", words, inParens(detail))
		return 1
	}
	for _, warn := range s.Plan().Warnings {
		fmt.Fprintf(stderr, "onair: note: %s\n", warn)
	}
	written := make(chan struct{})
	go func() {
		defer close(written)
		enc := json.NewEncoder(io.Discard)
		if statsOut != nil {
			enc = json.NewEncoder(statsOut)
		}
		for st := range s.Subscribe() {
			_ = enc.Encode(st)
		}
	}()
	var timeout <-chan time.Time
	if *duration > 0 {
		timeout = time.After(*duration)
	}
	select {
	case <-timeout:
		s.Stop()
	case <-ctx.Done():
		s.Stop()
	case <-s.Done():
	}
	err = s.Wait()
	<-written
	if report := s.Report(); report != "" {
		fmt.Fprint(stdout, report)
	}
	if err != nil {
		words, detail := broadcast.Explain(err)
		fmt.Fprintf(stderr, "onair: %s%s\n", words, inParens(detail))
		return 1
	}
	return 0
}

// alsoFlag collects --also values as given; destinations checks them after parsing, since the flag
// package would print a refused value, key and all.
type alsoFlag []string

func (a *alsoFlag) String() string { return fmt.Sprintf("%d more destinations", len(*a)) }

func (a *alsoFlag) Set(v string) error {
	*a = append(*a, v)
	return nil
}

// destinations reads the --also values; an error never shows the key.
func (a alsoFlag) destinations() ([]broadcast.Destination, error) {
	var dests []broadcast.Destination
	for _, v := range a {
		if file, ok := strings.CutPrefix(v, "@"); ok {
			b, err := os.ReadFile(file)
			if err != nil {
				return nil, fmt.Errorf("--also: cannot read the address from %s: %w", file, errors.Unwrap(err))
			}
			v = strings.TrimSpace(string(b))
			if v == "" || strings.ContainsAny(v, "\n\r") {
				return nil, fmt.Errorf("--also: %s should hold one address, rtmp://server/app/KEY, on one line", file)
			}
		}
		d, err := broadcast.DestinationFromURL(v)
		if err != nil {
			words, detail := broadcast.Explain(err)
			return nil, fmt.Errorf("--also: %s%s", words, inParens(detail))
		}
		dests = append(dests, d)
	}
	return dests, nil
}

// streamKey is the key from --key, else from --key-file, else from $ONAIR_STREAM_KEY.
func streamKey(flagKey, file string) (string, error) {
	if flagKey != "" {
		return flagKey, nil
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("cannot read the stream key from %s: %w", file, errors.Unwrap(err))
		}
		k := strings.TrimSpace(string(b))
		if k == "" || strings.ContainsAny(k, "\n\r") {
			return "", fmt.Errorf("%s should hold the stream key alone, on one line", file)
		}
		return k, nil
	}
	return os.Getenv("ONAIR_STREAM_KEY"), nil
}

func inParens(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func parseSize(s string) (int, int, error) {
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, errors.New("--size takes WIDTHxHEIGHT, as in 1280x720")
	}
	return w, h, nil
}

func runDevices(out io.Writer) {
	devs := capture.ListDevices()
	if len(devs) == 0 {
		fmt.Fprintln(out, "No cameras, microphones or screens found. The test pattern and tone always work: --video test --audio test.")
		return
	}
	for _, d := range devs {
		fmt.Fprintf(out, "%-10s %-40s id=%s\n", d.Kind, d.Label, d.ID)
		for _, m := range d.Modes {
			fmt.Fprintf(out, "           %dx%d @ %.0f fps\n", m.Width, m.Height, m.FPS)
		}
	}
}

func runPresets(out io.Writer) {
	for _, p := range broadcast.Presets() {
		rtmps := ""
		if p.RTMPSRequired {
			rtmps = ", RTMPS only"
		}
		fmt.Fprintf(out, "%-9s %-20s video up to %5d kb/s, audio up to %3d kb/s, keyframe %gs%s\n",
			p.ID, p.Name, p.MaxVideoKbps, p.MaxAudioKbps, p.KeyframeSeconds, rtmps)
		for _, srv := range p.Servers {
			if srv.URL != "" {
				fmt.Fprintf(out, "          %s: %s\n", srv.Name, srv.URL)
			}
		}
	}
}
