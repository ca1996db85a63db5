#!/usr/bin/env python3
"""Scales a real recording up, for measurements that a 2-core machine cannot run for real.

  tools/replicate.py IN OUT --taskmanagers 64     every poll's TaskManagers copied (new ids,
                                                  same bodies) until there are 64
  tools/replicate.py IN OUT --megabytes 50        polls repeated (times shifted) until the
                                                  file is about 50 MB
  --polls N                                       keep only the last N polls
  --hot K                                         the K-th copy's heap at 97 % of its maximum

The copies keep Flink's real response bodies; only ids and times change.
"""
import argparse
import copy
import json


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("inp")
    ap.add_argument("out")
    ap.add_argument("--taskmanagers", type=int)
    ap.add_argument("--megabytes", type=float)
    ap.add_argument("--polls", type=int)
    ap.add_argument("--hot", type=int)
    a = ap.parse_args()
    rec = json.load(open(a.inp))
    if a.polls:
        rec["polls"] = rec["polls"][-a.polls:]
    if a.taskmanagers:
        for poll in rec["polls"]:
            tm_list = next(r for r in poll["responses"] if r["path"] == "/taskmanagers")
            listing = json.loads(tm_list["body"])
            originals = list(listing["taskmanagers"])
            per_tm = {tm["id"]: [r for r in poll["responses"] if r["path"].startswith(f"/taskmanagers/{tm['id']}")] for tm in originals}
            k = 0
            while len(listing["taskmanagers"]) < a.taskmanagers:
                src = originals[k % len(originals)]
                new_id = f"{src['id']}-copy{k}"
                clone = dict(src, id=new_id)
                listing["taskmanagers"].append(clone)
                for r in per_tm[src["id"]]:
                    r2 = copy.deepcopy(r)
                    r2["path"] = r2["path"].replace(src["id"], new_id, 1)
                    if r2["path"] == f"/taskmanagers/{new_id}":
                        body = json.loads(r2["body"])
                        body["id"] = new_id
                        r2["body"] = json.dumps(body)
                    elif k == a.hot and "/metrics?" in r2["path"] and r2["status"] == 200:
                        ms = json.loads(r2["body"])
                        cap = next((float(m["value"]) for m in ms if m["id"] == "Status.JVM.Memory.Heap.Max"), None)
                        for m in ms:
                            if cap and m["id"] == "Status.JVM.Memory.Heap.Used":
                                m["value"] = str(int(cap * 0.97))
                        r2["body"] = json.dumps(ms)
                    poll["responses"].append(r2)
                k += 1
            tm_list["body"] = json.dumps(listing)
    if a.megabytes:
        base = rec["polls"]
        span = base[-1]["t"] - base[0]["t"] + 5000
        out, i = [], 0
        while len(json.dumps(base)) * (i + 1) < a.megabytes * 1e6:
            i += 1
        for j in range(i):
            for p in base:
                q = copy.deepcopy(p)
                q["t"] += j * span
                for r in q["responses"]:
                    r["t"] += j * span
                out.append(q)
        rec["polls"] = out
    with open(a.out, "w") as f:
        json.dump(rec, f, separators=(",", ":"))
    print(f"{a.out}: {len(rec['polls'])} polls")


if __name__ == "__main__":
    main()
