#!/usr/bin/env bash
# Installs everything memlab needs that is missing, and nothing that is present.
# Idempotent: on a machine that has it all, this takes a few seconds.
#   scripts/setup.sh          tools to build and serve the app
#   scripts/setup.sh --test   also Chromium + chromedriver for the test suites
source "$(dirname "$0")/lib.sh"

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

TRUNK_VERSION=0.21.14
WASM_OPT_VERSION=123

# 1. The wasm target for the machine's toolchain (rustup adds it; no toolchain download).
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. Trunk, pinned: 0.22 needs a newer rustc than this machine has.
if [[ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]]; then
  log "installing trunk $TRUNK_VERSION with cargo (about 10 minutes on 2 cores; cargo shows progress)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

# 3. wasm-bindgen-cli, exactly the version in Cargo.lock. Not --locked: one of its locked
#    dependencies is missing from the registry.
wbg="$(lock_version wasm-bindgen)"
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wbg" ]]; then
  log "installing wasm-bindgen-cli $wbg with cargo (about 10 minutes on 2 cores)"
  cargo install wasm-bindgen-cli --version "$wbg"
fi

# 4. wasm-opt for Trunk (version_123) and Playwright, from npm, as package-lock.json pins.
stamp="$ROOT/node_modules/.memlab-lock.sha256"
if [[ ! -f "$stamp" ]] || ! (cd "$ROOT" && sha256sum --status -c "$stamp" 2>/dev/null); then
  log "installing npm tools (binaryen $WASM_OPT_VERSION for wasm-opt, playwright-core)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  (cd "$ROOT" && sha256sum package-lock.json > "$stamp")
fi
if ! wasm-opt --version 2>/dev/null | grep -q "version_$WASM_OPT_VERSION"; then
  echo "wasm-opt version_$WASM_OPT_VERSION not found on PATH after npm ci" >&2
  exit 1
fi

# 5. Chromium and chromedriver from Debian, for wasm-bindgen-test and the end-to-end tests.
if [[ $want_test == 1 ]] && { [[ ! -x "$CHROMIUM" ]] || [[ ! -x "$CHROMEDRIVER" ]]; }; then
  log "installing Debian chromium + chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver
fi
# A CJK font, so that screenshots of the 简体中文 lessons show characters (a browser on a
# desktop has one already).
if [[ $want_test == 1 ]] && ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  log "installing Debian fonts-wqy-microhei (Chinese glyphs for headless Chromium)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq fonts-wqy-microhei
fi

# Debian's Prometheus (with promtool), for the tests that read a cluster's history from it.
if [[ $want_test == 1 ]] && ! { command -v prometheus >/dev/null && command -v promtool >/dev/null; }; then
  log "installing Debian prometheus (with promtool)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq prometheus
  # The package starts its own service where an init system runs; the tests run their own.
  pkill -x prometheus 2>/dev/null || true
fi

log "tools ready: $(trunk --version), $(wasm-bindgen --version), $(wasm-opt --version | head -n1)"
