#!/usr/bin/env python3
"""Builds memlab's golden corpus of Flink memory derivations from Flink itself.

Each case is a config.yaml (nested or flat keys) plus optional `-D key=value` overrides,
run through Flink's own `BashJavaUtils GET_TM_RESOURCE_PARAMS` / `GET_JM_RESOURCE_PARAMS`.
The outcome — the two `BASH_JAVA_UTILS_EXEC_RESULT:` lines, or the exception's message — is
recorded in `<kind>-<version>.jsonl`; for an exception also every `Caused by:` of its chain
(`causes`, outermost first), as Flink prints them. The cases are generated deterministically (fixed seed).

Usage: generate.py FLINK_HOME [VERSION]     (FLINK_HOME holds bin/bash-java-utils.jar, lib/*.jar)
  2.3.0: pip download --no-deps apache-flink-libraries==2.3.0 (a wheel: FLINK_HOME = pyflink/)
  1.20.5: pip download --no-deps apache-flink-libraries==1.20.5 (an sdist: FLINK_HOME = deps/);
          1.x cases are written as legacy flink-conf.yaml files and cover the options removed in 2.0.
Not part of the test run: the committed .jsonl files are the test data.
"""
import json
import os
import random
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

FLINK_HOME = sys.argv[1]
VERSION = sys.argv[2] if len(sys.argv) > 2 else "2.3.0"
HERE = os.path.dirname(os.path.abspath(__file__))
CP = f"{FLINK_HOME}/bin/bash-java-utils.jar:{FLINK_HOME}/lib/*"
PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:"

SIZES = ["64m", "128m", "256m", "500m", "512m", "768m", "1g", "1024m", "1280m", "1536m", "1728m",
         "2g", "2560m", "3g", "4g", "6g", "8g", "12g", "16g", "32g", "64g", "1000000000b",
         "1234567k", "3333333333", "1 g", " 2048 MB ", "4096MiB", "1.5g", "abc", "-1g", "0",
         "100kb", "9223372036854775807b", "8388608t"]
SMALL = ["0", "16m", "32m", "64m", "100m", "128m", "192m", "256m", "300m", "512m", "1g", "2g"]
FRACTIONS = ["0", "0.0", "0.05", "0.1", "0.15", "0.2", "0.25", "0.3", "0.33", "0.4", "0.5",
             "0.6", "0.7", "0.75", "0.9", "0.99", "1", "1.0", "1.5", "-0.1", "x"]


