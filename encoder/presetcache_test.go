package encoder

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestTrialIsRemembered(t *testing.T) {
	cache := filepath.Join(t.TempDir(), "onair", "x264-trials.json")
	cfg := VideoConfig{Width: 320, Height: 240, FPS: 30, BitrateKbps: 800, KeyframeInterval: time.Second, Profile: "high", TrialCache: cache}
	now := time.Now() // NewVideo below asks the cache at the real time

	first, fps, cached := stepFor(cfg, now)
	if cached || fps <= 0 {
		t.Fatalf("first start: cached=%v fps=%.0f; want a trial", cached, fps)
	}
	if p, _, cached := stepFor(cfg, now.Add(time.Hour)); !cached || p != first {
		t.Fatalf("second start: %v cached=%v; want %v from the cache", p, cached, first)
	}
	// Another size is another question.
	other := cfg
	other.Width, other.Height = 640, 360
	if _, _, cached := stepFor(other, now); cached {
		t.Fatal("640x360 answered from the 320x240 trial")
	}

	// What the cache says is used as it is (no trial would pick superfast for 320x240).
	set := func(r trialResult) {
		if err := writeTrials(cache, map[string]trialResult{trialKey(cfg): r}); err != nil {
			t.Fatal(err)
		}
	}
	set(trialResult{Preset: "superfast", FPS: 50, When: now})
	if s, _, cached := stepFor(cfg, now.Add(time.Minute)); !cached || s != (step{"superfast", 0}) {
		t.Fatalf("got %v cached=%v; want superfast from the cache", s, cached)
	}
	v, err := NewVideo(VideoConfig{Width: 320, Height: 240, FPS: 30, BitrateKbps: 800, Codec: "libx264", TrialCache: cache})
	if err != nil {
		t.Fatal(err)
	}
	if st := v.Stats(); st.Preset != "superfast" || st.Threads != 0 {
		t.Fatalf("the encoder opened with %s, %d threads; want the remembered superfast, x264's threads", st.Preset, st.Threads)
	}
	v.Close()

	// Too old, from the future, or not a preset we would choose: measured again.
	for name, r := range map[string]trialResult{
		"a month old":       {Preset: "superfast", FPS: 50, When: now.Add(-31 * 24 * time.Hour)},
		"from the future":   {Preset: "superfast", FPS: 50, When: now.Add(time.Hour)},
		"unknown preset":    {Preset: "placebo", FPS: 50, When: now},
		"not on the ladder": {Preset: "superfast", Threads: 1, FPS: 50, When: now},
	} {
		set(r)
		if p, _, cached := stepFor(cfg, now); cached {
			t.Errorf("%s: %v taken from the cache", name, p)
		}
	}
	// A damaged file is an empty cache, and is written anew.
	if err := os.WriteFile(cache, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, cached := stepFor(cfg, now); cached {
		t.Fatal("a damaged cache answered")
	}
	if _, _, cached := stepFor(cfg, now); !cached {
		t.Fatal("the trial after a damaged cache was not remembered")
	}
}

func TestTrialTakesTheFastestBatch(t *testing.T) {
	took := []time.Duration{80 * time.Millisecond, 40 * time.Millisecond, 50 * time.Millisecond}
	if got := fastestRate(took, 4); got != 100 {
		t.Fatalf("fastestRate = %v, want 100 (4 frames in the quickest 40 ms)", got)
	}
	if got := fastestRate(nil, 4); got != 0 {
		t.Fatalf("no batches: %v, want 0", got)
	}
}
