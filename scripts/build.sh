#!/usr/bin/env bash
# Builds the static site into dist/ (release, size-optimised, offline) and prints its
# initial-transfer size: the gzip -9 bytes of index.html and the wasm, JS and CSS it loads.
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/setup.sh"
cd "$ROOT"
claim_target_dir
trunk build --release --offline
"$ROOT/scripts/size.sh"
