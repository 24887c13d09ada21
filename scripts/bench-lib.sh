# Sourced by the bench scripts: a private nginx-rtmp on a free loopback port ($port) and a 10 s
# 720p30 raw clip with a tone ($clip), in $work; both go when the script exits.
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

# warm_up: one untimed start, so that the x264 trial (remembered afterwards) is not in any run.
warm_up() {
  ./bin/onair stream --preset custom --server "rtmp://127.0.0.1:$port/live" --key warmup --video test --audio none \
    --size 1280x720 --fps 30 --duration 1s >/dev/null 2>&1
}

# run_clip round label extra-args...: streams the clip at 720p30, 4500 kb/s, and appends
# "label cpu_s rss_kb" to $work/results.
run_clip() {
  local round=$1 label=$2; shift 2
  cat "$clip" > /dev/null # from the page cache, as every run
  /usr/bin/time -f "%U %S %M" -o "$work/time" ./bin/onair stream --preset custom --server "rtmp://127.0.0.1:$port/live" \
    --key "k$label$round" --video "file:$clip" --audio file --size 1280x720 --fps 30 --adaptive=false --bitrate 4500 \
    --audio-bitrate 160 "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r u s m < <(tail -1 "$work/time")
  echo "$label $(echo "$u + $s" | bc) $m" >> "$work/results"
}

# print_medians LABEL=NAME...: the table of run_clip's results, the median CPU and peak RSS of each
# label, CPU against the first label's.
print_medians() {
  python3 - "$work/results" "$@" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
med = lambda label, i: statistics.median(float(r[i]) for r in rows if r[0] == label)
runs = [a.split("=", 1) for a in sys.argv[2:]]
base = med(runs[0][0], 1)
print("| 10 s of 720p30 to nginx-rtmp | CPU (user+sys), median | peak RSS |")
print("|---|---|---|")
for label, name in runs:
    print("| %s | %.2f s (%+.1f %%) | %.0f MB |" % (name, med(label, 1), (med(label, 1) / base - 1) * 100, med(label, 2) / 1024))
PY
}
