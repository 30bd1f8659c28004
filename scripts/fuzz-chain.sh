#!/usr/bin/env bash
# Fuzzes the chain analysis (fuzz/fuzz_targets/chain.rs) from a seed corpus of real chains:
# the demo fixtures, each with every option combination worth starting from, and, when
# ../shared/data is present, the x509-limbo cases (chain, then `%%ANCHORS%%`, then anchors).
#
#   scripts/fuzz-chain.sh [RUNS]     default 1,000,000 executions in all, over JOBS (default 2)
#                                    parallel jobs; prints the executions each job made
#
# Needs nightly and cargo-fuzz (`cargo install cargo-fuzz`); not part of `make test`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS="${1:-1000000}"
JOBS="${JOBS:-2}"
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
# No sanitizer: the crates forbid unsafe code, and a panic or a hang is what we look for.
# -max_len covers a real chain with its anchors; a 10 s timeout flags a runaway search.
cargo +nightly fuzz build --sanitizer none chain
rm -f fuzz-*.log
status=0
cargo +nightly fuzz run --sanitizer none chain "corpus/chain" -- \
  -runs=$((RUNS / JOBS)) -jobs="$JOBS" -workers="$JOBS" -max_len=16384 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 || status=$?
total=0
for log in fuzz-*.log; do
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  echo "$log: ${runs:-0} executions$(grep -q 'ERROR\|panicked\|deadly signal\|timeout' "$log" && echo ', FAILURE (see the log and fuzz/artifacts/chain)')"
  total=$((total + ${runs:-0}))
done
echo "chain fuzzing: $total executions in all, exit status $status"
exit "$status"
