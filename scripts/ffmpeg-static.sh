#!/usr/bin/env bash
# Builds the FFmpeg OnAir links: FFmpeg 7.1 and x264 from pinned sources (Debian 13's, from
# Debian's archive), static, with only the parts OnAir calls. Prints the install prefix.
# The result is cached by the pinned versions and this script's content: a second run prints the
# prefix at once; --prefix prints it without building. ONAIR_FFMPEG_CACHE moves the cache
# (default ~/.cache/onair-build).
set -euo pipefail

FFMPEG_VERSION=7.1.5
FFMPEG_SHA256=de668509caf9e35e3cd162473441fdb29538c6d96ed080292b3cf9e6fc5d558f
X264_ORIG=x264_0.164.3108+git31e19f9.orig.tar.gz
X264_SHA256=41606cb8e788a7f8c4514290646d4ba5c7bc68d9e1ccd1a73f446a90546913eb

cache="${ONAIR_FFMPEG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/onair-build}"
key="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)"
prefix="$cache/ffmpeg-$FFMPEG_VERSION-$key"
if [ "${1:-}" = --prefix ] || [ -f "$prefix/.complete" ]; then
  echo "$prefix"
  exit 0
fi

jobs="$(nproc)"
work="$(mktemp -d "${TMPDIR:-/tmp}/onair-ffmpeg.XXXXXX")"
trap 'rm -rf "$work"' EXIT
log="$work/build.log"
say() { echo "ffmpeg-static: $*" >&2; }
fail() { say "$*"; tail -n 40 "$log" >&2 || true; exit 1; }

# Pinned by checksum: the files come from Debian's pool (Debian 13's source packages); a mirror
# can be named with DEBIAN_MIRROR.
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
say "fetching FFmpeg $FFMPEG_VERSION and x264 sources from $mirror"
mkdir -p "$work/src"
fetch() { # pool path, sha256
  local out="$work/src/${1##*/}"
  curl -fsSL --retry 3 -o "$out" "$mirror/pool/main/$1" >>"$log" 2>&1 ||
    fail "cannot download $1 from Debian's archive; if it is no longer there, update the pins at the top of $0"
  echo "$2  $out" | sha256sum -c --quiet - >>"$log" 2>&1 || fail "${1##*/} does not match its pinned checksum"
}
fetch "f/ffmpeg/ffmpeg_$FFMPEG_VERSION.orig.tar.xz" "$FFMPEG_SHA256"
fetch "x/x264/$X264_ORIG" "$X264_SHA256"

stage="$work/prefix"
mkdir -p "$stage" "$work/x264" "$work/ffmpeg"
tar -xzf "$work/src/$X264_ORIG" -C "$work/x264" --strip-components=1
tar -xJf "$work/src/ffmpeg_$FFMPEG_VERSION.orig.tar.xz" -C "$work/ffmpeg" --strip-components=1

say "building x264 (static)"
(cd "$work/x264" &&
  ./configure --prefix="$stage" --enable-static --disable-cli --enable-pic --bit-depth=8 --chroma-format=420 \
    --disable-opencl --disable-lavf --disable-swscale --disable-ffms --disable-gpac --disable-lsmash &&
  make -j"$jobs" && make install) >>"$log" 2>&1 || fail "x264 did not build"

# What OnAir calls: libx264 and AAC out, the Local test's RTMP listener and FLV recording, the
# recorder's Matroska, and common video files in. Hardware encoders that need only the kernel
# (v4l2 m2m) stay; those that link a driver library (VAAPI, QSV) would tie the binary to it.
say "building FFmpeg $FFMPEG_VERSION (static, OnAir's parts only)"
decoders=h264,hevc,vp8,vp9,mpeg4,mpeg2video,mjpeg,rawvideo,aac,aac_latm,mp3,mp3float,mp2,opus,vorbis,flac,ac3,eac3,pcm_s16le,pcm_s16be,pcm_s24le,pcm_s32le,pcm_f32le,pcm_f64le,pcm_u8,alac
demuxers=mov,matroska,flv,live_flv,avi,mpegts,mp3,wav,ogg,aac,flac,h264,hevc,nut,yuv4mpegpipe
parsers=h264,hevc,aac,aac_latm,mpegaudio,vp8,vp9,opus,vorbis,flac,ac3,mpeg4video,mpegvideo,mjpeg
(cd "$work/ffmpeg" && PKG_CONFIG_PATH="$stage/lib/pkgconfig" ./configure \
  --prefix="$stage" --enable-static --disable-shared --enable-pic --enable-gpl \
  --disable-programs --disable-doc --enable-network \
  --disable-autodetect --disable-everything --disable-debug \
  --enable-libx264 --enable-encoder=libx264,aac,h264_v4l2m2m --enable-v4l2-m2m \
  --enable-decoder="$decoders" --enable-demuxer="$demuxers" --enable-parser="$parsers" \
  --enable-muxer=matroska,flv --enable-protocol=file,rtmp,tcp \
  --enable-bsf=h264_mp4toannexb,hevc_mp4toannexb,aac_adtstoasc,extract_extradata,vp9_superframe_split \
  --enable-swscale --enable-swresample --enable-avdevice --enable-avfilter \
  --extra-cflags="-I$stage/include" --extra-ldflags="-L$stage/lib" &&
  make -j"$jobs" && make install) >>"$log" 2>&1 || fail "FFmpeg did not build"

# The licences travel with the libraries: the release's notices file quotes them.
cp "$work/ffmpeg/COPYING.GPLv2" "$work/ffmpeg/COPYING.LGPLv2.1" "$work/ffmpeg/LICENSE.md" "$stage/" 
cp "$work/x264/COPYING" "$stage/COPYING.x264"
mkdir -p "$cache"
rm -rf "$prefix"
mv "$stage" "$prefix"
# The .pc files name the staging folder; point them at the cache.
sed -i "s|$stage|$prefix|g" "$prefix"/lib/pkgconfig/*.pc
touch "$prefix/.complete"
say "done: $prefix"
echo "$prefix"
