#!/usr/bin/env bash
# Prints the initial transfer of dist/ as gzip -9 bytes: what the browser fetches before the
# first page works — index.html, the JS, the wasm and the CSS it loads (not the service
# worker, not the recordings or lessons fetched later).
source "$(dirname "$0")/lib.sh"
cd "$ROOT/dist"
total=0
for f in index.html *.wasm *.js *.css; do
  [[ -f "$f" && "$f" != sw.js ]] || continue
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  printf '  %-40s %9d bytes  %8d gzip\n' "$f" "$raw" "$gz"
  total=$((total + gz))
done
awk -v t="$total" 'BEGIN { printf "initial transfer: %d bytes gzip -9 (%.1f KB; index.html, JS, wasm and CSS; the goal is 300 KB)\n", t, t / 1000 }'
