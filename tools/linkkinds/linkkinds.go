// Package linkkinds holds the kinds of link the adaptation is measured on: each a schedule of
// rates and a bottleneck buffer. The controller's trace tests (broadcast) simulate them and
// `make bench-adapt` (tools/benchadapt) shapes a real link with them, so both see the same links.
package linkkinds

import (
	"math"
	"math/rand/v2"
	"time"
)

// Step is the link's rate from At on.
type Step struct {
	At   time.Duration
	Kbps float64
}

// Kind is one kind of link.
type Kind struct {
	Name     string        // short, for flags and file names
	Title    string        // for tables
	Buffer   time.Duration // the bottleneck's buffer, at its rate (tbf's latency)
	Duration time.Duration
	Steps    []Step
	// Narrow is the span judged as a steady narrow link (zero for a wandering one, judged over
	// Judge), Back when the link returns to its starting rate (zero: it does not).
	NarrowFrom, Back time.Duration
	// Wandering kinds are judged on the mean rate from JudgeFrom to the end.
	Wandering bool
	JudgeFrom time.Duration
}

// Rate is the link's rate at t, in kb/s.
func (k Kind) Rate(t time.Duration) float64 {
	r := k.Steps[0].Kbps
	for _, s := range k.Steps {
		if s.At <= t {
			r = s.Kbps
		}
	}
	return r
}

// All returns every kind, in the order the tables list them.
func All() []Kind {
	step := func(name, title string, buffer time.Duration, low float64) Kind {
		return Kind{Name: name, Title: title, Buffer: buffer, Duration: 80 * time.Second,
			Steps:      []Step{{0, 6000}, {20 * time.Second, low}, {50 * time.Second, 6000}},
			NarrowFrom: 20 * time.Second, Back: 50 * time.Second}
	}
	return []Kind{
		step("step-deep", "6 → 2 → 6 Mb/s, deep buffer (500 ms)", 500*time.Millisecond, 2000),
		step("step-shallow", "6 → 2 → 6 Mb/s, shallow buffer (50 ms)", 50*time.Millisecond, 2000),
		{Name: "wander", Title: "wandering between 2.5 and 5 Mb/s every 1–5 s", Buffer: 100 * time.Millisecond,
			Duration: 70 * time.Second, Steps: wander(1, 2500, 5000, 70*time.Second), Wandering: true, JudgeFrom: 10 * time.Second},
		{Name: "walk", Title: "random walk, 1–5 Mb/s, a step every 2 s", Buffer: 200 * time.Millisecond,
			Duration: 70 * time.Second, Steps: walk(7, 1000, 5000, 70*time.Second), Wandering: true, JudgeFrom: 10 * time.Second},
		step("sub1", "6 → 0.8 → 6 Mb/s", 200*time.Millisecond, 800),
		step("sub400", "6 → 0.4 → 6 Mb/s", 200*time.Millisecond, 400),
		{Name: "narrow-start", Title: "2 Mb/s from the start (4.5 Mb/s chosen)", Buffer: 200 * time.Millisecond,
			Duration: 60 * time.Second, Steps: []Step{{0, 2000}}, NarrowFrom: 0},
	}
}

// wander alternates between two rates, each held 1 to 5 s (seeded).
func wander(seed uint64, low, high float64, d time.Duration) []Step {
	r := rand.New(rand.NewPCG(seed, seed))
	var steps []Step
	rate := high
	for t := time.Duration(0); t < d; t += time.Duration(1000+r.IntN(4000)) * time.Millisecond {
		steps = append(steps, Step{t, rate})
		rate = low + high - rate
	}
	return steps
}

// walk multiplies the rate by a random factor every 2 s (log-normal, seeded), within [low, high].
func walk(seed uint64, low, high float64, d time.Duration) []Step {
	r := rand.New(rand.NewPCG(seed, seed))
	rate := high * 0.6
	var steps []Step
	for t := time.Duration(0); t < d; t += 2 * time.Second {
		steps = append(steps, Step{t, math.Round(rate/10) * 10})
		rate = min(high, max(low, rate*math.Exp(r.NormFloat64()*0.25)))
	}
	return steps
}
