#!/usr/bin/env bash
# make bench-ui: the whole OnAir process, live at 720p30 to the Local test with the preview and the
# graph on screen under Xvfb (software GL), for 60 s. Prints the cores it used.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_LIVE=${SECONDS_LIVE:-60}
disp=:$(( 70 + RANDOM % 9 ))
Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
app=
stop() { [ -n "$app" ] && kill "$app" 2>/dev/null && wait "$app" 2>/dev/null; kill "$xvfb" 2>/dev/null || true; }
trap stop EXIT
sleep 1
# A fresh profile: the window starts as a first-time user sees it (test pattern, Local test).
export XDG_CONFIG_HOME=$(mktemp -d)
go build -o bin/onair .
DISPLAY=$disp ./bin/onair --go-live >/dev/null 2>&1 &
app=$!
sleep 5 # start-up and connection
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$app/stat"; }
c0=$(cpu)
sleep "$SECONDS_LIVE"
c1=$(cpu)
echo "OnAir window live at 720p30 (Local test, preview and graph showing, Xvfb): $(echo "scale=2; ($c1 - $c0) / $ticks / $SECONDS_LIVE" | bc) cores over ${SECONDS_LIVE} s"
