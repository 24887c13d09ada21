#!/usr/bin/env bash
# What recording costs (part of `make bench`): 10 s of a 720p30 raw clip through `onair stream` to
# nginx-rtmp on loopback, alone, with --record, and with --record --record-quality full, each round
# in a random order. Prints the median CPU seconds (user+sys) and peak RSS of each.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
work=$(mktemp -d)
cleanup() { [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/nginx.conf" <<NGINX
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off; master_process off; worker_processes 1;
pid $work/nginx.pid; error_log $work/error.log warn;
events { worker_connections 64; }
rtmp { server { listen 127.0.0.1:$port; application live { live on; } } }
NGINX
nginx -p "$work" -c "$work/nginx.conf" &
sleep 1
clip=$work/clip.nut
ffmpeg -v error -f lavfi -i "testsrc2=size=1280x720:rate=30" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
  -t 10 -c:v rawvideo -pix_fmt yuv420p -c:a pcm_s16le -ac 2 -y "$clip"
make --no-print-directory build
./bin/onair stream --preset custom --server "rtmp://127.0.0.1:$port/live" --key warmup --video test --audio none \
  --size 1280x720 --fps 30 --duration 1s >/dev/null 2>&1
run() { # round label extra-args...
  local round=$1 label=$2; shift 2
  cat "$clip" > /dev/null
  rm -f "$work/rec.mkv"
  /usr/bin/time -f "%U %S %M" -o "$work/time" ./bin/onair stream --preset custom --server "rtmp://127.0.0.1:$port/live" \
    --key "k$label$round" --video "file:$clip" --audio file --size 1280x720 --fps 30 --adaptive=false --bitrate 4500 \
    --audio-bitrate 160 "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r u s m < <(tail -1 "$work/time")
  echo "$label $(echo "$u + $s" | bc) $m" >> "$work/results"
}
for i in $(seq "$RUNS"); do
  for who in $(shuf -e stream record full); do
    case $who in
      stream) run "$i" stream ;;
      record) run "$i" record --record "$work/rec.mkv" ;;
      full) run "$i" full --record "$work/rec.mkv" --record-quality full ;;
    esac
  done
done
python3 - "$work/results" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
med = lambda label, i: statistics.median(float(r[i]) for r in rows if r[0] == label)
base = med("stream", 1)
print("| 10 s of 720p30 to nginx-rtmp | CPU (user+sys), median | peak RSS |")
print("|---|---|---|")
for label, name in (("stream", "stream alone"), ("record", "stream + recording (the same packets)"), ("full", "stream + recording at full quality (its own encoder)")):
    print("| %s | %.2f s (%+.1f %%) | %.0f MB |" % (name, med(label, 1), (med(label, 1) / base - 1) * 100, med(label, 2) / 1024))
PY
