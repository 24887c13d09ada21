#!/usr/bin/env bash
# Draws assets/icon.png (OnAir's icon: a red "on air" dot with radio waves) with ImageMagick.
# assets/icon.svg is the same drawing for Fyne at runtime; keep the two in step.
set -euo pipefail
cd "$(dirname "$0")/../assets"
convert -size 256x256 xc:none \
  -fill '#1d1f2b' -draw 'roundrectangle 8,8 247,247 48,48' \
  -fill transparent -stroke '#ff3b3b' -strokewidth 14 \
  -draw "path 'M 91,91 A 52,52 0 0,0 91,165 M 165,91 A 52,52 0 0,1 165,165'" \
  -draw "path 'M 66,66 A 88,88 0 0,0 66,190 M 190,66 A 88,88 0 0,1 190,190'" \
  -stroke none -fill '#ff3b3b' -draw 'circle 128,128 128,102' \
  icon.png
