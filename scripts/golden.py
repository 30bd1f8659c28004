#!/usr/bin/env python3
"""Snapshot what netlens reports, to prove a refactor changed nothing a user sees.

    python3 scripts/golden.py DIR        # writes DIR/*.json with the release CLI
    diff -r BEFORE AFTER                 # empty when nothing changed

Writes `netlens rules --json`, `netlens dnssd rules --json`, `netlens limbo` on x509-limbo, and
`netlens chain --json` (with `analyzed_at` removed) on every x509-limbo case (its chain, CRLs,
anchors, time and peer name, without the built-in roots) and on every testkit fixture (with the
built-in roots, at a fixed time, with and without Apple's CT log list). The limbo parts need
../shared/data/x509-limbo and are left out, with a note, when it is absent.
"""

import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.path.join(ROOT, os.environ.get("CARGO_TARGET_DIR", "target"))
BINARY = os.path.join(TARGET, "release", "netlens")
DATA = os.path.join(ROOT, "..", "shared", "data")
LIMBO = os.path.join(DATA, "x509-limbo", "limbo.json")
LOG_LIST = os.path.join(DATA, "apple-ct-log-list.json")
FIXTURES = os.path.join(ROOT, "crates", "netlens-testkit", "fixtures")
FIXED_TIME = "2026-06-01T00:00:00Z"


def run(args, stdin=None):
    done = subprocess.run([BINARY, *args], input=stdin, capture_output=True, timeout=120)
    return done.returncode, done.stdout


def without_time(raw):
    try:
        report = json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")
    report.pop("analyzed_at", None)
    return report


def limbo_case(case, tmp):
    def write(name, pems):
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write("".join(pems))
        return path

    chain = write("chain.pem", [case["peer_certificate"], *case["untrusted_intermediates"]])
    args = ["chain", chain, "--json", "--no-builtin-roots"]
    if case["crls"]:
        args.append(write("crls.pem", case["crls"]))
    if case["trusted_certs"]:
        args += ["--anchors", write("anchors.pem", case["trusted_certs"])]
    if case.get("validation_time"):
        args += ["--at", case["validation_time"]]
    name = case.get("expected_peer_name") or {}
    if name.get("kind") in ("DNS", "IP"):
        args += ["--host", name["value"]]
    status, out = run(args)
    # The case's files live in a temporary folder, whose name the report repeats.
    return {"status": status, "report": without_time(out.replace(tmp.encode(), b"CASE"))}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    if not os.path.exists(BINARY):
        sys.exit(f"golden.py: {BINARY} missing; run `cargo build --release --bin netlens`")
    os.makedirs(out_dir, exist_ok=True)

    def save(name, value):
        with open(os.path.join(out_dir, name), "w") as f:
            if isinstance(value, (bytes, bytearray)):
                f.write(value.decode())
            else:
                json.dump(value, f, indent=1, sort_keys=True, ensure_ascii=False)
                f.write("\n")

    save("rules.json", run(["rules", "--json"])[1])
    save("dnssd-rules.json", run(["dnssd", "rules", "--json"])[1])

    fixtures = {}
    for name in sorted(os.listdir(FIXTURES)):
        path = os.path.join(FIXTURES, name)
        variants = {"builtin": ["--at", FIXED_TIME, "--host", "demo.netlens.test"]}
        if os.path.exists(LOG_LIST):
            variants["log-list"] = variants["builtin"] + ["--ct-log-list", LOG_LIST]
        for variant, extra in variants.items():
            status, out = run(["chain", path, "--json", *extra])
            fixtures[f"{name} {variant}"] = {"status": status, "report": without_time(out)}
    save("fixtures.json", fixtures)

    if not os.path.exists(LIMBO):
        print(f"golden.py: {LIMBO} not found; the limbo snapshots are left out")
        return 0
    with open(LIMBO, "rb") as f:
        suite_bytes = f.read()
    save("limbo-results.json", run(["limbo"], stdin=suite_bytes)[1])
    cases = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in json.loads(suite_bytes)["testcases"]:
            cases[case["id"]] = limbo_case(case, tmp)
    save("limbo-chain.json", cases)
    print(f"golden.py: {len(cases)} limbo cases, {len(fixtures)} fixture runs in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
