#!/usr/bin/env bash
# Goes live under a private Xvfb display and saves a screenshot of the window to docs/screenshot.png.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${SCREENSHOT:-docs/screenshot.png}
source scripts/live-window.sh
sleep "${SCREENSHOT_WAIT:-25}" # live long enough for the graph to show
mkdir -p "$(dirname "$out")"
win=$(DISPLAY=$disp xdotool search --name "^OnAir$" | head -1)
DISPLAY=$disp import -window "${win:-root}" "$out"
echo "saved $out"
