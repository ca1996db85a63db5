#!/usr/bin/env bash
# Prints the initial transfer of dist/ as gzip -9 bytes: the wasm, JS and CSS files.
source "$(dirname "$0")/lib.sh"
cd "$ROOT/dist"
total=0
for f in *.wasm *.js *.css; do
  [[ -f "$f" ]] || continue
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  printf '  %-40s %9d bytes  %8d gzip\n' "$f" "$raw" "$gz"
  total=$((total + gz))
done
awk -v t="$total" 'BEGIN { printf "initial transfer: %d bytes gzip (%.1f KB)\n", t, t / 1000 }'
