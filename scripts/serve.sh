#!/usr/bin/env bash
# Installs what is missing, then serves the app at http://127.0.0.1:8080/ with its built-in
# demo data (no cluster needed). MEMLAB_DEV=1 serves a debug build (faster to compile).
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/setup.sh"
cd "$ROOT"
claim_target_dir --no-lock
if [[ "${MEMLAB_DEV:-0}" == 1 ]]; then
  exec trunk serve --offline
else
  exec trunk serve --release --offline
fi
