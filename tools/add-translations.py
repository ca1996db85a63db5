#!/usr/bin/env python3
"""Merge keys into locales/en.json and locales/zh.json.
Input (stdin): lines `dotted.key<TAB>English<TAB>中文`; blank lines and # comments skipped."""
import json, sys, collections
def load(p):
    return json.load(open(p), object_pairs_hook=collections.OrderedDict)
en, zh = load('locales/en.json'), load('locales/zh.json')
def put(d, key, v):
    parts = key.split('.')
    for p in parts[:-1]:
        d = d.setdefault(p, collections.OrderedDict())
    if parts[-1] in d and d[parts[-1]] != v:
        print(f"changed {key}: {d[parts[-1]]!r} -> {v!r}", file=sys.stderr)
    d[parts[-1]] = v
for line in sys.stdin:
    line = line.rstrip('\n')
    if not line.strip() or line.lstrip().startswith('#'):
        continue
    k, e, z = line.split('\t')
    put(en, k, e); put(zh, k, z)
for p, d in (('locales/en.json', en), ('locales/zh.json', zh)):
    with open(p, 'w') as f:
        json.dump(d, f, ensure_ascii=False, indent=2); f.write('\n')
