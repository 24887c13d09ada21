package ui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"onair/tools/testpeer"
)

// TestWindowStreamsToSeveralDestinations drives the window over the real engine: beside the first
// destination (nginx-rtmp, key "first") the user adds a second nginx-rtmp stream and the Local
// test; one Go Live streams to all three, each line says live with its own figures, viewers read
// both streams back, and at the end the Local test tells what it received.
func TestWindowStreamsToSeveralDestinations(t *testing.T) {
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	w := realEngineWindow(t, n.URL(""), "first")
	var err error
	onUI(func() {
		w.sizeSel.SetSelected("640x360")
		w.bitrate.SetText("1000")
		if err = w.dests.adopt(&extraDest{ID: "d2", Preset: "custom", Server: strings.TrimSuffix(n.URL(""), "/"), key: "second", On: true}); err != nil {
			return
		}
		err = w.dests.adopt(&extraDest{ID: "d3", Preset: "local", On: true})
	})
	if err != nil {
		t.Fatal(err)
	}
	onUI(func() { err = w.dests.adopt(&extraDest{ID: "d4", Preset: "local", On: true}) })
	if err == nil {
		t.Error("the Local test was added twice")
	}
	dir := t.TempDir()
	first := testpeer.Record(t, n.URL("first"), filepath.Join(dir, "first.flv"), 4*time.Second)
	second := testpeer.Record(t, n.URL("second"), filepath.Join(dir, "second.flv"), 4*time.Second)
	n.WaitForPlayer(t, "first", 10*time.Second)
	n.WaitForPlayer(t, "second", 10*time.Second)
	onUI(func() { test.Tap(w.goLive) })
	rows := func() string {
		var s []string
		onUI(func() {
			for _, d := range w.dests.dests {
				s = append(s, d.row.words.Text)
			}
		})
		return strings.Join(s, "\n")
	}
	waitFor(t, "every destination live", func() bool {
		return strings.Count(rows(), "● live") == 2 && strings.Contains(statusOf(w), "LIVE")
	})
	for _, r := range []*testpeer.Recording{first, second} {
		if err := r.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"first", "second"} {
		p := testpeer.ProbeFile(t, filepath.Join(dir, name+".flv"))
		if v := p.Stream("video"); v == nil || v.Width != 640 || len(p.PacketsOf("video")) < 60 {
			t.Fatalf("%s: the viewer got %+v, %d video packets", name, v, len(p.PacketsOf("video")))
		}
	}
	var lines int
	onUI(func() { lines = len(w.graph.others) })
	if lines != 2 {
		t.Errorf("the graph draws %d further destinations, want 2", lines)
	}
	w.current().Stop()
	waitFor(t, "the session's end", func() bool { return w.current() == nil })
	var summary string
	onUI(func() { summary = w.local.summary.Text })
	if !strings.Contains(summary, "arrived") {
		t.Errorf("the Local test's report: %q", summary)
	}
	// The list is kept without its keys, which are in the keyring.
	saved := prefs(w.app).String(prefDestinations)
	if !strings.Contains(saved, `"preset":"local"`) || strings.Contains(saved, "second\"") {
		t.Errorf("saved list: %s", saved)
	}
	if k, _ := (OSKeyring{}).Get("d2"); k != "second" {
		t.Errorf("the keyring holds %q for the second destination", k)
	}
}
