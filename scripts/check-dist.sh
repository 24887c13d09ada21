#!/usr/bin/env bash
# make check-dist (root): runs the download on clean Debian 12 and Debian 13 systems that have only
# a desktop's run-time libraries (no -dev packages, no FFmpeg), then runs make test on Debian 13
# against its own FFmpeg 7.1. The systems are made with debootstrap and kept in
# CHECK_DIST_DIR (default /var/tmp/onair-check-dist) for the next run. ONLY=run skips make test;
# ONLY=systems only makes the systems.
# Everything the checks send stays on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
tarball="$(realpath -m "${1:-none}")"
[ "$(id -u)" -eq 0 ] || { echo "check-dist: needs root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
base="${CHECK_DIST_DIR:-/var/tmp/onair-check-dist}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
mkdir -p "$base"
say() { echo "check-dist: $*" >&2; }

# What a desktop has: X11 and GL libraries, sound, D-Bus; Xvfb and xwininfo only to show a window.
desktop_common=libgl1,libgl1-mesa-dri,libx11-6,libxrandr2,libxcursor1,libxinerama1,libxi6,libxxf86vm1,libxext6,libdbus-1-3,xvfb,xauth,x11-utils,xz-utils,ca-certificates
declare -A desktop=([bookworm]="$desktop_common,libasound2" [trixie]="$desktop_common,libasound2t64")

mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
mounts() { # root: the kernel's file systems a program expects
  local root="$1" m
  for m in proc sys dev dev/pts; do
    mountpoint -q "$root/$m" && continue
    case "$m" in
      proc) mount -t proc proc "$root/proc" ;;
      sys) mount -t sysfs sys "$root/sys" ;;
      dev) mount --bind /dev "$root/dev" ;;
      dev/pts) mount --bind /dev/pts "$root/dev/pts" ;;
    esac
    mounted+=("$root/$m")
  done
}

# system suite packages: a clean system, made once and kept.
system() {
  local suite="$1" packages="$2" root="$base/$1" stamp
  stamp="$(echo "$packages" | sha256sum | cut -c1-12)"
  if [ ! -f "$root/.onair-$stamp" ]; then
    say "making a clean Debian $suite system (debootstrap, a few minutes)"
    rm -rf "$root"
    debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" >"$base/$suite.log" 2>&1 ||
      { tail -20 "$base/$suite.log" >&2; exit 1; }
    touch "$root/.onair-$stamp"
  fi
  echo "$root"
}

# run_download suite: unpack the tarball on a clean system, stream to the Local test, open the window.
run_download() {
  local suite="$1" root
  root="$(system "$suite" "${desktop[$suite]}")"
  mounts "$root"
  rm -rf "$root/opt/onair-check" && mkdir -p "$root/opt/onair-check"
  cp "$tarball" "$root/opt/onair-check/"
  say "Debian $suite: unpack, stream 5 s to the Local test, open the window for 10 s"
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 /bin/bash -euo pipefail -c '
    cd /opt/onair-check
    tar -xJf onair-*.tar.xz
    app=$(ls -d onair-*/ | head -1)
    "./$app/onair" version
    missing=$(ldd "./$app/onair" | grep "not found" || true)
    [ -z "$missing" ] || { echo "libraries missing: $missing"; exit 1; }
    "./$app/onair" stream --preset local --video test --audio test --duration 5s 2>&1 | tee stream.out
    grep -q "video: h264" stream.out && grep -q "audio: aac" stream.out || { echo "the report does not show H.264 and AAC"; exit 1; }
    Xvfb :77 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & xvfb=$!
    trap "kill $xvfb 2>/dev/null" EXIT
    sleep 1
    DISPLAY=:77 "./$app/onair" >window.log 2>&1 & app_pid=$!
    sleep 10
    kill -0 $app_pid 2>/dev/null || { echo "the window exited early:"; cat window.log; exit 1; }
    DISPLAY=:77 xwininfo -root -tree | grep -q "\"OnAir\"" || { echo "no OnAir window on the screen"; exit 1; }
    kill $app_pid; wait $app_pid 2>/dev/null || true
    echo "the window stayed open for 10 s"
  '
  say "Debian $suite: the download runs"
}

# test_system_ffmpeg: make test on Debian 13 with its FFmpeg 7.1 (pkg-config), from a clone of HEAD.
test_system_ffmpeg() {
  local root="$base/trixie-build"
  if [ ! -f "$root/.onair-ready" ]; then
    say "making a clean Debian trixie build system (debootstrap, a few minutes)"
    rm -rf "$root"
    debootstrap --variant=minbase --include=build-essential,git,ca-certificates "trixie" "$root" "$mirror" \
      >"$base/trixie-build.log" 2>&1 || { tail -20 "$base/trixie-build.log" >&2; exit 1; }
    touch "$root/.onair-ready"
  fi
  mounts "$root"
  mkdir -p "$root/usr/local/go" "$root/root/go/pkg/mod"
  mountpoint -q "$root/usr/local/go" || { mount --bind -o ro "$(go env GOROOT)" "$root/usr/local/go" && mounted+=("$root/usr/local/go"); }
  mountpoint -q "$root/root/go/pkg/mod" || { mount --bind "$(go env GOMODCACHE)" "$root/root/go/pkg/mod" && mounted+=("$root/root/go/pkg/mod"); }
  rm -rf "$root/opt/onair-src"
  git clone -q . "$root/opt/onair-src"
  say "Debian trixie: make test against the system's FFmpeg 7.1 (about 10 minutes)"
  chroot "$root" /usr/bin/env -i PATH=/usr/local/go/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    /bin/bash -euo pipefail -c '
    cd /opt/onair-src
    make test SYSTEM_FFMPEG=1
    echo "built against the system FFmpeg: $(ffmpeg -hide_banner -version | head -1)"
  '
  say "Debian trixie: make test passed against the system's FFmpeg"
}

if [ "${ONLY:-}" = systems ]; then # make the clean systems ahead of time
  system bookworm "${desktop[bookworm]}" && system trixie "${desktop[trixie]}"
  exit 0
fi
run_download bookworm
run_download trixie
[ "${ONLY:-}" = run ] || test_system_ffmpeg
say "all checks passed"