def tm_cases(rng):
    cases = []
    add = lambda c, d=(): cases.append((dict(c), list(d)))
    # Each total alone.
    for s in SIZES:
        add({"taskmanager.memory.process.size": s})
        add({"taskmanager.memory.flink.size": s})
    # Fine-grained: task heap + managed, alone and with totals.
    for th in ["128m", "256m", "512m", "1g", "2g"]:
        for mg in ["0", "128m", "512m", "1g"]:
            add({"taskmanager.memory.task.heap.size": th, "taskmanager.memory.managed.size": mg})
            add({"taskmanager.memory.task.heap.size": th, "taskmanager.memory.managed.size": mg,
                 "taskmanager.memory.flink.size": rng.choice(["1g", "2g", "3g", "4g"])})
            add({"taskmanager.memory.task.heap.size": th, "taskmanager.memory.managed.size": mg,
                 "taskmanager.memory.process.size": rng.choice(["2g", "3g", "4g", "8g"])})
    # Only one fine-grained option: falls through to totals or fails.
    for th in ["256m", "1g"]:
        add({"taskmanager.memory.task.heap.size": th})
        add({"taskmanager.memory.task.heap.size": th, "taskmanager.memory.flink.size": "2g"})
        add({"taskmanager.memory.task.heap.size": th, "taskmanager.memory.process.size": "3g"})
        add({"taskmanager.memory.managed.size": th, "taskmanager.memory.flink.size": "2g"})
        add({"taskmanager.memory.managed.size": th, "taskmanager.memory.process.size": "3g"})
    add({})
    add({"taskmanager.numberOfTaskSlots": "4"})
    # Both totals.
    for p, f in [("2g", "1g"), ("2g", "1700m"), ("2g", "1800m"), ("3g", "2g"), ("1g", "2g"), ("4g", "3500m"), ("1728m", "1280m")]:
        add({"taskmanager.memory.process.size": p, "taskmanager.memory.flink.size": f})
        add({"taskmanager.memory.process.size": p, "taskmanager.memory.flink.size": f,
             "taskmanager.memory.jvm-overhead.fraction": "0.2"})
    # Fractions and ranges, randomly combined on top of a total.
    keys = {
        "taskmanager.memory.managed.fraction": FRACTIONS,
        "taskmanager.memory.network.fraction": FRACTIONS,
        "taskmanager.memory.network.min": SMALL,
        "taskmanager.memory.network.max": SMALL + ["4g", "9223372036854775807b"],
        "taskmanager.memory.jvm-overhead.fraction": FRACTIONS,
        "taskmanager.memory.jvm-overhead.min": SMALL,
        "taskmanager.memory.jvm-overhead.max": SMALL + ["4g"],
        "taskmanager.memory.jvm-metaspace.size": SMALL + ["1g"],
        "taskmanager.memory.framework.heap.size": SMALL,
        "taskmanager.memory.framework.off-heap.size": SMALL,
        "taskmanager.memory.task.off-heap.size": SMALL,
        "taskmanager.numberOfTaskSlots": ["1", "2", "3", "4", "8", "16"],
        "taskmanager.cpu.cores": ["1", "2.5", "4", "0.5"],
        # Deprecated keys still count.
        "taskmanager.network.memory.fraction": FRACTIONS,
        "taskmanager.network.memory.min": SMALL,
        "taskmanager.network.memory.max": SMALL + ["4g"],
        "taskmanager.memory.size": SMALL,
    }
    names = list(keys)
    for _ in range(240):
        c = {rng.choice(["taskmanager.memory.process.size", "taskmanager.memory.flink.size"]):
             rng.choice(["1g", "1728m", "2g", "3g", "4g", "8g", "16g"])}
        for k in rng.sample(names, rng.choice([1, 1, 2, 2, 3, 4])):
            c[k] = rng.choice(keys[k])
        if rng.random() < 0.15:
            c["taskmanager.memory.task.heap.size"] = rng.choice(["256m", "512m", "1g"])
        add(c)
    # Edge cases: every remaining error path and odd syntax.
    edge = [
        {"taskmanager.memory.process.size": "2g", "taskmanager.memory.flink.size": "1g",
         "taskmanager.memory.task.heap.size": "256m", "taskmanager.memory.managed.size": "256m"},
        {"taskmanager.memory.flink.size": "1g", "taskmanager.memory.task.heap.size": "256m",
         "taskmanager.memory.managed.size": "256m", "taskmanager.memory.network.max": "100m"},
        {"taskmanager.memory.flink.size": "1g", "taskmanager.memory.task.heap.size": "256m",
         "taskmanager.memory.managed.size": "256m", "taskmanager.memory.network.fraction": "0.3"},
        {"taskmanager.memory.flink.size": "1g", "taskmanager.memory.task.heap.size": "100m",
         "taskmanager.memory.network.min": "500m"},
        {"taskmanager.memory.flink.size": "1g", "taskmanager.memory.size": "300m"},
        {"taskmanager.memory.flink.size": "1g", "taskmanager.memory.managed.size": "300m", "taskmanager.memory.size": "100m"},
        {"taskmanager.memory.process.size": "1728m", "taskmanager.numberOfTaskSlots": "0"},
        {"taskmanager.memory.process.size": "1728m", "taskmanager.numberOfTaskSlots": "x"},
        {"taskmanager.memory.process.size": "1728m", "taskmanager.numberOfTaskSlots": " 4 "},
        {"taskmanager.memory.process.size": "1728m", "taskmanager.cpu.cores": "x"},
        {"taskmanager.memory.process.size": "1728m", "taskmanager.cpu.cores": "0"},
        {"taskmanager.memory.process.size": "1728m", "taskmanager.cpu.cores": "1e1"},
        {"taskmanager.memory.process.size": "1728m", "taskmanager.memory.framework.heap.size": "x"},
        {"taskmanager.memory.process.size": "1728m", "taskmanager.memory.jvm-metaspace.size": "2g"},
        {"taskmanager.memory.process.size": "1728 MEBIBYTES"},
        {"taskmanager.memory.process.size": "1728mB"},
        {"taskmanager.memory.process.size": "0b"},
        {"taskmanager.memory.process.size": "1 0m"},
        {"taskmanager.memory.process.size": "m"},
        {"taskmanager.memory.process.size": ""},
        {"taskmanager.memory.process.size": "1t"},
        {"taskmanager.memory.process.size": "9223372036854775807b"},
        {"taskmanager.memory.flink.size": "9223372036854775807b"},
        {"taskmanager.memory.process.size": "2g", "taskmanager.memory.managed.fraction": "0.999"},
        {"taskmanager.memory.process.size": "2g", "taskmanager.memory.network.fraction": "0.999"},
        {"taskmanager.memory.process.size": "2g", "taskmanager.memory.managed.fraction": "1e-1"},
        {"taskmanager.memory.process.size": "2g", "taskmanager.memory.jvm-overhead.fraction": " 0.2 "},
        {"taskmanager.memory.task.heap.size": "1g", "taskmanager.memory.managed.size": "1g",
         "taskmanager.memory.jvm-overhead.fraction": "0.5"},
        {"taskmanager.memory.task.heap.size": "1g", "taskmanager.memory.managed.size": "1g",
         "taskmanager.memory.network.fraction": "0.5"},
    ]
    for c in edge:
        add(c)
    # -D overrides on top of a file.
    for d in [["taskmanager.memory.process.size=4g"], ["taskmanager.memory.managed.fraction=0.1"],
              ["taskmanager.memory.network.max=256m", "taskmanager.numberOfTaskSlots=4"],
              ["taskmanager.memory.flink.size=1g"], ["taskmanager.memory.process.size=1.5g"]]:
        add({"taskmanager.memory.process.size": "2g"}, d)
    return cases


