// Command benchadapt runs `onair stream` over every kind of link in tools/linkkinds, shaping the
// given interface with tc tbf on the kind's schedule, and prints one table row a kind. It is run
// by scripts/bench-adapt.sh, which makes the network namespace, the veth and nginx-rtmp.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"onair/broadcast"
	"onair/tools/linkkinds"
)

const ceiling, audio = 4500, 160

func main() {
	iface := flag.String("iface", "", "the interface to shape (the veth's end outside the namespace)")
	url := flag.String("url", "", "the nginx-rtmp application's URL")
	bin := flag.String("bin", "./bin/onair", "the onair binary")
	out := flag.String("out", ".", "where each run's stats and log go")
	kinds := flag.String("kinds", "", "comma-separated kinds (default: all)")
	flag.Parse()
	fmt.Println("| link | media / what the link carries | delay p95 / max (ms) | failed raises / padding probes | reacted (s) | back to 90 % (s) | video dropped |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, k := range linkkinds.All() {
		if *kinds != "" && !strings.Contains(","+*kinds+",", ","+k.Name+",") {
			continue
		}
		stats := filepath.Join(*out, k.Name+".jsonl")
		if err := run(k, *iface, *url, *bin, stats, filepath.Join(*out, k.Name+".log")); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", k.Name, err)
			continue
		}
		lines, err := read(stats)
		if err != nil || len(lines) == 0 {
			fmt.Fprintf(os.Stderr, "%s: no stats: %v\n", k.Name, err)
			continue
		}
		fmt.Println(row(k, lines))
	}
}

// run shapes the link on k's schedule while onair streams over it.
func run(k linkkinds.Kind, iface, url, bin, stats, log string) error {
	shape := func(verb string, kbps float64) error {
		out, err := exec.Command("tc", "qdisc", verb, "dev", iface, "root", "tbf", "rate", fmt.Sprintf("%.0fkbit", kbps),
			"burst", "32kbit", "latency", fmt.Sprintf("%dms", k.Buffer.Milliseconds())).CombinedOutput()
		if err != nil {
			return fmt.Errorf("tc: %v: %s", err, out)
		}
		return nil
	}
	if err := shape("replace", k.Steps[0].Kbps); err != nil {
		return err
	}
	logf, err := os.Create(log)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "stream", "--preset", "custom", "--server", url, "--video", "test", "--audio", "test",
		"--size", "1280x720", "--fps", "30", "--bitrate", strconv.Itoa(ceiling), "--audio-bitrate", strconv.Itoa(audio),
		"--duration", k.Duration.String(), "--stats", stats, "-v")
	cmd.Env = append(os.Environ(), "ONAIR_STREAM_KEY=bench-"+k.Name) // a bench key, kept off the command line all the same
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		return err
	}
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // the schedule, in step with the run
		for _, s := range k.Steps[1:] {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Until(start.Add(s.At))):
			}
			if err := shape("change", s.Kbps); err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
		}
	}()
	return cmd.Wait()
}

func read(path string) ([]broadcast.Stats, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []broadcast.Stats
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var st broadcast.Stats
		if json.Unmarshal(sc.Bytes(), &st) == nil {
			out = append(out, st)
		}
	}
	return out, sc.Err()
}

var tbfEfficiency = 0.96 // a tbf at N kbit carries 0.96·N of TCP payload here (measured: 2 Mbit, 1.92 Mb/s)

// row judges one run: media is what the encoders made and the link delivered (the stream less
// probe padding), over what the link could carry of it (never more than the chosen rate), over
// the kind's judged span.
func row(k linkkinds.Kind, lines []broadcast.Stats) string {
	from, to := k.JudgeFrom, k.Duration
	if !k.Wandering {
		from = k.NarrowFrom + 5*time.Second
		if k.Back > 0 {
			to = k.Back
		}
	}
	reacted, back := -1.0, -1.0
	var delays []float64
	var media, could float64
	for _, st := range lines {
		if st.Final || st.State != broadcast.StateLive {
			continue
		}
		at := time.Duration(st.T * float64(time.Second))
		link := k.Rate(at) * tbfEfficiency
		if at >= from && at < to {
			delays = append(delays, st.QueueMS)
			media += min(st.SentKbps, float64(st.TargetKbps+st.AudioKbps))
			could += min(link, float64(ceiling+audio))
		}
		if k.NarrowFrom > 0 && reacted < 0 && at >= k.NarrowFrom && float64(st.TargetKbps+st.AudioKbps) < link {
			reacted = (at - k.NarrowFrom).Seconds()
		}
		if k.Back > 0 && back < 0 && at >= k.Back && st.TargetKbps >= ceiling*9/10 {
			back = (at - k.Back).Seconds()
		}
	}
	sort.Float64s(delays)
	p95, worst := 0.0, 0.0
	if len(delays) > 0 {
		p95, worst = delays[len(delays)*95/100], delays[len(delays)-1]
	}
	final := lines[len(lines)-1]
	total := final.FramesSent + final.FramesDropped
	drop := 0.0
	if total > 0 {
		drop = float64(final.FramesDropped) / float64(total) * 100
	}
	seconds := func(v float64) string {
		if v < 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("| %s | %.0f %% | %.0f / %.0f | %d / %d | %s | %s | %d (%.2f %%) |", k.Title, media/max(1, could)*100,
		p95, worst, final.FailedRaises, final.FailedProbes, seconds(reacted), seconds(back), final.FramesDropped, drop)
}
