# Shared helpers for memlab's scripts. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Builds are reused across clones on the same machine (CI runs in a fresh clone each time).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/memlab/target}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

STAGE_NAMES=()
STAGE_SECS=()

log() { printf '\033[1m[memlab]\033[0m %s\n' "$*"; }

# stage NAME CMD... — runs CMD, prints how long it took, remembers it for the summary.
stage() {
  local name="$1"; shift
  local t0=$SECONDS
  log "▶ $name"
  "$@"
  local dt=$((SECONDS - t0))
  STAGE_NAMES+=("$name"); STAGE_SECS+=("$dt")
  log "✔ $name (${dt}s)"
}

stage_summary() {
  log "stage timings:"
  local i
  for i in "${!STAGE_NAMES[@]}"; do
    printf '  %5ss  %s\n' "${STAGE_SECS[$i]}" "${STAGE_NAMES[$i]}"
  done
}

# The wasm-bindgen version Cargo.lock resolved; the CLI must be exactly this version.
lock_version() {
  awk -v n="$1" '$0 == "name = \"" n "\"" { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}
