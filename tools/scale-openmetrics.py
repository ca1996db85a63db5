#!/usr/bin/env python3
"""An hour of a large Flink cluster as Flink's PrometheusReporter would have exported it,
as OpenMetrics text for `promtool tsdb create-blocks-from openmetrics` (the load of
tools/bench-scale.sh).

  tools/scale-openmetrics.py --taskmanagers 1000 --end UNIX_S [--hours 1] [--every 30] > OUT.om

Every value is a real Flink 2.3.0 reading from the committed recordings (memlab's own metric
set, the TaskManager metrics its poll asks for): TaskManager i replays one of the two
TaskManagers of public/recordings/healthy.memlab.json, looping with its own phase; four of
them replay a TaskManager of heap-leak.memlab.json over the last hour's final minutes
(a leak, one reading per scrape); one holds its heap at 97 % of its maximum. Ids are new
(tm_id="bench_tm_0042"), as are the hosts.
"""
import argparse
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEAKERS = {137, 512, 733, 901}
HOT = 42


def tm_series(name):
    """Each TaskManager of a recording: its metrics (REST id -> value) per poll."""
    rec = json.load(open(os.path.join(ROOT, "public", "recordings", f"{name}.memlab.json")))
    out = {}
    jm = []
    for poll in rec["polls"]:
        for r in poll["responses"]:
            if r["status"] != 200 or "/metrics?get=" not in r["path"]:
                continue
            vals = {m["id"]: float(m["value"]) for m in json.loads(r["body"]) if _num(m["value"])}
            if r["path"].startswith("/taskmanagers/"):
                out.setdefault(r["path"].split("/")[2], []).append(vals)
            elif r["path"].startswith("/jobmanager/"):
                jm.append(vals)
    return list(out.values()), jm


def _num(v):
    try:
        float(v)
        return True
    except ValueError:
        return False


def prom(scope, metric_id):
    return f"flink_{scope}_{metric_id.replace('.', '_')}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--taskmanagers", type=int, default=1000)
    ap.add_argument("--end", type=int, required=True)
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--every", type=int, default=30)
    a = ap.parse_args()
    healthy, jm = tm_series("healthy")
    leak, _ = tm_series("heap-leak")
    points = int(a.hours * 3600 / a.every) + 1
    times = [a.end - (points - 1 - k) * a.every for k in range(points)]
    metrics = sorted({k for s in healthy for p in s for k in p})

    def value(i, k, m):
        if i in LEAKERS:
            s = leak[i % len(leak)]
            # The leak's readings end with the hour; before them, its first reading.
            j = max(0, k - (points - len(s)))
            return s[j].get(m)
        s = healthy[i % len(healthy)]
        v = s[(k + i * 7) % len(s)].get(m)
        if i == HOT and m == "Status.JVM.Memory.Heap.Used":
            v = 0.97 * max(p.get("Status.JVM.Memory.Heap.Max", 0) for p in s)
        return v

    w = sys.stdout.write
    for m in metrics:
        name = prom("taskmanager", m)
        w(f"# TYPE {name} gauge\n")
        for i in range(a.taskmanagers):
            labels = f'host="10_1_{i // 250}_{i % 250}",tm_id="bench_tm_{i:04}"'
            for k, t in enumerate(times):
                v = value(i, k, m)
                if v is not None:
                    w(f"{name}{{{labels}}} {v} {t}\n")
    for m in sorted({k for p in jm for k in p}):
        name = prom("jobmanager", m)
        w(f"# TYPE {name} gauge\n")
        for k, t in enumerate(times):
            v = jm[k % len(jm)].get(m)
            if v is not None:
                w(f"{name} {v} {t}\n")
    w("# TYPE flink_jobmanager_job_numRestarts gauge\n")
    for t in times:
        w(f'flink_jobmanager_job_numRestarts{{job_id="b3nchb3nchb3nchb3nchb3nchb3nch0",job_name="memlab_load"}} 0 {t}\n')
    w("# EOF\n")


if __name__ == "__main__":
    main()
