#!/usr/bin/env bash
# A TaskManager started with a configuration `memlab tune` proposed (committed by
# tools/verify-tuning.sh in tests/fixtures/tuning/CASE/tuned.yaml) runs memlab's load job
# for 60 s without an exception, and reports the memory it was tuned to.
#
#   scripts/tuned-smoke.sh [CASE]     default: heap
source "$(dirname "$0")/lib.sh"

CASE="${1:-heap}"
TUNED="$ROOT/tests/fixtures/tuning/$CASE/tuned.yaml"
[[ -f "$TUNED" ]] || { echo "no $TUNED: run tools/verify-tuning.sh $CASE" >&2; exit 2; }
export MEMLAB_FLINK_PORT="${MEMLAB_SMOKE_PORT:-18095}"
export MEMLAB_CLUSTER_DIR="${MEMLAB_SMOKE_DIR:-$HOME/.cache/memlab/smoke-cluster}"
export MEMLAB_PROM_PORTS="${MEMLAB_SMOKE_PROM_PORTS:-19274-19280}"
REST="http://127.0.0.1:$MEMLAB_FLINK_PORT"
CLUSTER="$ROOT/scripts/flink-cluster.sh"
trap '"$CLUSTER" stop >/dev/null 2>&1 || true' EXIT

PROCESS=$(sed -n 's/^taskmanager\.memory\.process\.size: //p' "$TUNED")
CONF=$(grep -v -e '^#' -e '^taskmanager\.memory\.process\.size:' -e '^taskmanager\.numberOfTaskSlots:' "$TUNED")
"$CLUSTER" stop >/dev/null 2>&1 || true
MEMLAB_TM_PROCESS_SIZE="$PROCESS" MEMLAB_FLINK_CONF="$CONF" "$CLUSTER" start 1
"$CLUSTER" submit --keys 1000 --rate 5000 --backend hashmap >/dev/null
# The job's 60 s of running are the test itself: what it says at the end is checked.
started=$(date +%s)
while (( $(date +%s) - started < 60 )); do
  state=$(curl -sf "$REST/jobs/overview" | python3 -c 'import json,sys; j=json.load(sys.stdin)["jobs"]; print(j[0]["state"] if j else "NONE")')
  [[ "$state" == "FAILED" ]] && break
  sleep 5
done
python3 - "$REST" "$TUNED" <<'PY'
import json, sys, urllib.request
rest, tuned = sys.argv[1], sys.argv[2]
get = lambda p: json.load(urllib.request.urlopen(rest + p, timeout=5))
jobs = get("/jobs/overview")["jobs"]
assert jobs, "no job"
job = jobs[0]
exceptions = get(f"/jobs/{job['jid']}/exceptions")["exceptionHistory"]["entries"]
tm = get("/taskmanagers")["taskmanagers"][0]
mem = tm["memoryConfiguration"]
want = {}
for line in open(tuned):
    if ":" in line and not line.startswith("#"):
        k, v = line.split(":", 1)
        want[k.strip()] = v.strip()
def size(v):
    units = {"b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    v = v.lower()
    return int(v[:-1]) * units[v[-1]] if v[-1] in units else int(v)
problems = []
if job["state"] != "RUNNING":
    problems.append(f"the job is {job['state']}")
if exceptions:
    problems.append(f"{len(exceptions)} exception(s): {exceptions[0]['exceptionName']}")
if mem["totalProcessMemory"] != size(want["taskmanager.memory.process.size"]):
    problems.append(f"the TaskManager runs {mem['totalProcessMemory']} bytes, not the tuned {want['taskmanager.memory.process.size']}")
if mem["managedMemory"] != size(want["taskmanager.memory.managed.size"]):
    problems.append(f"managed memory {mem['managedMemory']}, not {want['taskmanager.memory.managed.size']}")
if problems:
    print("tuned smoke run failed: " + "; ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"tuned TaskManager ({want['taskmanager.memory.process.size']}) ran the load job 60 s: {job['state']}, no exceptions")
PY
