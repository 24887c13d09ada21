#!/usr/bin/env bash
# What recording costs (part of `make bench`): 10 s of a 720p30 raw clip through `onair stream` to
# nginx-rtmp on loopback, alone, with --record, and with --record --record-quality full, each round
# in a random order. Prints the median CPU seconds (user+sys) and peak RSS of each.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
source scripts/bench-lib.sh # nginx-rtmp on $port, the clip $clip, in $work
make --no-print-directory build
warm_up
for i in $(seq "$RUNS"); do
  for who in $(shuf -e stream record full); do
    case $who in
      stream) run_clip "$i" stream ;;
      record) rm -f "$work/rec.mkv"; run_clip "$i" record --record "$work/rec.mkv" ;;
      full) rm -f "$work/rec.mkv"; run_clip "$i" full --record "$work/rec.mkv" --record-quality full ;;
    esac
  done
done
print_medians "stream=stream alone" "record=stream + recording (the same packets)" \
  "full=stream + recording at full quality (its own encoder)"