def jm_cases(rng):
    cases = []
    add = lambda c, d=(): cases.append((dict(c), list(d)))
    for s in SIZES:
        add({"jobmanager.memory.process.size": s})
        add({"jobmanager.memory.flink.size": s})
    for h in ["128m", "256m", "512m", "1g", "2g"]:
        add({"jobmanager.memory.heap.size": h})
        add({"jobmanager.memory.heap.size": h, "jobmanager.memory.flink.size": rng.choice(["1g", "2g"])})
        add({"jobmanager.memory.heap.size": h, "jobmanager.memory.process.size": rng.choice(["1g", "2g", "4g"])})
        add({"jobmanager.memory.heap.size": h, "jobmanager.memory.off-heap.size": "256m",
             "jobmanager.memory.flink.size": "1g"})
    add({})
    for p, f in [("2g", "1g"), ("2g", "1700m"), ("1600m", "1g"), ("1g", "2g")]:
        add({"jobmanager.memory.process.size": p, "jobmanager.memory.flink.size": f})
    keys = {
        "jobmanager.memory.off-heap.size": SMALL,
        "jobmanager.memory.jvm-metaspace.size": SMALL,
        "jobmanager.memory.jvm-overhead.fraction": FRACTIONS,
        "jobmanager.memory.jvm-overhead.min": SMALL,
        "jobmanager.memory.jvm-overhead.max": SMALL + ["4g"],
        "jobmanager.memory.enable-jvm-direct-memory-limit": ["true", "false"],
    }
    for _ in range(70):
        c = {rng.choice(["jobmanager.memory.process.size", "jobmanager.memory.flink.size"]):
             rng.choice(["512m", "1g", "1600m", "2g", "4g"])}
        for k in rng.sample(list(keys), rng.choice([1, 2, 3])):
            c[k] = rng.choice(keys[k])
        add(c)
    add({"jobmanager.memory.process.size": "2g"}, ["jobmanager.memory.heap.size=1g"])
    for c in [
        {"jobmanager.memory.heap.size": "2g", "jobmanager.memory.flink.size": "1g"},
        {"jobmanager.memory.heap.size": "1g", "jobmanager.memory.flink.size": "1g", "jobmanager.memory.off-heap.size": "0"},
        {"jobmanager.memory.flink.size": "128m"},
        {"jobmanager.memory.process.size": "1600m", "jobmanager.memory.enable-jvm-direct-memory-limit": "maybe"},
        {"jobmanager.memory.process.size": "1600m", "jobmanager.memory.enable-jvm-direct-memory-limit": "TRUE"},
        {"jobmanager.memory.process.size": "1600m", "jobmanager.memory.off-heap.size": "x"},
        {"jobmanager.memory.process.size": "1600m", "jobmanager.memory.heap.size": "x"},
        {"jobmanager.memory.process.size": "1600m", "jobmanager.memory.jvm-overhead.min": "x"},
        {"jobmanager.memory.process.size": "9223372036854775807b"},
        {"jobmanager.memory.flink.size": "1g", "jobmanager.memory.process.size": "1600m",
         "jobmanager.memory.jvm-overhead.fraction": "0.3"},
    ]:
        add(c)
    return cases


