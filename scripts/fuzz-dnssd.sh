#!/usr/bin/env bash
# Fuzzes every DNS-SD paste parser (fuzz/fuzz_targets/dnssd_*.rs), each for RUNS executions,
# seeded with the captured tool outputs in crates/netlens-dnssd/tests/captures (and real/). Each target
# parses, checks, generates every form and reads the generated forms back (they must give the
# corrected record), so a wrong escape shows up as a crash, not only a panic in a parser.
#
#   scripts/fuzz-dnssd.sh [RUNS] [TARGET...]   default 1,000,000 runs, every dnssd_* target
#
# Needs nightly and cargo-fuzz (`cargo install cargo-fuzz`); not part of `make test`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS="${1:-1000000}"
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(dnssd_kv dnssd_hex dnssd_base64 dnssd_dns_sd dnssd_dns_sd_zone dnssd_avahi dnssd_avahi_rp dnssd_dig dnssd_zeroconf dnssd_mdns dnssd_names)
fi
cd fuzz
cargo +nightly fuzz build --sanitizer none
status=0
for target in "${TARGETS[@]}"; do
  corpus="corpus/$target"
  mkdir -p "$corpus"
  cp ../crates/netlens-dnssd/tests/captures/*.txt ../crates/netlens-dnssd/tests/captures/real/*.txt "$corpus/"
  # Binary seeds (mDNS responses for dnssd_mdns).
  if [ -d "seeds/$target" ]; then cp "seeds/$target"/* "$corpus/"; fi
  log="fuzz-$target.log"
  if cargo +nightly fuzz run --sanitizer none "$target" "$corpus" -- \
      -runs="$RUNS" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    echo "$target: $(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}') executions, no crash ($(grep -m1 -o 'cov: [0-9]*' "$log" | tail -1))"
  else
    status=1
    echo "$target: FAILED, see fuzz/$log"
  fi
done
exit $status
