#!/usr/bin/env bash
# What a second and a third destination cost (part of `make bench`): 10 s of a 720p30 raw clip
# through `onair stream` to nginx-rtmp on loopback, to one, two and three destinations (the same
# server, other keys), each round in a random order. Prints the median CPU seconds (user+sys) and
# peak RSS of each.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-7}
source scripts/bench-lib.sh # nginx-rtmp on $port, the clip $clip, in $work
make --no-print-directory build
warm_up
# The further destinations' addresses carry their keys: read from files, as a user would.
echo "rtmp://127.0.0.1:$port/live/second" > "$work/second.url"
echo "rtmp://127.0.0.1:$port/live/third" > "$work/third.url"
for i in $(seq "$RUNS"); do
  for who in $(shuf -e one two three); do
    case $who in
      one) run_clip "$i" one ;;
      two) run_clip "$i" two --also "@$work/second.url" ;;
      three) run_clip "$i" three --also "@$work/second.url" --also "@$work/third.url" ;;
    esac
  done
done
sed "s/^/run: /" "$work/results" >&2
print_medians "one=one destination" "two=two destinations (one encode)" "three=three destinations (one encode)"
