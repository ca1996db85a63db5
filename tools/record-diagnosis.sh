#!/usr/bin/env bash
# Records the real sessions the diagnosis is tested on (public/recordings/*.memlab.json):
# each starts a fresh local Flink 2.3.0 cluster (2 TaskManagers, 1 GiB each) with its own
# config, submits memlab's load job, lets it warm up, records the REST API, and stops.
#
#   tools/record-diagnosis.sh [NAME...]     default: all four
#
#   healthy       heap backend, small state, managed and network memory sized for it (10 min)
#   heap-leak     heap backend, keyed list state that grows without bound (--grow true)
#   rocksdb       RocksDB backend: managed memory in use
#   managed-idle  heap backend with Flink's default 40 % managed memory, which it never uses
#   metaspace     the same uploaded jar run again every 5 s (each job replaced by a new
#                 one): the session cluster loads the job's classes again each time
#
# MEMLAB_RECORD_SECONDS (default 300; healthy 600) and MEMLAB_RECORD_INTERVAL (default 5)
# set the length.
source "$(dirname "$0")/../scripts/lib.sh"

export MEMLAB_FLINK_PORT="${MEMLAB_FLINK_PORT:-8091}"
export MEMLAB_CLUSTER_DIR="${MEMLAB_CLUSTER_DIR:-$HOME/.cache/memlab/record-cluster}"
SECONDS_TO_RECORD="${MEMLAB_RECORD_SECONDS:-300}"
INTERVAL="${MEMLAB_RECORD_INTERVAL:-5}"
WARMUP=30
CLUSTER="$ROOT/scripts/flink-cluster.sh"
# The healthy job's TaskManagers: managed and network memory sized for a heap-backend job.
HEALTHY_CONF='taskmanager.memory.managed.fraction: 0.05
taskmanager.memory.network.min: 32m
taskmanager.memory.network.max: 32m'
trap '"$CLUSTER" stop >/dev/null 2>&1 || true' EXIT

record() {
  local name="$1" conf="$2" args="$3"
  log "recording $name: config [$conf], job [$args]"
  "$CLUSTER" stop >/dev/null 2>&1 || true
  MEMLAB_FLINK_CONF="$conf" "$CLUSTER" start 2
  # shellcheck disable=SC2086 # job arguments are a word list
  "$CLUSTER" submit $args >/dev/null
  sleep "$WARMUP" # let the job reach its steady state before the recording starts
  python3 "$ROOT/tools/record.py" "http://127.0.0.1:$MEMLAB_FLINK_PORT" "$ROOT/public/recordings/$name.memlab.json" \
    --interval "$INTERVAL" --duration "$SECONDS_TO_RECORD"
  "$CLUSTER" stop
}

# Records while the job is cancelled and the same uploaded jar run again every 5 s.
record_resubmitting() {
  local name="$1" args="$2"
  log "recording $name: job [$args] run again every 5 s"
  "$CLUSTER" stop >/dev/null 2>&1 || true
  "$CLUSTER" start 2
  # shellcheck disable=SC2086
  "$CLUSTER" submit $args >/dev/null
  sleep "$WARMUP"
  python3 "$ROOT/tools/record.py" "http://127.0.0.1:$MEMLAB_FLINK_PORT" "$ROOT/public/recordings/$name.memlab.json" \
    --interval "$INTERVAL" --duration "$SECONDS_TO_RECORD" &
  local recorder=$! rest="http://127.0.0.1:$MEMLAB_FLINK_PORT"
  while kill -0 "$recorder" 2>/dev/null; do
    sleep 5
    for jid in $(curl -sf "$rest/jobs/overview" | python3 -c 'import json,sys; print(" ".join(j["jid"] for j in json.load(sys.stdin)["jobs"] if j["state"] == "RUNNING"))'); do
      curl -sf -X PATCH "$rest/jobs/$jid?mode=cancel" >/dev/null || true
    done
    kill -0 "$recorder" 2>/dev/null && { "$CLUSTER" submit $args >/dev/null || true; }
  done
  wait "$recorder" || true
  "$CLUSTER" stop
}

for name in "${@:-healthy heap-leak rocksdb managed-idle metaspace}"; do
  for n in $name; do
    case "$n" in
      # Ten minutes: this job collects garbage about once a minute, and the leak detector
      # needs post-GC readings in six 30-s windows to decide (it does not guess).
      healthy) SECONDS_TO_RECORD="${MEMLAB_RECORD_SECONDS:-600}" record healthy "$HEALTHY_CONF" '--keys 1000 --rate 10000 --backend hashmap' ;;
      heap-leak) record heap-leak '' '--grow true --keys 10000 --rate 10000 --backend hashmap' ;;
      rocksdb) record rocksdb '' '--keys 100000 --rate 10000 --backend rocksdb' ;;
      managed-idle) record managed-idle '' '--keys 100000 --rate 10000 --backend hashmap' ;;
      metaspace) record_resubmitting metaspace '--keys 1000 --rate 2000 --backend hashmap' ;;
      *) echo "unknown recording: $n" >&2; exit 2 ;;
    esac
  done
done
