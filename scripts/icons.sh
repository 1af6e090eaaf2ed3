#!/usr/bin/env bash
# Renders the app icon (assets/io.github.rehearse.Rehearse.svg) to the PNG
# sizes the desktop and the window use, into assets/icons/<N>x<N>/. The PNGs
# are committed; run this after changing the SVG. Needs rsvg-convert
# (Debian: librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/.."
svg=assets/io.github.rehearse.Rehearse.svg
command -v rsvg-convert >/dev/null || { echo "icons: install rsvg-convert (Debian: librsvg2-bin)" >&2; exit 1; }
for size in 16 32 48 64 128 256 512; do
  mkdir -p "assets/icons/${size}x${size}"
  rsvg-convert -w "$size" -h "$size" "$svg" -o "assets/icons/${size}x${size}/io.github.rehearse.Rehearse.png"
done
echo "icons: rendered $(ls assets/icons | wc -l) sizes from $svg"
python3 scripts/icon_containers.py
