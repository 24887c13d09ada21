package encoder

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// trialLifetime is how long a remembered trial stands. The machine's load and its software change;
// a month-old measurement is taken again.
const trialLifetime = 30 * 24 * time.Hour

// trialResult is one remembered trial: the step chosen and the rate that chose it.
type trialResult struct {
	Preset  string    `json:"preset"`
	Threads int       `json:"threads"`
	FPS     float64   `json:"trial_fps"`
	When    time.Time `json:"when"`
}

// stepFor returns the preset and threads for cfg: from the trial cache when it holds a fresh answer
// for this machine, size and rate, otherwise by a trial whose result is then remembered, so that
// only the first start on a machine pays for it.
func stepFor(cfg VideoConfig, now time.Time) (s step, fps float64, cached bool) {
	key := trialKey(cfg)
	results := readTrials(cfg.TrialCache)
	if r, ok := results[key]; ok && now.Sub(r.When) < trialLifetime && r.When.Before(now.Add(time.Minute)) && slices.Contains(ladder, step{r.Preset, r.Threads}) {
		return step{r.Preset, r.Threads}, r.FPS, true
	}
	s, fps = chooseStep(cfg, trialFPS)
	if cfg.TrialCache != "" && fps > 0 {
		results[key] = trialResult{Preset: s.Preset, Threads: s.Threads, FPS: fps, When: now}
		if err := writeTrials(cfg.TrialCache, results); err != nil {
			cfg.Logger.Info("could not remember the x264 trial", "err", err)
		}
	}
	return s, fps, false
}

// trialKey names what a trial depends on: the picture, the rate, the processor, and the version of
// the trial itself (bump it when the trial changes, so old answers are measured again).
func trialKey(cfg VideoConfig) string {
	return fmt.Sprintf("v3 %dx%d@%d cpus=%d %s", cfg.Width, cfg.Height, cfg.FPS, runtime.NumCPU(), cpuModel())
}

// cpuModel is the processor's name from /proc/cpuinfo ("" where there is none).
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// readTrials reads the cache; a missing or damaged file is an empty cache.
func readTrials(path string) map[string]trialResult {
	results := map[string]trialResult{}
	if path == "" {
		return results
	}
	if b, err := os.ReadFile(path); err == nil {
		if json.Unmarshal(b, &results) != nil {
			return map[string]trialResult{}
		}
	}
	return results
}

// writeTrials replaces the cache file whole, so a concurrent reader never sees half of it.
func writeTrials(path string, results map[string]trialResult) error {
	b, err := json.MarshalIndent(results, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".trials-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
