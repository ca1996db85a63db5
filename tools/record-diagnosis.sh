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
# Post-mortem recordings (a failure, or something that looks like one and is not), each
# from one run of the load job, recorded every 3 s by `memlab record` with the job's
# arguments, the cluster's config and the mode in the recording's `source`:
#
#   tm-heap-oom      1 TaskManager, unbounded keyed heap state, taskmanager.jvm-exit-on-oom
#   job-heap-oom     one 1 GiB array asked for in a task: the task fails, the TaskManager
#                    survives (Flink's default: no exit on OOM), 2 restarts
#   direct-oom       direct buffers kept until "OutOfMemoryError: Direct buffer memory"
#   metaspace-oom    classes in fresh class loaders, jvm-metaspace.size 96m
#   network-buffers  8 × 4 keyed shuffles on 4 TaskManagers with 1 MiB of network memory
#   tm-killed        a busy TaskManager killed with SIGKILL
#   tm-idle-release  an idle TaskManager stopped (SIGTERM): not a failure
#   job-cancel       the job cancelled: not a failure
#
# MEMLAB_RECORD_SECONDS (default 300; healthy 600) and MEMLAB_RECORD_INTERVAL (default 5)
# set the length of the first five.
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
  "$MEMLAB" record --cluster "http://127.0.0.1:$MEMLAB_FLINK_PORT" -o "$ROOT/public/recordings/$name.memlab.json" \
    --interval "${INTERVAL}s" --duration "${SECONDS_TO_RECORD}s" --source "mode=$name" --source "flink=2.3.0" \
    --source "config=$(tr '\n' ';' <<<"$conf")" --source "job=memlab.LoadJob $args" --source "command=tools/record-diagnosis.sh $name"
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
  "$MEMLAB" record --cluster "http://127.0.0.1:$MEMLAB_FLINK_PORT" -o "$ROOT/public/recordings/$name.memlab.json" \
    --interval "${INTERVAL}s" --duration "${SECONDS_TO_RECORD}s" --source "mode=$name" --source "flink=2.3.0" \
    --source "config=$(tr '\n' ';' <<<"$conf")" --source "job=memlab.LoadJob $args" --source "command=tools/record-diagnosis.sh $name" &
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

MEMLAB="$ROOT/target/release/memlab"
[[ -n "${CARGO_TARGET_DIR:-}" ]] && MEMLAB="$CARGO_TARGET_DIR/release/memlab"

# Restarts: twice, 5 s apart (Flink's default without checkpoints is not to restart).
RESTART_TWICE='restart-strategy.type: fixed-delay
restart-strategy.fixed-delay.attempts: 2
restart-strategy.fixed-delay.delay: 5 s'

# The pid of the TaskManager whose slots are all free (or, with "busy", one that is not).
tm_pid() {
  local want="$1" rest="http://127.0.0.1:$MEMLAB_FLINK_PORT" port
  port=$(curl -sf "$rest/taskmanagers" | python3 -c '
import json, sys
want = sys.argv[1]
for tm in json.load(sys.stdin)["taskmanagers"]:
    idle = tm["freeSlots"] == tm["slotsNumber"]
    if idle == (want == "idle"):
        print(tm["id"].split(":")[1].split("-")[0]); break' "$want")
  ss -ltnpH "sport = :$port" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1
}

# record_failure NAME TMS SECONDS CONF ARGS [ACTION AT_S]: records a fresh cluster running
# the load job; ACTION (kill-busy, stop-idle, cancel) happens AT_S seconds in.
record_failure() {
  local name="$1" tms="$2" seconds="$3" conf="$4" args="$5" action="${6:-}" at="${7:-0}"
  local rest="http://127.0.0.1:$MEMLAB_FLINK_PORT" out="$ROOT/public/recordings/$name.memlab.json"
  log "recording $name: $tms TaskManager(s), config [$conf], job [$args] ${action:+, $action at $at s}"
  "$CLUSTER" stop >/dev/null 2>&1 || true
  MEMLAB_FLINK_CONF="$conf" "$CLUSTER" start "$tms"
  # shellcheck disable=SC2086 # job arguments are a word list
  "$CLUSTER" submit $args >/dev/null
  "$MEMLAB" record --cluster "$rest" -o "$out" --interval 3s --duration "${seconds}s" \
    --source "mode=$name" --source "flink=2.3.0" --source "taskmanagers=$tms" \
    --source "config=$(tr '\n' ';' <<<"$conf")" --source "job=memlab.LoadJob $args" \
    --source "action=${action:-none}${action:+ at $at s}" \
    --source "command=tools/record-diagnosis.sh $name" &
  local recorder=$!
  if [[ -n "$action" ]]; then
    sleep "$at"
    case "$action" in
      kill-busy) kill -9 "$(tm_pid busy)" ;;
      stop-idle) kill "$(tm_pid idle)" ;;
      cancel)
        for jid in $(curl -sf "$rest/jobs/overview" | python3 -c 'import json,sys; print(" ".join(j["jid"] for j in json.load(sys.stdin)["jobs"] if j["state"] == "RUNNING"))'); do
          curl -sf -X PATCH "$rest/jobs/$jid?mode=cancel" >/dev/null || true
        done ;;
    esac
  fi
  wait "$recorder"
  "$CLUSTER" stop
}

LOAD='--keys 1000 --rate 5000 --backend hashmap'
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
      tm-heap-oom) record_failure tm-heap-oom 1 330 'taskmanager.jvm-exit-on-oom: true' '--grow true --keys 100000 --rate 30000 --parallelism 1 --backend hashmap' ;;
      job-heap-oom) record_failure job-heap-oom 1 180 "$RESTART_TWICE" "$LOAD --parallelism 1 --huge-array-mb 1024" ;;
      direct-oom) record_failure direct-oom 1 240 "$RESTART_TWICE" "$LOAD --parallelism 1 --direct-mb-per-s 2" ;;
      metaspace-oom) record_failure metaspace-oom 1 300 "taskmanager.memory.jvm-metaspace.size: 96m
$RESTART_TWICE" "$LOAD --parallelism 1 --classes-per-s 400" ;;
      network-buffers) record_failure network-buffers 4 60 'taskmanager.memory.network.min: 1m
taskmanager.memory.network.max: 1m' "$LOAD --parallelism 8 --stages 4" ;;
      tm-killed) record_failure tm-killed 2 180 '' "$LOAD" kill-busy 90 ;;
      tm-idle-release) record_failure tm-idle-release 2 180 '' "$LOAD --parallelism 1" stop-idle 90 ;;
      job-cancel) record_failure job-cancel 2 180 '' "$LOAD" cancel 90 ;;
      *) echo "unknown recording: $n" >&2; exit 2 ;;
    esac
  done
done
