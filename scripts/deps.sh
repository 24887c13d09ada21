#!/usr/bin/env bash
# Installs the Debian packages OnAir needs to build, run and test (Debian 12 and 13).
# Idempotent: installs only what is missing and prints nothing when nothing is.
set -euo pipefail

packages=(
  # build: cgo for go-astiav and Fyne (GL, X11)
  build-essential pkg-config lld libgl1-mesa-dev xorg-dev
  # run and test: real peers and a virtual display
  ffmpeg xvfb xauth libgl1-mesa-dri
  nginx libnginx-mod-rtmp libnginx-mod-stream
  iproute2 bc time python3 imagemagick xdotool
)

if [ -n "${SYSTEM_FFMPEG:-}" ]; then # the system's FFmpeg 7.x, through pkg-config
  packages+=(libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev libavdevice-dev libavfilter-dev)
else # OnAir's own static FFmpeg (scripts/ffmpeg-static.sh)
  packages+=(nasm curl xz-utils ca-certificates)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "deps: missing packages: ${missing[*]}; run as root or install them" >&2; exit 1
  fi
else
  SUDO=
fi

echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# nginx must not start as a system service on install: tests start their own.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
