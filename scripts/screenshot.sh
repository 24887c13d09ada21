#!/usr/bin/env bash
# Opens OnAir under a private Xvfb display and saves a screenshot to docs/screenshot.png.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${SCREENSHOT:-docs/screenshot.png}
disp=:$(( 90 + RANDOM % 9 ))
Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
app=
stop() { [ -n "$app" ] && kill "$app" 2>/dev/null && wait "$app" 2>/dev/null; kill "$xvfb" 2>/dev/null || true; }
trap stop EXIT
sleep 1
# A fresh profile: the window starts as a first-time user sees it (test pattern, Local test).
export XDG_CONFIG_HOME=$(mktemp -d)
DISPLAY=$disp ./bin/onair ${ONAIR_ARGS:---go-live} &
app=$!
sleep "${SCREENSHOT_WAIT:-25}" # live long enough for the graph to show
mkdir -p "$(dirname "$out")"
win=$(DISPLAY=$disp xdotool search --name "^OnAir$" | head -1)
DISPLAY=$disp import -window "${win:-root}" "$out"
echo "saved $out"
