#!/usr/bin/env python3
"""Writes a git fast-import stream for the introducer benchmark: COMMITS commits over FILES files
(each commit rewrites or inserts a few lines of one file), a release tag every 500 commits and a
CODEOWNERS that is reorganised three times. Deterministic (seeded). Also writes a SARIF report of
FINDINGS results at random lines of the final tree.

usage: make-history.py STREAM_OUT SARIF_OUT [COMMITS FILES FINDINGS]
"""
import json
import random
import sys

stream_path, sarif_path = sys.argv[1], sys.argv[2]
commits = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
files = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
findings = int(sys.argv[5]) if len(sys.argv) > 5 else 10000
rng = random.Random(7)
authors = [(f"Dev {i}", f"dev{i}@example.gov") for i in range(40)]
paths = [f"services/svc{i % 50}/src/mod{i % 7}/file{i}.py" for i in range(files)]
content = {p: [f"value_{i} = compute({j}, '{p}')" for j in range(40)] for i, p in enumerate(paths)}
start = 1_700_000_000

out = open(stream_path, "w")
mark = 0


def blob(text):
    global mark
    mark += 1
    data = text.encode()
    out.write(f"blob\nmark :{mark}\ndata {len(data)}\n")
    out.write(text)
    out.write("\n")
    return mark


def codeowners(generation):
    teams = 10 + generation * 5
    lines = [f"/services/svc{s}/ @bench/team{(s * (generation + 1)) % teams}" for s in range(50)]
    return "\n".join(["* @bench/platform"] + lines) + "\n"


last_commit = None
for n in range(commits):
    changes = []
    if n == 0:
        for p in paths:
            changes.append((p, blob("\n".join(content[p]) + "\n")))
        changes.append(("CODEOWNERS", blob(codeowners(0))))
    else:
        p = paths[rng.randrange(files)]
        lines = content[p]
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.3:
                lines.insert(rng.randrange(len(lines) + 1), f"inserted_{n} = helper({rng.randrange(1000)})")
            else:
                lines[rng.randrange(len(lines))] = f"changed_{n} = update({rng.randrange(1000)})"
        changes.append((p, blob("\n".join(lines) + "\n")))
        if n in (commits // 4, commits // 2, 3 * commits // 4):
            changes.append(("CODEOWNERS", blob(codeowners(n * 4 // commits))))
    name, email = authors[n % len(authors)]
    when = start + n * 3600
    mark += 1
    message = f"change {n}"
    out.write(f"commit refs/heads/main\nmark :{mark}\n")
    out.write(f"author {name} <{email}> {when} +0000\ncommitter {name} <{email}> {when} +0000\n")
    out.write(f"data {len(message)}\n{message}\n")
    if last_commit:
        out.write(f"from :{last_commit}\n")
    for p, b in changes:
        out.write(f"M 100644 :{b} {p}\n")
    out.write("\n")
    last_commit = mark
    if n % 500 == 499:
        out.write(f"reset refs/tags/v{n // 500 + 1}.0\nfrom :{last_commit}\n\n")
out.close()

results = []
for i in range(findings):
    p = paths[rng.randrange(files)]
    line = rng.randrange(len(content[p])) + 1
    results.append({
        "ruleId": f"R{i % 40}",
        "message": {"text": f"finding {i}"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": p}, "region": {"startLine": line}}}],
        "partialFingerprints": {"primaryLocationLineHash": f"{i:016x}:1"},
    })
sarif = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "HistoryBench"}}, "results": results}]}
json.dump(sarif, open(sarif_path, "w"))