def tm_legacy_cases(rng):
    """Flink 1.x: flink-conf.yaml with the options removed in 2.0."""
    cases = []
    add = lambda c, d=(): cases.append((dict(c), list(d)))
    for h in ["512m", "1g", "1024m", "2g", "4g", "x", "0", "1.5g"]:
        add({"taskmanager.heap.size": h})
        add({"taskmanager.heap.size": h, "taskmanager.memory.managed.fraction": "0.2"})
    for mb in ["1024", "2048", "-1", "x", "0"]:
        add({"taskmanager.heap.mb": mb})
    add({"taskmanager.heap.size": "1g", "taskmanager.heap.mb": "4096"})
    add({"taskmanager.heap.size": "1g", "taskmanager.memory.flink.size": "2g"})
    add({"taskmanager.heap.size": "1g", "taskmanager.memory.process.size": "3g"})
    add({"taskmanager.heap.size": "1g", "taskmanager.memory.task.heap.size": "256m", "taskmanager.memory.managed.size": "256m"})
    for n in ["1024", "2048", "4096", "8192", "100000", "x", "-1"]:
        add({"taskmanager.memory.process.size": "2g", "taskmanager.network.numberOfBuffers": n})
        add({"taskmanager.memory.flink.size": "2g", "taskmanager.network.numberOfBuffers": n,
             "taskmanager.memory.task.heap.size": "512m"})
    for seg in ["16kb", "64kb", "1kb", "33kb", "x"]:
        add({"taskmanager.memory.process.size": "2g", "taskmanager.network.numberOfBuffers": "2048",
             "taskmanager.memory.segment-size": seg})
    add({"taskmanager.memory.process.size": "2g", "taskmanager.network.numberOfBuffers": "2048",
         "taskmanager.memory.network.fraction": "0.2"})
    add({"taskmanager.memory.task.heap.size": "512m", "taskmanager.memory.managed.size": "512m",
         "taskmanager.network.numberOfBuffers": "4096"})
    add({"taskmanager.memory.task.heap.size": "512m", "taskmanager.memory.managed.size": "512m",
         "taskmanager.network.numberOfBuffers": "4096", "taskmanager.memory.flink.size": "1280m"})
    add({"taskmanager.memory.task.heap.size": "512m", "taskmanager.memory.managed.size": "512m",
         "taskmanager.network.numberOfBuffers": "4096", "taskmanager.memory.flink.size": "2g"})
    # A sample of the ordinary cases: 1.20 and 2.x must agree on them.
    ordinary = tm_cases(rng)
    cases += rng.sample(ordinary, 70)
    return cases


def jm_legacy_cases(rng):
    cases = []
    add = lambda c, d=(): cases.append((dict(c), list(d)))
    for h in ["512m", "1g", "2g", "x", "0"]:
        add({"jobmanager.heap.size": h})
        add({"jobmanager.heap.size": h, "jobmanager.memory.flink.size": "2g"})
    for mb in ["1024", "-5", "x"]:
        add({"jobmanager.heap.mb": mb})
    add({"jobmanager.heap.size": "1g", "jobmanager.memory.heap.size": "512m"})
    add({"jobmanager.heap.size": "1g", "jobmanager.memory.process.size": "2g"})
    cases += rng.sample(jm_cases(rng), 30)
    return cases


