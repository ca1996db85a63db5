#!/usr/bin/env bash
# The 1,000-TaskManager benchmark, one command (a benchmark, not a test: it prints figures
# and asserts nothing):
#
#   tools/bench-scale.sh [TASKMANAGERS]     (default 1000)
#
# 1. an hour of that many TaskManagers, scraped every 30 s, as Flink's PrometheusReporter
#    exports them (tools/scale-openmetrics.py: real Flink 2.3.0 readings from the committed
#    recordings under new ids, four leaking, one with its heap at 97 %);
# 2. backfilled into a real Prometheus (Debian's 2.42, promtool) on 127.0.0.1:19190,
#    reused when it already holds the same hour;
# 3. the release build in headless Chromium (tools/bench-scale.mjs): the Diagnosis page
#    reads and diagnoses the window, then the Live cluster page's list is scrolled through;
#    and `memlab diagnose --prometheus` on the same window.
# Figures: printed, and in target/bench-scale.json; docs/BENCHMARKS.md quotes them.
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

N="${1:-1000}"
PORT=19190
URL="http://127.0.0.1:$PORT"
DIR="$HOME/.cache/memlab/bench-scale"
# The hour that ended at the last whole hour: the same data for every run within the hour.
END=$(( $(date +%s) / 3600 * 3600 ))

scripts/setup.sh --test >/dev/null
scripts/build.sh >/dev/null
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/memlab/target}"
cargo build -q --release -p memlab-cli

stop() { [[ -f "$DIR/prometheus.pid" ]] && kill "$(cat "$DIR/prometheus.pid")" 2>/dev/null; rm -f "$DIR/prometheus.pid"; }
trap stop EXIT
stop
mkdir -p "$DIR"
if [[ "$(cat "$DIR/made-for" 2>/dev/null)" != "$N $END" ]]; then
  rm -rf "$DIR/data"
  t0=$(date +%s.%N)
  python3 tools/scale-openmetrics.py --taskmanagers "$N" --end "$END" > "$DIR/scale.om"
  t1=$(date +%s.%N)
  promtool tsdb create-blocks-from openmetrics "$DIR/scale.om" "$DIR/data" >/dev/null
  t2=$(date +%s.%N)
  log "$(wc -l < "$DIR/scale.om") samples' lines ($(du -h "$DIR/scale.om" | cut -f1)) written in $(printf %.1f "$(echo "$t1 - $t0" | bc)") s, backfilled in $(printf %.1f "$(echo "$t2 - $t1" | bc)") s"
  rm -f "$DIR/scale.om"
  echo "$N $END" > "$DIR/made-for"
fi
printf 'global:\n  scrape_interval: 30s\nscrape_configs: []\n' > "$DIR/prometheus.yml"
nohup prometheus --config.file "$DIR/prometheus.yml" --storage.tsdb.path "$DIR/data" \
  --web.listen-address "127.0.0.1:$PORT" --storage.tsdb.retention.time 3650d > "$DIR/prometheus.log" 2>&1 &
echo $! > "$DIR/prometheus.pid"
for _ in $(seq 1 100); do curl -sf --max-time 1 "$URL/-/ready" >/dev/null && break; sleep 0.2; done

log "memlab diagnose --prometheus $URL --range 1h --end $END"
t0=$(date +%s.%N)
"$CARGO_TARGET_DIR/release/memlab" diagnose --prometheus "$URL" --range 1h --end "$END" 2>/dev/null | sed -n 2,3p
log "CLI: read and diagnosed in $(printf %.2f "$(echo "$(date +%s.%N) - $t0" | bc)") s"
node tools/bench-scale.mjs "$URL" "$END" 1h
