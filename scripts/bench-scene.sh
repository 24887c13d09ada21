#!/usr/bin/env bash
# What a second picture costs (part of `make bench`): 10 s of a 720p30 raw clip through `onair stream`
# to nginx-rtmp on loopback, alone; with the test pattern as a second picture captured but not shown
# (--layout video); and with it in the corner (--layout corner:br:m), each round in a random order.
# The difference between the last two is the compositing; between the first and the last, the whole.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
source scripts/bench-lib.sh # nginx-rtmp on $port, the clip $clip, in $work
make --no-print-directory build
warm_up
for i in $(seq "$RUNS"); do
  for who in $(shuf -e alone hidden corner); do
    case $who in
      alone) run_clip "$i" alone ;;
      hidden) run_clip "$i" hidden --video2 test --layout video ;;
      corner) run_clip "$i" corner --video2 test --layout corner:br:m ;;
    esac
  done
done
python3 - "$work/results" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
med = lambda label, i: statistics.median(float(r[i]) for r in rows if r[0] == label)
print("| 10 s of 720p30 to nginx-rtmp | CPU (user+sys), median | cores over the 10 s | peak RSS |")
print("|---|---|---|---|")
for label, name in (("alone", "one picture"), ("hidden", "+ the test pattern as a second picture, not shown"), ("corner", "+ it in the corner (composited)")):
    print("| %s | %.2f s | %.3f | %.0f MB |" % (name, med(label, 1), med(label, 1) / 10, med(label, 2) / 1024))
print("compositing: %+.3f cores; the second picture in all: %+.3f cores" % ((med("corner", 1) - med("hidden", 1)) / 10, (med("corner", 1) - med("alone", 1)) / 10))
PY
