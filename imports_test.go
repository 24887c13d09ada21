package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportRules checks the one-way dependencies of docs/architecture.md on the product's own
// imports (tests may import test peers).
func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}:{{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	stages := []string{"onair/capture", "onair/encoder", "onair/recorder", "onair/rtmpout"}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		for _, imp := range strings.Fields(imports) {
			if msg := forbidden(pkg, imp, stages); msg != "" {
				t.Errorf("%s imports %s: %s", pkg, imp, msg)
			}
		}
	}
}

func forbidden(pkg, imp string, stages []string) string {
	under := func(p, root string) bool { return p == root || strings.HasPrefix(p, root+"/") }
	if !under(pkg, "onair/tools") && under(imp, "onair/tools") {
		return "test peers and bench programs are for tests only"
	}
	if strings.HasPrefix(imp, "github.com/pion/mediadevices") && !under(pkg, "onair/capture") {
		return "only capture talks to mediadevices"
	}
	for _, st := range stages {
		if !under(pkg, st) {
			continue
		}
		if under(imp, "onair/broadcast") || under(imp, "onair/ui") || strings.HasPrefix(imp, "fyne.io/") {
			return "a stage never imports the session, the window or Fyne"
		}
		for _, other := range stages {
			if other != st && under(imp, other) {
				return "the stages never import each other"
			}
		}
	}
	if under(pkg, "onair/broadcast") && (under(imp, "onair/ui") || strings.HasPrefix(imp, "fyne.io/")) {
		return "the session never imports the window or Fyne"
	}
	if under(pkg, "onair/internal") && (under(imp, "onair/broadcast") || under(imp, "onair/ui")) {
		return "internal libraries sit below the product"
	}
	return ""
}

// The rules catch what they forbid (so that TestImportRules can fail).
func TestImportRulesCatchViolations(t *testing.T) {
	stages := []string{"onair/capture", "onair/encoder", "onair/recorder", "onair/rtmpout"}
	for _, c := range []struct {
		pkg, imp string
		bad      bool
	}{
		{"onair/encoder", "onair/capture", true},
		{"onair/rtmpout/chunk", "onair/broadcast", true},
		{"onair/capture", "fyne.io/fyne/v2", true},
		{"onair/broadcast", "onair/ui", true},
		{"onair/broadcast", "onair/tools/testpeer", true},
		{"onair/ui", "github.com/pion/mediadevices", true},
		{"onair/broadcast", "onair/encoder", false},
		{"onair/rtmpout", "onair/rtmpout/chunk", false},
		{"onair/tools/benchadapt", "onair/broadcast", false},
	} {
		if got := forbidden(c.pkg, c.imp, stages) != ""; got != c.bad {
			t.Errorf("%s -> %s: forbidden %v, want %v", c.pkg, c.imp, got, c.bad)
		}
	}
}
