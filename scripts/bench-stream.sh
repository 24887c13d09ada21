#!/usr/bin/env bash
# make bench (the session part): 10 s of a 720p30 raw clip through `onair stream` and through the
# ffmpeg CLI with the same settings, to the same nginx-rtmp on loopback, runs alternated. Prints
# CPU seconds (user+sys), peak RSS and OnAir's capture-to-socket latency.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
source scripts/bench-lib.sh # nginx-rtmp on $port, the clip $clip, in $work
make --no-print-directory build # the release build (Makefile: the libraries it links)
# The linker leaves its output in the page cache in large folios, which the kernel's fault-around maps
# whole: the same binary then shows 4 MB more RSS than once it is read from disk (measured: 107.5 vs
# 103.5 MB; a copy made with cp behaves like the latter, and ffmpeg's files show no such difference).
# Dropping those cached pages lets onair start like an installed program, as ffmpeg does.
sync bin/onair # dirty pages cannot be dropped: written back first
python3 -c 'import os,sys; fd=os.open(sys.argv[1],os.O_RDONLY); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED); os.close(fd)' bin/onair

# One untimed start first: on a machine's first start OnAir times x264 (about 0.2 CPU-s, then
# remembered for 30 days; README), which is not what a stream costs.
./bin/onair stream --preset custom --server "rtmp://127.0.0.1:$port/live" --key warmup --video test --audio none \
  --size 1280x720 --fps 30 --duration 1s >/dev/null 2>"$work/warmup.err" || { cat "$work/warmup.err" >&2; exit 1; }

measure() { # round, label, command...: appends "round label cpu_s rss_kb"
  local round=$1 label=$2; shift 2
  # Both read the clip from the page cache: pages of it were seen evicted between runs, and reading
  # them back from disk costs the reader ~0.1 CPU-s of kernel time (perf), whoever it is.
  cat "$clip" > /dev/null
  /usr/bin/time -f "%U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r u s m < <(tail -1 "$work/time")
  echo "$round $label $(echo "$u + $s" | bc) $m" >> "$work/results"
}
run_onair() {
  measure "$1" onair ./bin/onair stream --preset custom --server "rtmp://127.0.0.1:$port/live" --key "onair$1" \
    --video "file:$clip" --audio file --size 1280x720 --fps 30 --adaptive=false --bitrate 4500 --audio-bitrate 160 \
    --stats "$work/stats$1.jsonl"
}
run_ffmpeg() {
  measure "$1" ffmpeg ffmpeg -v error -re -i "$clip" -c:v libx264 -preset veryfast -tune zerolatency -b:v 4500k \
    -maxrate 4500k -bufsize 4500k -g 60 -sc_threshold 0 -bf 0 -c:a aac -b:a 160k -f flv "rtmp://127.0.0.1:$port/live/ffmpeg$1"
}
# Each round runs both in a random order, so that neither always runs right after the other.
for i in $(seq "$RUNS"); do
  for who in $(shuf -e onair ffmpeg); do "run_$who" "$i"; done
done
# Latency: the median over each run's seconds of the per-second p95.
lat=$(cat "$work"/stats*.jsonl | python3 -c '
import json,sys
v=sorted(json.loads(l)["latency_p95_ms"] for l in sys.stdin if "\"state\":\"live\"" in l and "\"final\"" not in l and json.loads(l)["latency_p95_ms"]>0)
print("%.1f" % v[len(v)//2] if v else "n/a")')
sed "s/^/run: /" "$work/results" >&2
python3 - "$work/results" "$lat" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
def col(name, i): return {r[0]: float(r[i]) for r in rows if r[1] == name}
o_cpu, f_cpu = col("onair", 2), col("ffmpeg", 2)
o_rss, f_rss = statistics.median(col("onair", 3).values()) / 1024, statistics.median(col("ffmpeg", 3).values()) / 1024
om, fm = statistics.median(o_cpu.values()), statistics.median(f_cpu.values())
print("| 10 s of 720p30 to nginx-rtmp | CPU (user+sys) | peak RSS |")
print("|---|---|---|")
print("| ffmpeg CLI | %.2f s | %.0f MB |" % (fm, f_rss))
print("| onair stream | %.2f s (%.2f×) | %.0f MB (%.2f×) |" % (om, om / fm, o_rss, o_rss / f_rss))
rounds = sorted(o_cpu[k] / f_cpu[k] for k in o_cpu)
print("CPU ratio in each round: median %.2f×, %.2f–%.2f×" % (statistics.median(rounds), rounds[0], rounds[-1]))
print("capture-to-socket latency p95 (median of seconds): %s ms; rounds: %d, each in a random order" % (sys.argv[2], len(rounds)))
PY
