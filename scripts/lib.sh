# Shared helpers for memlab's scripts. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Builds are reused across clones on the same machine (CI runs in a fresh clone each time).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/memlab/target}"
# claim_target_dir [--no-lock] — call before building. Clones share CARGO_TARGET_DIR, and
# cargo gives the workspace's own crates the same outputs in every clone (their hashes do
# not depend on the directory). It takes them as up to date when they are newer than the
# sources: a clone whose files are older than another clone's last build would use that
# build as its own (seen: a fresh build handed out the other clone's wasm). So a clone that
# builds after another one marks its tracked files as changed first, and builds take turns
# on a lock held until the script ends (`--no-lock` for a server that runs until stopped).
claim_target_dir() {
  mkdir -p "$CARGO_TARGET_DIR"
  if [[ "${1:-}" != --no-lock ]]; then
    exec 9>"$CARGO_TARGET_DIR/.memlab.lock"
    if ! flock -n 9; then
      log "waiting for another memlab build that uses $CARGO_TARGET_DIR"
      flock 9
    fi
  fi
  local stamp="$CARGO_TARGET_DIR/.memlab-clone"
  if [[ "$(cat "$stamp" 2>/dev/null || true)" != "$ROOT" ]]; then
    log "the last build here was another clone's: marking this clone's files as changed"
    if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
      git -C "$ROOT" ls-files -z | (cd "$ROOT" && xargs -0 touch -c)
    else
      find "$ROOT" \( -name target -o -name node_modules -o -name dist \) -prune -o -type f -exec touch -c {} +
    fi
    echo "$ROOT" >"$stamp"
  fi
}

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
