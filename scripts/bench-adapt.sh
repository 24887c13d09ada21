#!/usr/bin/env bash
# make bench-adapt: OnAir streams 720p30 at 4500 kb/s (AAC 160 kb/s) over every kind of link in
# tools/linkkinds (steps with a shallow and a deep bottleneck buffer, a wandering rate, a random walk,
# a drop below 1 Mb/s, a start on a narrow link), shaped with tc tbf on a veth into a network
# namespace of this script's own, where nginx-rtmp listens; prints one table row a kind. Everything is
# removed on exit. Needs root (ip netns, tc). KINDS=a,b runs some kinds only.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "bench-adapt needs root (network namespaces and tc)" >&2; exit 1; }
ns=onair-bench-$$
host=oab$$h; peer=oab$$n
HOST_IP=10.211.$(( $$ % 200 )).1; NS_IP=10.211.$(( $$ % 200 )).2
work=$(mktemp -d)
out=${OUT:-bin/bench-adapt}; mkdir -p "$out"   # the runs' stats stay here for a closer look
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  ip link del "$host" 2>/dev/null || true
  cp "$work"/*.jsonl "$work"/*.log "$out"/ 2>/dev/null || true
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

make --no-print-directory build # the release build (Makefile: the libraries it links)
go run ./tools/benchadapt -iface "$host" -url "rtmp://$NS_IP/live" -bin ./bin/onair -out "$work" -kinds "${KINDS:-}"
