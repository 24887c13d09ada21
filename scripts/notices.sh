#!/usr/bin/env bash
# Writes the notices a release ships: every part linked into the binary and its licence text.
# usage: notices.sh BINARY FFMPEG_PREFIX > NOTICES.txt
set -euo pipefail
bin="$1" prefix="$2"
modcache="$(go env GOMODCACHE)"

section() { printf '\n==============================================================================\n%s\n==============================================================================\n\n' "$1"; }

echo "OnAir links the parts below. The binary as a whole is distributed under the GNU GPL version 2 or"
echo "later (LICENSE), as libx264 requires; each part keeps its own licence, quoted here."

section "FFmpeg $(sed -n 's/^Version: //p' "$prefix/lib/pkgconfig/libavutil.pc" | head -1) (libavcodec $(sed -n 's/^Version: //p' "$prefix/lib/pkgconfig/libavcodec.pc")), built with --enable-gpl — https://ffmpeg.org"
cat "$prefix/LICENSE.md"
section "x264 — https://www.videolan.org/developers/x264.html (GNU GPL version 2 or later; the text is in LICENSE)"
head -n 20 "$prefix/COPYING.x264"

# Go modules as linked: `go version -m` lists exactly what is in the binary.
go version -m "$bin" | awk '$1 == "dep" || $1 == "=>" { print $2, $3 }' | while read -r mod ver; do
  dir="$modcache/$(echo "$mod" | sed 's/[A-Z]/!\L&/g')@$ver"
  section "Go module $mod $ver"
  found=
  for f in "$dir"/LICENSE* "$dir"/LICENCE* "$dir"/COPYING* "$dir"/license*; do
    [ -f "$f" ] || continue
    cat "$f"
    found=1
    break
  done
  [ -n "$found" ] || { echo "notices: no licence file found for $mod $ver" >&2; exit 1; }
done
echo
section "Go standard library $(go version -m "$bin" | head -1 | awk '{print $2}')"
cat "$(go env GOROOT)/LICENSE"
