#!/usr/bin/env python3
"""The verdict of tools/verify-tuning.sh on one case's files: reads the runs' figures (job
rate and TaskManager VmRSS, measured by the tool), the after-run's diagnosis and both
tunings' evidence, writes DIR/verify.json and prints each check. Exit 1 when one fails.

    verify-tuning-check.py DIR CASE JOB_ARGS RATE_BEFORE RATE_AFTER RSS_BEFORE_KIB RSS_AFTER_KIB HEADROOM
    verify-tuning-check.py --again DIR     (the figures from DIR/verify.json: checks re-run)
"""
import json
import sys

PARTS = ["frameworkHeap", "taskHeap", "frameworkOffHeap", "taskOffHeap", "network", "managed",
         "jvmMetaspace", "jvmOverhead"]


def total(m):
    return sum(m[k]["bytes"] for k in PARTS)


def main(argv):
    if argv[0] == "--again":
        d = argv[1]
        old = json.load(open(f"{d}/verify.json"))
        name, args = old["case"], old["job"].removeprefix("memlab.LoadJob ")
        rate_b, rate_a = old["before"]["ratePerS"], old["after"]["ratePerS"]
        rss_b, rss_a = old["before"]["rssKiB"], old["after"]["rssKiB"]
        headroom = old["headroom"]
    else:
        d, name, args = argv[0:3]
        rate_b, rate_a = float(argv[3]), float(argv[4])
        rss_b, rss_a = int(argv[5]), int(argv[6])
        headroom = float(argv[7])
    diag = json.load(open(f"{d}/after-diagnosis.json"))
    plan = json.load(open(f"{d}/before-tune.json"))["groups"][0]
    after = json.load(open(f"{d}/after-tune.json"))
    after_ev = after["groups"][0]["evidence"] if after.get("groups") else {}
    before_ev = plan["evidence"]
    heap = plan["after"]["frameworkHeap"]["bytes"] + plan["after"]["taskHeap"]["bytes"]
    live_after = after_ev.get("liveSet") or 0
    gc_after = after_ev.get("gcMedianMsPerS") or 0
    moved = [p for p in plan["parts"] if abs(p["after"] - p["before"]) >= 16 << 20]
    # The tuned processes are the TaskManagers: a JobManager check still pending (its heap
    # collects every few minutes) is reported, not counted.
    tm_pending = [p for p in diag["pending"] if p["subject"] != "jobmanager"]
    checks = {
        "no findings after": diag["findings"] == [],
        "no pending check on a TaskManager after": tm_pending == [],
        "same rate (within 5 %)": rate_a >= 0.95 * rate_b,
        "heap after GC within the planned headroom": 0 < live_after and live_after * (1 + headroom) <= heap,
        "GC time below gc-pressure (100 ms/s)": gc_after < 100,
        "a part moved by at least 16 MiB": bool(moved),
        "TaskManager resident memory lower": rss_a < rss_b,
    }
    out = {
        "case": name, "job": f"memlab.LoadJob {args}", "flink": "2.3.0", "taskmanagers": 2,
        "command": f"tools/verify-tuning.sh {name}", "headroom": headroom,
        "before": {"process": total(plan["before"]), "ratePerS": rate_b, "rssKiB": rss_b, "evidence": before_ev},
        "after": {"ratePerS": rate_a, "rssKiB": rss_a, "evidence": after_ev,
                  "findings": [f["kind"] for f in diag["findings"]],
                  "pending": [f"{p['kind']} [{p['subject']}]" for p in diag["pending"]]},
        "tuned": {"process": total(plan["after"]), "jvmHeap": heap, "parts": plan["parts"],
                  "savedPerTaskManager": plan["savedPerTaskManager"]},
        "checks": checks,
        "passed": all(checks.values()),
    }
    json.dump(out, open(f"{d}/verify.json", "w"), indent=2)
    print(f"{name}:")
    for k, v in checks.items():
        print(f"  {'✔' if v else '✘'} {k}")
    mib = 2 ** 20
    print(f"  process {total(plan['before']) / mib:.0f} → {total(plan['after']) / mib:.0f} MiB, "
          f"rate {rate_b} → {rate_a} records/s, RSS {rss_b // 1024} → {rss_a // 1024} MiB, "
          f"live set {before_ev.get('liveSet', 0) / mib:.1f} → {live_after / mib:.1f} MiB (heap {heap / mib:.0f} MiB), "
          f"GC {before_ev.get('gcMedianMsPerS')} → {gc_after} ms/s; pending after: {out['after']['pending']}")
    return 0 if out["passed"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
