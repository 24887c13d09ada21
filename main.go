// Command onair is a desktop live-streaming app: pick a camera, a platform and a key, press Go Live.
//
// main.go holds flags and wiring only. With no command it opens the window; `onair stream` streams
// without a window for scripts and benchmarks.
package main

import (
	"fmt"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"onair/assets"
	"onair/ui"
)

const usage = `usage: onair [command]

commands:
  (none)    open the OnAir window
  help      show this text
`

func main() {
	cmd := ""
	if len(os.Args) > 1 {
		cmd = os.Args[1]
	}
	switch cmd {
	case "":
		runGUI()
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "onair: unknown command %q\n%s", cmd, usage)
		os.Exit(2)
	}
}

func runGUI() {
	a := app.NewWithID("app.onair.desktop")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	w := ui.NewMainWindow(a)
	w.ShowAndRun()
}
