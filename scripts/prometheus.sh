#!/usr/bin/env bash
# A real Prometheus (Debian's 2.42) for workshops and memlab's own tests: it scrapes the
# local Flink cluster's PrometheusReporter (scripts/flink-cluster.sh) every 2 s, and holds
# the history of committed real recordings, backfilled with promtool so that a test has
# hours of history in seconds.
#
#   scripts/prometheus.sh start [RECORDING…]   backfill (default: heap-leak healthy heap-leak-x40 healthy@pod), start, wait until ready
#   scripts/prometheus.sh stop | status
#
# Each backfilled recording is shifted to end a whole hour apart, before now; where each
# one ends (unix seconds) is written to $STATE/backfill.json ({"heap-leak": 1796…}).
# MEMLAB_PROMETHEUS_PORT (default 9090), MEMLAB_FLINK_PORT (the cluster, default 8081: the
# reporter's ports 9250-9260 follow it), MEMLAB_PROMETHEUS_DIR (state).
# Needs the memlab binary (target/…/memlab; built if missing) to turn recordings into
# OpenMetrics; installs Debian's prometheus package when missing.
source "$(dirname "$0")/lib.sh"

PORT="${MEMLAB_PROMETHEUS_PORT:-9090}"
FLINK_PORT="${MEMLAB_FLINK_PORT:-8081}"
PROM_PORTS="${MEMLAB_PROM_PORTS:-$((FLINK_PORT + 1169))-$((FLINK_PORT + 1179))}"
STATE="${MEMLAB_PROMETHEUS_DIR:-$HOME/.cache/memlab/prometheus}"
URL="http://127.0.0.1:$PORT"

ensure_prometheus() {
  if command -v prometheus >/dev/null && command -v promtool >/dev/null; then return; fi
  log "installing Debian prometheus (with promtool)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus
  # The package starts a service where an init system runs; memlab runs its own.
  pkill -x prometheus 2>/dev/null || true
}

memlab_bin() {
  local bin="$CARGO_TARGET_DIR/debug/memlab"
  if [[ ! -x "$bin" ]]; then
    (cd "$ROOT" && cargo build -q -p memlab-cli --locked) >&2
  fi
  echo "$bin"
}

start() {
  ensure_prometheus
  stop >/dev/null 2>&1 || true
  rm -rf "$STATE"
  mkdir -p "$STATE/data"
  local lo="${PROM_PORTS%-*}" hi="${PROM_PORTS#*-}" targets="" p
  for p in $(seq "$lo" "$hi"); do targets+="'127.0.0.1:$p', "; done
  cat > "$STATE/prometheus.yml" <<YAML
global:
  scrape_interval: 2s
  scrape_timeout: 2s
scrape_configs:
  - job_name: flink
    static_configs:
      - targets: [${targets%, }]
YAML
  local names=("$@") bin now end n=0 json="{"
  # NAME-xN: the recording's TaskManagers replicated to N (tools/replicate.py: new ids, the
  # same real bodies; the 8th copy's heap at 97 %), for a window of a large cluster.
  # NAME@LABEL: each TaskManager named by LABEL instead of tm_id (custom metrics.scope.*).
  [[ ${#names[@]} -gt 0 ]] || names=(heap-leak healthy heap-leak-x40 healthy@pod)
  bin=$(memlab_bin)
  now=$(date +%s)
  for name in "${names[@]}"; do
    n=$((n + 1))
    end=$(( (now / 3600 - n) * 3600 ))
    local base="${name%@*}" label=tm_id
    [[ $name == *@* ]] && label="${name#*@}"
    local file="$ROOT/public/recordings/$base.memlab.json"
    if [[ $base =~ ^(.+)-x([0-9]+)$ ]]; then
      file="$STATE/$base.memlab.json"
      python3 "$ROOT/tools/replicate.py" "$ROOT/public/recordings/${BASH_REMATCH[1]}.memlab.json" "$file" \
        --taskmanagers "${BASH_REMATCH[2]}" --hot 7 >/dev/null
    fi
    "$bin" export "$file" --end-at "$end" --tm-label "$label" > "$STATE/$name.om"
    promtool tsdb create-blocks-from openmetrics "$STATE/$name.om" "$STATE/data" >/dev/null
    json+="\"$name\": $end, "
  done
  echo "${json%, }}" > "$STATE/backfill.json"
  nohup prometheus --config.file "$STATE/prometheus.yml" --storage.tsdb.path "$STATE/data" \
    --web.listen-address "127.0.0.1:$PORT" --storage.tsdb.retention.time 30d \
    > "$STATE/prometheus.log" 2>&1 &
  echo $! > "$STATE/prometheus.pid"
  for _ in $(seq 1 100); do
    if curl -sf --max-time 1 "$URL/-/ready" >/dev/null; then
      log "Prometheus up: $URL (scraping $PROM_PORTS every 2 s; backfilled: $(cat "$STATE/backfill.json"))"
      return 0
    fi
    sleep 0.2
  done
  echo "Prometheus did not become ready within 20 s; its log: $STATE/prometheus.log" >&2
  tail -n 20 "$STATE/prometheus.log" >&2
  return 1
}

stop() {
  if [[ -f "$STATE/prometheus.pid" ]]; then
    kill "$(cat "$STATE/prometheus.pid")" 2>/dev/null || true
    rm -f "$STATE/prometheus.pid"
    log "Prometheus stopped"
  fi
}

status() {
  if curl -sf --max-time 2 "$URL/-/ready" >/dev/null; then echo "Prometheus ready on $URL"; else echo "no Prometheus answers on $URL"; fi
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) sed -n '2,16p' "$0"; exit 2 ;;
esac
