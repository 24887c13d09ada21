// Command benchadapt reads the --stats lines of scripts/bench-adapt.sh's runs and prints each
// adaptation goal with its measured value.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"onair/broadcast"
)

const (
	dropAt, backAt = 20.0, 50.0
	linkKbps       = 1920.0 // a 2 Mbit tbf measured 1.92 Mb/s here
	startKbps      = 4500
)

func main() {
	dir := flag.String("dir", ".", "directory with adaptive.jsonl, fixed.jsonl and wall.txt")
	duration := flag.Float64("duration", 80, "seconds streamed")
	flag.Parse()
	wall := map[string]string{}
	if b, err := os.ReadFile(filepath.Join(*dir, "wall.txt")); err == nil {
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if f := strings.Fields(l); len(f) == 2 {
				wall[f[0]] = f[1]
			}
		}
	}
	fmt.Printf("| run | reacted (s) | queue p95 / max while constrained (ms) | link use | down-steps after reaction | back to 90%% (s) | video dropped | audio frames | ends behind real time (s) |\n")
	fmt.Printf("|---|---|---|---|---|---|---|---|---|\n")
	for _, name := range []string{"adaptive", "fixed"} {
		lines, err := read(filepath.Join(*dir, name+".jsonl"))
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			continue
		}
		fmt.Println(row(name, lines, wall[name], *duration))
	}
	if w, ok := wall["ffmpeg"]; ok {
		fmt.Printf("| ffmpeg CLI, fixed 4500k | – | – | – | – | – | (none: it queues) | all | %s |\n", w)
	}
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

func row(name string, lines []broadcast.Stats, wall string, duration float64) string {
	reacted := "never"
	var queues []float64
	var sent float64
	var n int
	downs := -1
	prevTarget := startKbps
	back := "never"
	for _, st := range lines {
		if st.Final || st.State != broadcast.StateLive {
			continue
		}
		t := st.T
		if t >= dropAt && t < backAt {
			if reacted == "never" && float64(st.TargetKbps)+160 < linkKbps {
				reacted = fmt.Sprintf("%.1f", t-dropAt)
			}
			queues = append(queues, st.QueueMS)
			sent += st.SentKbps
			n++
			if st.TargetKbps < prevTarget {
				downs++
			}
		}
		if t >= backAt && back == "never" && st.TargetKbps >= startKbps*9/10 {
			back = fmt.Sprintf("%.1f", t-backAt)
		}
		prevTarget = st.TargetKbps
	}
	sort.Float64s(queues)
	p95, worst := 0.0, 0.0
	if len(queues) > 0 {
		p95, worst = queues[len(queues)*95/100], queues[len(queues)-1]
	}
	use := 0.0
	if n > 0 {
		use = sent / float64(n) / linkKbps * 100
	}
	final := lines[len(lines)-1]
	total := final.FramesSent + final.FramesDropped
	dropPct := 0.0
	if total > 0 {
		dropPct = float64(final.FramesDropped) / float64(total) * 100
	}
	behind := wall
	if last := lastLive(lines); last != nil {
		behind = fmt.Sprintf("%.1f (queue at the end) / %s (run time past %.0f s)", last.QueueMS/1000, wall, duration)
	}
	return fmt.Sprintf("| OnAir, %s | %s | %.0f / %.0f | %.0f%% | %d | %s | %d (%.1f%%) | %d | %s |",
		name, reacted, p95, worst, use, max(downs, 0), back, final.FramesDropped, dropPct, final.AudioSent, behind)
}

func lastLive(lines []broadcast.Stats) *broadcast.Stats {
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i].State == broadcast.StateLive {
			return &lines[i]
		}
	}
	return nil
}
