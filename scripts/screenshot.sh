#!/usr/bin/env bash
# Goes live under a private Xvfb display and saves a screenshot of the window to docs/screenshot.png.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${SCREENSHOT:-docs/screenshot.png}
# The set-up most streams use: the screen, with the camera (the test pattern stands in) in a corner.
export ONAIR_PREFS=${ONAIR_PREFS:-'{"video":"screen:X11Screen0","video2":"test","layout":"corner:br:m","audio":"test"}'}
source scripts/live-window.sh
sleep "${SCREENSHOT_WAIT:-25}" # live long enough for the graph to show
mkdir -p "$(dirname "$out")"
win=$(DISPLAY=$disp xdotool search --name "^OnAir$" | head -1)
DISPLAY=$disp import -window "${win:-root}" "$out"
echo "saved $out"
