#!/usr/bin/env bash
# make bench-adapt: OnAir (adaptive, and fixed) and the ffmpeg CLI stream 80 s of 720p30 at
# 4500 kb/s through a link shaped with tc tbf: 6 Mb/s, 2 Mb/s from 20 s to 50 s, 6 Mb/s to 80 s.
# nginx-rtmp runs in a network namespace of this script's own; everything is removed on exit.
# Needs root (ip netns, tc).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "bench-adapt needs root (network namespaces and tc)" >&2; exit 1; }
DUR=${DUR:-80}
ns=onair-bench-$$
host=oab$$h; peer=oab$$n
HOST_IP=10.211.$(( $$ % 200 )).1; NS_IP=10.211.$(( $$ % 200 )).2
work=$(mktemp -d)
out=${OUT:-bin/bench-adapt}; mkdir -p "$out"   # the runs' stats stay here for a closer look
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  ip link del "$host" 2>/dev/null || true
  cp "$work"/*.jsonl "$work"/wall.txt "$out"/ 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

ip netns add "$ns"
ip link add "$host" type veth peer name "$peer"
ip link set "$peer" netns "$ns"
ip addr add "$HOST_IP/24" dev "$host"; ip link set "$host" up
ip netns exec "$ns" ip addr add "$NS_IP/24" dev "$peer"
ip netns exec "$ns" ip link set "$peer" up
ip netns exec "$ns" ip link set lo up

cat > "$work/nginx.conf" <<NGINX
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off; master_process off; worker_processes 1;
pid $work/nginx.pid; error_log $work/error.log warn;
events { worker_connections 64; }
rtmp { server { listen $NS_IP:1935; application live { live on; } } }
NGINX
ip netns exec "$ns" nginx -p "$work" -c "$work/nginx.conf" &
sleep 1

# tbf's queue holds up to 500 ms at the link's rate: a home uplink's buffer, bloat included.
# The rate changes in place (`change`): a link that narrows keeps what its buffer holds, where
# `replace` would build a new qdisc and throw the queued packets away.
shape() { tc qdisc "$1" dev "$host" root tbf rate "$2" burst 32kbit latency 500ms; }
schedule() { # runs the link schedule in the background, in step with the run it shapes
  shape replace 6mbit
  [ -n "${HEADROOM:-}" ] && return # HEADROOM=1: the link stays at 6 Mb/s (the "calm" goal)
  sleep 20; shape change 2mbit; sleep 30; shape change 6mbit
}

make --no-print-directory build # the release build (Makefile: the libraries it links)
url="rtmp://$NS_IP/live"
run_onair() { # $1: label, $2: adaptive
  schedule & sched=$!
  local start=$(date +%s.%N)
  ./bin/onair stream --preset custom --server "$url" --key "bench-$1" --video test --audio test \
    --size 1280x720 --fps 30 --bitrate 4500 --audio-bitrate 160 --adaptive="$2" \
    --duration "${DUR}s" --stats "$work/$1.jsonl" 2>"$work/$1.err" || true
  local end=$(date +%s.%N)
  wait $sched 2>/dev/null || true
  echo "$1 $(echo "$end - $start - $DUR" | bc)" >> "$work/wall.txt"
}
run_onair adaptive true
if [ -n "${HEADROOM:-}" ]; then # count the target's down-steps on a link with room
  python3 - "$work/adaptive.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if '"final"' not in l]
steps = [r["t"] for a, r in zip(rows, rows[1:]) if r["target_kbps"] < a["target_kbps"]]
sent = [r["sent_kbps"] for r in rows if r["state"] == "live"]
print("headroom link (6 Mb/s), %.0f s at 4500 kb/s: %d down-steps %s, video dropped %d, mean sent %.0f kb/s"
      % (rows[-1]["t"], len(steps), steps, rows[-1]["frames_dropped"], sum(sent) / max(1, len(sent))))
PY
  exit 0
fi
[ -n "${ONLY_ADAPTIVE:-}" ] && exit 0
run_onair fixed false

# The ffmpeg CLI at a fixed 4500k: how far behind real time it ends is its run time past DUR.
schedule & sched=$!
start=$(date +%s.%N)
ffmpeg -v error -re -f lavfi -i "testsrc2=size=1280x720:rate=30" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
  -t "$DUR" -c:v libx264 -preset veryfast -tune zerolatency -b:v 4500k -maxrate 4500k -bufsize 4500k \
  -x264-params nal-hrd=cbr:filler=1 -g 60 -sc_threshold 0 -bf 0 -c:a aac -b:a 160k -ac 2 -f flv "$url/bench-ffmpeg" || true
end=$(date +%s.%N)
wait $sched 2>/dev/null || true
echo "ffmpeg $(echo "$end - $start - $DUR" | bc)" >> "$work/wall.txt"

go run ./tools/benchadapt -dir "$work" -duration "$DUR"
