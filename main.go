// Command onair is a desktop live-streaming app: pick a camera, a platform and a key, press Go Live.
//
// main.go holds flags and wiring only. With no command it opens the window; `onair stream` streams
// without a window for scripts and benchmarks.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"onair/assets"
	_ "onair/capture/drivers" // camera and screen drivers register here, once (microphones on first use)
	"onair/encoder"
	_ "onair/internal/cmalloc" // one malloc arena for the C side: less memory
	_ "onair/internal/locale"  // before Fyne reads it: a C locale becomes en_US
	"onair/ui"
)

const usage = `usage: onair [command] [flags]

commands:
  (none)    open the OnAir window
  stream    stream without a window (onair stream -h for its flags)
  devices   list cameras, microphones and screens
  presets   list the platform presets and their limits
  version   show OnAir's version and the FFmpeg it runs on
  help      show this text
`

// version is set by the build (make: -X main.version=…, from FyneApp.toml).
var version = "dev"

// aboutText is what `onair version` prints and the window's About shows.
func aboutText() string { return fmt.Sprintf("OnAir %s\n%s", version, encoder.FFmpegVersion()) }

func main() {
	encoder.QuietLogs()
	cmd := ""
	if len(os.Args) > 1 {
		cmd = os.Args[1]
	}
	switch cmd {
	case "", "--go-live":
		runGUI(cmd == "--go-live")
	case "stream":
		os.Exit(runStream(os.Args[2:], os.Stdout, os.Stderr))
	case "devices":
		runDevices(os.Stdout)
	case "presets":
		runPresets(os.Stdout)
	case "version", "--version":
		fmt.Println(aboutText())
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "onair: unknown command %q\n%s", cmd, usage)
		os.Exit(2)
	}
}

// runGUI opens the window; goLive presses Go Live at once (make screenshot uses it).
func runGUI(goLive bool) {
	a := app.NewWithID("app.onair.desktop")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	w := ui.New(a, ui.Broadcast{CacheDir: cacheDir(), AboutText: aboutText()}, ui.OSKeyring{})
	if goLive {
		w.GoLive()
	}
	w.Fyne().ShowAndRun()
}

// cacheDir is where OnAir remembers measurements between runs ($XDG_CACHE_HOME/onair); "" when
// there is no such place.
func cacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "onair")
}
