#!/usr/bin/env bash
# make dist: dist/onair-VERSION-linux-x86_64.tar.xz, made by `fyne package` (binary, icon, .desktop
# file, FyneApp.toml's metadata) around a binary with FFmpeg and x264 linked in, plus LICENSE and
# NOTICES.txt. Run through make, which sets up the static FFmpeg (PKG_CONFIG, ONAIR_FFMPEG_PREFIX).
set -euo pipefail
cd "$(dirname "$0")/.."
version="$1"
[ -n "${ONAIR_FFMPEG_PREFIX:-}" ] || { echo "dist: run it as make dist" >&2; exit 1; }
name="onair-$version-linux-$(uname -m)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

fyne="$(go env GOPATH)/bin/fyne"
[ -x "$fyne" ] || GOBIN="$(dirname "$fyne")" go install fyne.io/tools/cmd/fyne@v1.7.4

echo "dist: building the binary" >&2
go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$stage/onair" .
# Nothing but a desktop's own libraries: a library outside this list would have to be installed.
allowed='^(libc|libm|libdl|libpthread|librt|libGL|libGLX|libGLdispatch|libX[A-Za-z0-9]*|libxcb[a-z0-9-]*|libbsd|libmd|libgcc_s|ld-linux-x86-64)\.so' # as in link_test.go
extra="$(objdump -p "$stage/onair" | awk '/NEEDED/ { print $2 }' | grep -Ev "$allowed" || true)"
[ -z "$extra" ] || { echo "dist: the binary needs libraries a desktop may lack: $extra" >&2; exit 1; }

echo "dist: packaging" >&2
# Name, id and icon come from FyneApp.toml; the tarball lands in the source folder.
rm -f OnAir.tar.xz
"$fyne" package -os linux --source-dir "$PWD" --executable "$stage/onair" --app-version "$version" --release >/dev/null
mkdir "$stage/$name"
tar -xJf OnAir.tar.xz -C "$stage/$name" --strip-components=1 # fyne puts it all in onair/
rm OnAir.tar.xz
bin="$(cd "$stage/$name" && find . -path '*/bin/onair' | head -1)"
ln -s "$bin" "$stage/$name/onair"
cp LICENSE "$stage/$name/LICENSE"
glibc="$(objdump -T "$stage/onair" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1 | cut -d_ -f2)"
bash scripts/notices.sh "$stage/onair" "$ONAIR_FFMPEG_PREFIX" >"$stage/$name/NOTICES.txt"
cat >"$stage/$name/README.txt" <<TXT
OnAir $version — live streaming for everyone.

Run it from here:            ./onair
Add it to your apps menu:    make user-install     (or, for every user: sudo make install)
Remove it from the menu:     make user-uninstall   (or: sudo make uninstall)

It carries its own FFmpeg and x264; it needs only a Linux desktop: glibc $glibc or newer
(Ubuntu 22.04, Debian 12, Fedora 36 and later), X11 or Wayland with XWayland, OpenGL.
LICENSE and NOTICES.txt tell the licences.
TXT
mkdir -p dist
tar -C "$stage" -cJf "dist/$name.tar.xz" "$name"
echo "dist/$name.tar.xz"
