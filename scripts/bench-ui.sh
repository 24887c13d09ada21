#!/usr/bin/env bash
# make bench-ui: the whole OnAir process, live at 720p30 to the Local test with the preview and the
# graph on screen under Xvfb (software GL), for 60 s. Prints the cores it used.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_LIVE=${SECONDS_LIVE:-60}
make --no-print-directory build # the release build (Makefile: the libraries it links)
source scripts/live-window.sh
sleep 5 # start-up and connection
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$app/stat"; }
c0=$(cpu)
sleep "$SECONDS_LIVE"
c1=$(cpu)
echo "OnAir window live at 720p30 (Local test, preview and graph showing, Xvfb): $(echo "scale=2; ($c1 - $c0) / $ticks / $SECONDS_LIVE" | bc) cores over ${SECONDS_LIVE} s"
