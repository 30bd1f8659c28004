#!/usr/bin/env python3
"""`make limbo`: run netlens' x509-limbo harness and compare it with the peers.

Runs `netlens limbo` on ../shared/data/x509-limbo/limbo.json, writes the results to
target/limbo-results.json, prints `pass N, too lenient N, too strict N, skipped N` for netlens and
for every peer in ../shared/data/x509-limbo/peer-results/, then every netlens result that differs
from the expectation and every skip with its reason.

Exit status 1 when netlens misses the goals (more passes than every peer, 0 too strict, at most 3
too lenient, a reason for every skip); 0 with a SKIPPED line when the suite is not there.
"""

import collections
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data", "x509-limbo")
SUITE = os.path.join(DATA, "limbo.json")
PEERS = os.path.join(DATA, "peer-results")
# Where cargo builds: CARGO_TARGET_DIR when set (relative to the root), else target/.
TARGET = os.path.join(ROOT, os.environ.get("CARGO_TARGET_DIR", "target"))
BINARY = os.path.join(TARGET, "release", "netlens")
OUT = os.path.join(TARGET, "limbo-results.json")


def score(expected, results):
    counts = collections.Counter()
    for case_id, want in expected.items():
        got = results.get(case_id, {}).get("actual_result", "SKIPPED")
        if got == "SKIPPED":
            counts["skipped"] += 1
        elif got == want:
            counts["pass"] += 1
        elif got == "SUCCESS":
            counts["too lenient"] += 1
        else:
            counts["too strict"] += 1
    return counts


def line(name, c):
    return (
        f"{name:<28} pass {c['pass']:>3}, too lenient {c['too lenient']:>2}, "
        f"too strict {c['too strict']:>2}, skipped {c['skipped']:>2}"
    )


def main():
    if not os.path.exists(SUITE):
        print(f"SKIPPED: {SUITE} not found (../shared/data is optional)")
        return 0
    if not os.path.exists(BINARY):
        sys.exit(f"limbo.py: {BINARY} missing; build it with `cargo build --release --bin netlens`")
    with open(SUITE, "rb") as f:
        suite_bytes = f.read()
    run = subprocess.run([BINARY, "limbo"], input=suite_bytes, capture_output=True)
    if run.returncode != 0:
        sys.exit(f"netlens limbo failed: {run.stderr.decode()}")
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "wb") as f:
        f.write(run.stdout)
    ours = {r["id"]: r for r in json.loads(run.stdout)["results"]}
    cases = {t["id"]: t for t in json.loads(suite_bytes)["testcases"]}
    expected = {i: t["expected_result"] for i, t in cases.items()}

    ours_score = score(expected, ours)
    peers = {}
    for name in sorted(os.listdir(PEERS)) if os.path.isdir(PEERS) else []:
        with open(os.path.join(PEERS, name)) as f:
            data = json.load(f)
        peers[data.get("harness", name)] = score(expected, {r["id"]: r for r in data["results"]})

    print(f"x509-limbo: {len(cases)} testcases, rfc5280 profile\n")
    print(line("netlens", ours_score))
    for name, c in peers.items():
        print(line(name, c))

    wrong = [
        (i, r) for i, r in ours.items()
        if r["actual_result"] not in ("SKIPPED", expected[i])
    ]
    if wrong:
        print("\nnetlens results that differ from the expectation:")
        for i, r in sorted(wrong):
            print(f"  {i} expected {expected[i]}, got {r['actual_result']}: {r['context'][:160]}")
    skips = sorted((i, r) for i, r in ours.items() if r["actual_result"] == "SKIPPED")
    if skips:
        print("\nSkipped:")
        for i, r in skips:
            print(f"  {i}: {r['context']}")

    best_peer = max((c["pass"] for c in peers.values()), default=0)
    goals = {
        f"more passes than every peer (> {best_peer})": ours_score["pass"] > best_peer,
        "0 too strict": ours_score["too strict"] == 0,
        "at most 3 too lenient": ours_score["too lenient"] <= 3,
        "a reason for every skip": all(r["context"] for _, r in skips),
    }
    print("\nGoals: " + "; ".join(f"{g}: {'met' if ok else 'MISSED'}" for g, ok in goals.items()))
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
