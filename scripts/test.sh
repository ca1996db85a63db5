#!/usr/bin/env bash
# The one test command (README; .ci/run calls it): installs what is missing, then runs
# every check and test suite, printing how long each stage took.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
trap stage_summary EXIT
claim_target_dir

# In wasm32: the app with its tests, and the cores' libraries (their native-only test
# dependencies, such as proptest, do not build for wasm32).
CORES=(-p memlab-engine -p memlab-size -p memlab-flink -p memlab-bench-wasm)

stage "setup (installs only what is missing)" "$ROOT/scripts/setup.sh" --test
stage "cargo fmt --check" cargo fmt --all -- --check
stage "clippy (native, -D warnings)" cargo clippy --workspace --all-targets --locked -- -D warnings
stage "clippy (wasm32 app, -D warnings)" cargo clippy --target wasm32-unknown-unknown -p memlab-app --all-targets --locked -- -D warnings
stage "clippy (wasm32 cores, -D warnings)" cargo clippy --target wasm32-unknown-unknown "${CORES[@]}" --lib --locked -- -D warnings
stage "native tests" cargo test --workspace --locked
# wasm-bindgen-test in headless Chromium; webdriver.json (repo root) holds Chromium's flags.
stage "wasm tests (headless Chromium)" cargo test --target wasm32-unknown-unknown -p memlab-app --locked
stage "release build (trunk, offline)" trunk build --release --offline
stage "initial transfer size" "$ROOT/scripts/size.sh"
# A real Flink 2.3.0 cluster for the Live cluster tests, always stopped afterwards.
export MEMLAB_FLINK_PORT="${MEMLAB_FLINK_PORT:-18081}"
export MEMLAB_CLUSTER_DIR="${MEMLAB_CLUSTER_DIR:-$HOME/.cache/memlab/test-cluster}"
export MEMLAB_FLINK_URL="http://127.0.0.1:$MEMLAB_FLINK_PORT"
# A real Prometheus: recordings backfilled as its history, and scraping that cluster.
export MEMLAB_PROMETHEUS_PORT="${MEMLAB_PROMETHEUS_PORT:-19090}"
export MEMLAB_PROMETHEUS_DIR="${MEMLAB_PROMETHEUS_DIR:-$HOME/.cache/memlab/test-prometheus}"
export MEMLAB_PROMETHEUS_URL="http://127.0.0.1:$MEMLAB_PROMETHEUS_PORT"
trap 'scripts/flink-cluster.sh stop >/dev/null 2>&1 || true; scripts/prometheus.sh stop >/dev/null 2>&1 || true; stage_summary' EXIT
stage "real Prometheus (backfilled from recordings, scraping the cluster)" scripts/prometheus.sh start
stage "real Flink cluster (2 TaskManagers + load job)" bash -c 'scripts/flink-cluster.sh start 2 && scripts/flink-cluster.sh submit >/dev/null'
stage "end-to-end tests (release build under a sub-path, Chromium)" node --test --test-concurrency=1 tests/e2e/
# Last (its own cluster, after the e2e's): a TaskManager on the configuration `memlab tune` proposed (tools/verify-tuning.sh) runs the load job.
stage "tuned TaskManager smoke run (60 s)" scripts/tuned-smoke.sh heap
