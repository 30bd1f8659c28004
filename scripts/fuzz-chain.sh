#!/usr/bin/env bash
# Fuzzes the chain analysis (fuzz/fuzz_targets/chain.rs) from a seed corpus of real chains:
# the demo fixtures, each with every option combination worth starting from, and, when
# ../shared/data is present, the x509-limbo cases (chain, then `%%ANCHORS%%`, then anchors).
#
#   scripts/fuzz-chain.sh [RUNS]     default 1,000,000 executions
#
# Needs nightly and cargo-fuzz (`cargo install cargo-fuzz`); not part of `make test`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS="${1:-1000000}"
CORPUS=fuzz/corpus/chain
mkdir -p "$CORPUS"
python3 - "$CORPUS" <<'PY'
import json, os, sys
corpus = sys.argv[1]
fixtures = "crates/netlens-testkit/fixtures"
pem = open(os.path.join(fixtures, "demo-chain.pem"), "rb").read()
blocks = [b + b"-----END CERTIFICATE-----\n" for b in pem.split(b"-----END CERTIFICATE-----\n") if b.strip()]
seeds = {
    "complete": blocks[0] + blocks[1] + b"%%ANCHORS%%" + blocks[2],
    "missing-intermediate": blocks[0] + b"%%ANCHORS%%" + blocks[2],
    "wrong-order": blocks[1] + blocks[2] + blocks[0] + b"%%ANCHORS%%" + blocks[2],
    "der-leaf": open(os.path.join(fixtures, "demo-leaf.der"), "rb").read()
    + b"%%ANCHORS%%" + open(os.path.join(fixtures, "demo-root.der"), "rb").read(),
    "p7b": open(os.path.join(fixtures, "demo-chain.p7b"), "rb").read(),
}
for name, body in seeds.items():
    for flags in (0x00, 0x04, 0x45, 0x8C, 0x37):
        open(os.path.join(corpus, f"{name}-{flags:02x}"), "wb").write(bytes([flags]) + body)
limbo = os.path.join("..", "shared", "data", "x509-limbo", "limbo.json")
if os.path.exists(limbo):
    for case in json.load(open(limbo))["testcases"]:
        chain = (case["peer_certificate"] + "".join(case["untrusted_intermediates"])).encode()
        anchors = "".join(case["trusted_certs"]).encode()
        safe = case["id"].replace("/", "_").replace(":", "_")
        open(os.path.join(corpus, f"limbo-{safe}"), "wb").write(b"\x04" + chain + b"%%ANCHORS%%" + anchors)
print(f"{len(os.listdir(corpus))} seeds in {corpus}")
PY
cd fuzz
# One process, so that -runs counts every execution; -max_len covers a real chain with anchors.
# No sanitizer: the crates forbid unsafe code, and a panic or a hang is what we look for.
exec cargo +nightly fuzz run --sanitizer none chain "corpus/chain" -- \
  -runs="$RUNS" -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