def to_yaml(config, nested):
    if not nested:
        return "".join(f"{k}: {json.dumps(v)}\n" for k, v in config.items())
    tree = {}
    for k, v in config.items():
        parts = k.split(".")
        # Nest at the first two levels only (e.g. taskmanager: memory: process.size: ...),
        # the way people write Flink 2.x config.yaml files.
        head, rest = parts[:2], ".".join(parts[2:])
        node = tree
        for p in head[:-1]:
            node = node.setdefault(p, {})
        if rest:
            node = node.setdefault(head[-1], {})
            node[rest] = v
        else:
            node[head[-1]] = v
    out = []

    def emit(node, indent):
        for k, v in node.items():
            if isinstance(v, dict):
                out.append(" " * indent + f"{k}:")
                emit(v, indent + 2)
            else:
                out.append(" " * indent + f"{k}: {json.dumps(v)}")
    emit(tree, 0)
    return "\n".join(out) + "\n"


LEGACY = VERSION.startswith("1.")


def run(kind, idx, config, dynamic, nested):
    # Flink 1.x reads the legacy flink-conf.yaml: `key: value` lines, values unquoted.
    text = "".join(f"{k}: {v}\n" for k, v in config.items()) if LEGACY else to_yaml(config, nested)
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "flink-conf.yaml" if LEGACY else "config.yaml"), "w") as f:
            f.write(text)
        cmd = ["java", "-cp", CP, "org.apache.flink.runtime.util.bash.BashJavaUtils",
               "GET_TM_RESOURCE_PARAMS" if kind == "tm" else "GET_JM_RESOURCE_PARAMS", "--configDir", d]
        for kv in dynamic:
            cmd += ["-D", kv]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    lines = [l[len(PREFIX):] for l in p.stdout.splitlines() if l.startswith(PREFIX)]
    rec = {"id": f"{kind}-{idx:03d}", "config": text, "dynamic": dynamic,
           "file": "flink-conf.yaml" if LEGACY else "config.yaml"}
    if p.returncode == 0 and len(lines) >= 2:
        rec.update(ok=True, jvmArgs=lines[-2], dynamicProperties=lines[-1])
    else:
        marker = "Exception in thread \"main\" "
        err = next((l for l in (p.stderr + p.stdout).splitlines() if l.startswith(marker)), None)
        if err is None:
            raise SystemExit(f"{rec['id']}: no result and no exception:\n{p.stdout}\n{p.stderr}")
        cls, _, msg = err[len(marker):].partition(": ")
        # Java prints the chain after the trace: "Caused by: CLASS: MESSAGE", outermost first.
        causes = []
        for l in (p.stderr + p.stdout).splitlines():
            if l.startswith("Caused by: "):
                c_cls, _, c_msg = l[len("Caused by: "):].partition(": ")
                causes.append({"exception": c_cls, "message": c_msg})
        rec.update(ok=False, exception=cls, error=msg, causes=causes)
    return rec


def main():
    rng = random.Random(20261125)
    gens = [("tm", tm_legacy_cases), ("jm", jm_legacy_cases)] if LEGACY else [("tm", tm_cases), ("jm", jm_cases)]
    for kind, gen in gens:
        cases = gen(rng)
        jobs = [(kind, i, c, d, i % 3 == 1) for i, (c, d) in enumerate(cases)]
        with ThreadPoolExecutor(max_workers=3) as pool:
            recs = list(pool.map(lambda j: run(*j), jobs))
        path = os.path.join(HERE, f"{kind}-{VERSION}.jsonl")
        with open(path, "w") as f:
            for r in recs:
                f.write(json.dumps(r, sort_keys=True) + "\n")
        ok = sum(r["ok"] for r in recs)
        print(f"{path}: {len(recs)} cases, {ok} valid, {len(recs) - ok} errors")


if __name__ == "__main__":
    main()
