#!/usr/bin/env bash
# Checks `memlab tune` by running what it proposes, on the local Flink 2.3.0 cluster.
# Run once (about 30 minutes); its results are committed in tests/fixtures/tuning/ and
# `make test` replays them (crates/cli/tests/tuning.rs) plus a short live smoke run
# (scripts/tuned-smoke.sh).
#
#   tools/verify-tuning.sh [CASE...]     default: heap rocksdb
#
#   heap     heap state backend, Flink's default TaskManager memory (1 GiB, 40 % managed
#            memory the job never uses)
#   rocksdb  RocksDB state backend: managed memory in use
#
# Each case: a fresh cluster (2 TaskManagers) runs memlab's load job at a fixed rate; after a
# warm-up `memlab record` records it (before.memlab.json, with the job's plan); `memlab tune
# --shrink` proposes a configuration (tuned.yaml, tuned.txt); the cluster restarts with it
# and the same job runs at the same rate, recorded again (after.memlab.json). The case
# passes (tools/verify-tuning-check.py) when the after-run has no findings and no check
# pending on a TaskManager, the job's rate is the
# same (within 5 %), the heap after GC stays within the planned headroom, GC time stays
# below the gc-pressure threshold, the configuration differs by at least 16 MiB somewhere,
# and the TaskManagers' resident memory (VmRSS from /proc) is lower. Figures go to
# tests/fixtures/tuning/CASE/verify.json and docs/tuning.md quotes them.
#
# MEMLAB_RECORD_SECONDS (default 360) sets each recording's length.
source "$(dirname "$0")/../scripts/lib.sh"

export MEMLAB_FLINK_PORT="${MEMLAB_FLINK_PORT:-8093}"
export MEMLAB_CLUSTER_DIR="${MEMLAB_CLUSTER_DIR:-$HOME/.cache/memlab/verify-cluster}"
export MEMLAB_PROM_PORTS="${MEMLAB_PROM_PORTS:-9262-9272}"
SECONDS_TO_RECORD="${MEMLAB_RECORD_SECONDS:-360}"
WARMUP=45
HEADROOM=0.2
CLUSTER="$ROOT/scripts/flink-cluster.sh"
REST="http://127.0.0.1:$MEMLAB_FLINK_PORT"
OUT="$ROOT/tests/fixtures/tuning"
trap '"$CLUSTER" stop >/dev/null 2>&1 || true' EXIT

(cd "$ROOT" && cargo build -q --release -p memlab-cli --locked)
MEMLAB="${CARGO_TARGET_DIR:-$ROOT/target}/release/memlab"

# The running job's source output (records written), read twice around the recording.
records_out() {
  local jid
  jid=$(curl -sf "$REST/jobs/overview" | python3 -c 'import json,sys; print([j["jid"] for j in json.load(sys.stdin)["jobs"] if j["state"] == "RUNNING"][0])')
  curl -sf "$REST/jobs/$jid" | python3 -c '
import json, sys, time
d = json.load(sys.stdin)
src = [v for v in d["vertices"] if v["name"].startswith("Source")][0]
print(src["metrics"]["write-records"], time.time())'
}

# Mean VmRSS (KiB) of the TaskManager JVMs.
rss_kib() {
  local total=0 n=0 pid
  for f in "$MEMLAB_CLUSTER_DIR"/taskmanager-*.pid; do
    pid=$(cat "$f")
    total=$((total + $(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")))
    n=$((n + 1))
  done
  echo $((total / n))
}

# run NAME PHASE JOB_ARGS [TUNED_YAML]: one recorded run; prints "rate rss_kib".
run() {
  local name="$1" phase="$2" args="$3" tuned="${4:-}" dir="$OUT/$1" process="" conf=""
  if [[ -n "$tuned" ]]; then
    process=$(sed -n 's/^taskmanager\.memory\.process\.size: //p' "$tuned")
    # The cluster script writes process.size and the slots itself.
    conf=$(grep -v -e '^#' -e '^taskmanager\.memory\.process\.size:' -e '^taskmanager\.numberOfTaskSlots:' "$tuned")
  fi
  "$CLUSTER" stop >/dev/null 2>&1 || true
  MEMLAB_TM_PROCESS_SIZE="${process:-1024m}" MEMLAB_FLINK_CONF="$conf" "$CLUSTER" start 2 >&2
  # shellcheck disable=SC2086 # job arguments are a word list
  "$CLUSTER" submit $args >/dev/null
  sleep "$WARMUP"
  local a b
  a=$(records_out)
  "$MEMLAB" record --cluster "$REST" -o "$dir/$phase.memlab.json" --interval 5s --duration "${SECONDS_TO_RECORD}s" \
    --source "mode=verify-tuning $name $phase" --source "flink=2.3.0" --source "taskmanagers=2" \
    --source "config=$( [[ -n "$tuned" ]] && tr '\n' ';' < "$tuned" || echo 'default (taskmanager.memory.process.size: 1024m)')" \
    --source "job=memlab.LoadJob $args" --source "command=tools/verify-tuning.sh $name" >&2
  b=$(records_out)
  local rss
  rss=$(rss_kib)
  "$CLUSTER" stop >&2
  python3 -c 'import sys; a, ta, b, tb = map(float, sys.argv[1:5]); print(round((b - a) / (tb - ta), 1), sys.argv[5])' $a $b "$rss"
}

verify() {
  local name="$1" args="$2" dir="$OUT/$1"
  mkdir -p "$dir"
  log "$name: before (default configuration), job [$args]"
  read -r rate_before rss_before < <(run "$name" before "$args")
  "$MEMLAB" tune "$dir/before.memlab.json" --shrink --headroom "$HEADROOM" > "$dir/tuned.txt"
  grep -v '^#' "$dir/tuned.txt" | grep . > "$dir/tuned.yaml"
  log "$name: tuned: $(tr '\n' ' ' < "$dir/tuned.yaml")"
  log "$name: after (tuned configuration)"
  read -r rate_after rss_after < <(run "$name" after "$args" "$dir/tuned.yaml")
  "$MEMLAB" diagnose "$dir/after.memlab.json" --json > "$dir/after-diagnosis.json"
  "$MEMLAB" tune "$dir/before.memlab.json" --shrink --headroom "$HEADROOM" --json > "$dir/before-tune.json"
  "$MEMLAB" tune "$dir/after.memlab.json" --shrink --headroom "$HEADROOM" --json > "$dir/after-tune.json" || true
  python3 "$ROOT/tools/verify-tuning-check.py" "$dir" "$name" "$args" "$rate_before" "$rate_after" "$rss_before" "$rss_after" "$HEADROOM"
}

status=0
for c in "${@:-heap rocksdb}"; do
  for n in $c; do
    case "$n" in
      heap) verify heap '--keys 1000 --rate 10000 --backend hashmap' || status=1 ;;
      rocksdb) verify rocksdb '--keys 100000 --rate 10000 --backend rocksdb' || status=1 ;;
      *) echo "unknown case: $n" >&2; exit 2 ;;
    esac
  done
done
exit $status
