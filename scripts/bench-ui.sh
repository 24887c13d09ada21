#!/usr/bin/env bash
# make bench-ui: the whole OnAir process under Xvfb (software GL): live at 720p30 to the Local test
# with the preview and the graph on screen for SECONDS_LIVE (60 s), then the same stream through
# `onair stream` for comparison, then the window idle with its preview. With RSS_MINUTES=60 it
# also reports the live window's resident memory at its start, at 10 minutes and at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_LIVE=${SECONDS_LIVE:-60}
RSS_MINUTES=${RSS_MINUTES:-0}
make --no-print-directory build # the release build (Makefile: the libraries it links)
ticks=$(getconf CLK_TCK)
cores() { # pid seconds: the cores the process used over that many seconds
  local c0 c1; c0=$(awk '{print $14 + $15}' "/proc/$1/stat"); sleep "$2"; c1=$(awk '{print $14 + $15}' "/proc/$1/stat")
  echo "scale=2; ($c1 - $c0) / $ticks / $2" | bc
}
rss() { awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$1/status"; }

( source scripts/live-window.sh
  sleep 5 # start-up and connection
  echo "window live at 720p30 (Local test, preview and graph showing): $(cores "$app" "$SECONDS_LIVE") cores over ${SECONDS_LIVE} s, RSS $(rss "$app")"
  if [ "$RSS_MINUTES" -gt 0 ]; then
    start=$(rss "$app"); sleep $(( 600 - SECONDS_LIVE )); ten=$(rss "$app")
    sleep $(( RSS_MINUTES * 60 - 600 )); echo "window live RSS: $start at the start, $ten at 10 min, $(rss "$app") at $RSS_MINUTES min"
  fi )

/usr/bin/time -f "%U %S" -o /tmp/onair-cli.time ./bin/onair stream --preset local --video test --audio test \
  --duration "${SECONDS_LIVE}s" >/dev/null 2>&1
echo "onair stream, the same stream: $(awk -v s="$SECONDS_LIVE" '{printf "%.2f", ($1 + $2) / s}' /tmp/onair-cli.time) cores"

( ONAIR_ARGS=" " source scripts/live-window.sh
  sleep 5
  echo "window idle with its preview: $(cores "$app" "$SECONDS_LIVE") cores over ${SECONDS_LIVE} s, RSS $(rss "$app")" )
