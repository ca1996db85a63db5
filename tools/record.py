#!/usr/bin/env python3
"""Records a Flink cluster's REST API into a memlab recording (`.memlab.json`, version 1).

Every INTERVAL seconds, for DURATION seconds, one poll fetches (one request after another,
never overlapping) the cluster overview, the TaskManager list, each TaskManager's details
and memory metrics, the JobManager's memory metrics and configuration, and the job list. Each response is kept
raw — path, HTTP status and body text — with the time it was received, so detectors written
later still work on old recordings. A failed request is kept too (status 0, the error).

Usage: tools/record.py URL OUT.memlab.json [--interval 5] [--duration 300]

Format:
  {"format": "memlab-recording", "version": 1,
   "source": {"url": ..., "recorder": "tools/record.py"},
   "startedAt": <ms since epoch>,
   "polls": [{"t": <ms>, "responses": [{"path": ..., "status": 200, "body": "<raw text>", "t": <ms>}]}]}
"""
import argparse
import json
import time
import urllib.error
import urllib.request

TM_METRICS = [
    "Status.JVM.Memory.Heap.Used", "Status.JVM.Memory.Heap.Committed", "Status.JVM.Memory.Heap.Max",
    "Status.JVM.Memory.NonHeap.Used", "Status.JVM.Memory.NonHeap.Committed",
    "Status.JVM.Memory.Metaspace.Used", "Status.JVM.Memory.Metaspace.Committed", "Status.JVM.Memory.Metaspace.Max",
    "Status.JVM.Memory.Direct.MemoryUsed", "Status.JVM.Memory.Direct.TotalCapacity", "Status.JVM.Memory.Direct.Count",
    "Status.JVM.Memory.Mapped.MemoryUsed", "Status.JVM.Memory.Mapped.TotalCapacity",
    "Status.Flink.Memory.Managed.Used", "Status.Flink.Memory.Managed.Total",
    "Status.Shuffle.Netty.UsedMemorySegments", "Status.Shuffle.Netty.TotalMemorySegments",
    "Status.Shuffle.Netty.AvailableMemorySegments", "Status.Shuffle.Netty.UsedMemory", "Status.Shuffle.Netty.TotalMemory",
    "Status.JVM.GarbageCollector.All.Count", "Status.JVM.GarbageCollector.All.Time",
    "Status.JVM.GarbageCollector.All.TimeMsPerSecond",
    "Status.JVM.GarbageCollector.G1_Young_Generation.Count", "Status.JVM.GarbageCollector.G1_Young_Generation.TimeMsPerSecond",
    "Status.JVM.GarbageCollector.G1_Old_Generation.Count", "Status.JVM.GarbageCollector.G1_Old_Generation.TimeMsPerSecond",
    "Status.JVM.CPU.Load", "Status.JVM.Threads.Count", "Status.JVM.ClassLoader.ClassesLoaded",
]
JM_METRICS = [
    "Status.JVM.Memory.Heap.Used", "Status.JVM.Memory.Heap.Committed", "Status.JVM.Memory.Heap.Max",
    "Status.JVM.Memory.NonHeap.Used", "Status.JVM.Memory.NonHeap.Committed",
    "Status.JVM.Memory.Metaspace.Used", "Status.JVM.Memory.Metaspace.Committed", "Status.JVM.Memory.Metaspace.Max",
    "Status.JVM.Memory.Direct.MemoryUsed", "Status.JVM.Memory.Direct.TotalCapacity", "Status.JVM.Memory.Direct.Count",
    "Status.JVM.Memory.Mapped.MemoryUsed", "Status.JVM.Memory.Mapped.TotalCapacity",
    "Status.JVM.GarbageCollector.All.Count", "Status.JVM.GarbageCollector.All.Time",
    "Status.JVM.GarbageCollector.All.TimeMsPerSecond",
    "Status.JVM.GarbageCollector.G1_Young_Generation.Count", "Status.JVM.GarbageCollector.G1_Young_Generation.TimeMsPerSecond",
    "Status.JVM.GarbageCollector.G1_Old_Generation.Count", "Status.JVM.GarbageCollector.G1_Old_Generation.TimeMsPerSecond",
    "Status.JVM.CPU.Load", "Status.JVM.Threads.Count", "Status.JVM.ClassLoader.ClassesLoaded",
]


def now_ms():
    return int(time.time() * 1000)


def fetch(base, path, timeout=5):
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as r:
            return {"path": path, "status": r.status, "body": r.read().decode("utf-8", "replace"), "t": now_ms()}
    except urllib.error.HTTPError as e:
        return {"path": path, "status": e.code, "body": e.read().decode("utf-8", "replace"), "t": now_ms()}
    except Exception as e:  # refused, timeout, DNS: the cluster is unreachable
        return {"path": path, "status": 0, "body": f"{type(e).__name__}: {e}", "t": now_ms()}


def poll(base):
    out = [fetch(base, "/overview"), fetch(base, "/taskmanagers")]
    tms = []
    if out[1]["status"] == 200:
        tms = [tm["id"] for tm in json.loads(out[1]["body"]).get("taskmanagers", [])]
    for tm in tms:
        out.append(fetch(base, f"/taskmanagers/{tm}"))
        out.append(fetch(base, f"/taskmanagers/{tm}/metrics?get=" + ",".join(TM_METRICS)))
    out.append(fetch(base, "/jobmanager/metrics?get=" + ",".join(JM_METRICS)))
    out.append(fetch(base, "/jobmanager/config"))
    out.append(fetch(base, "/jobs/overview"))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("out")
    ap.add_argument("--interval", type=float, default=5.0)
    ap.add_argument("--duration", type=float, default=300.0)
    a = ap.parse_args()
    base = a.url.rstrip("/")
    rec = {"format": "memlab-recording", "version": 1,
           "source": {"url": base, "recorder": "tools/record.py"}, "startedAt": now_ms(), "polls": []}
    end = time.time() + a.duration
    while True:
        t0 = time.time()
        rec["polls"].append({"t": now_ms(), "responses": poll(base)})
        with open(a.out, "w") as f:  # rewritten after each poll: a cut-off run still leaves a valid file
            json.dump(rec, f, separators=(",", ":"))
        if time.time() >= end:
            break
        time.sleep(max(0.0, a.interval - (time.time() - t0)))
    print(f"{a.out}: {len(rec['polls'])} polls over {a.duration:.0f} s")


if __name__ == "__main__":
    main()
