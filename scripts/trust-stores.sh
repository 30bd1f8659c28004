#!/usr/bin/env bash
# Refreshes the compiled-in trust stores (crates/netlens-roots/src/generated.rs) and Apple's CT
# log list (crates/netlens-roots/data/apple-ct-logs.bin) from upstream, or checks that the
# committed files are what upstream gives.
#
#   scripts/trust-stores.sh [--check] [DIR]
#
# DIR (default: target/trust-upstream) receives the three sources, fetched when missing:
#   DIR/security_certificates  git clone of apple-oss-distributions/security_certificates
#                              (full history: it dates Apple's removals)
#   DIR/nss                    git clone of nss-dev/nss (lib/ckfw/builtins/certdata.txt)
#   DIR/chromium-roots         the newest chromium-roots crate from crates.io, unpacked, with its
#                              publication date in DIR/chromium-roots.date
# Point DIR at existing clones to use them (pull them first for a refresh). Then run
#   NETLENS_TRUST_UPSTREAM=DIR cargo test -p netlens-roots-gen
# to have the tests compare the committed tables with upstream. See DEVELOPERS.md, "Trust stores".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$NETLENS_ROOT"

MODE=--out
if [ "${1:-}" = --check ]; then
  MODE=--check
  shift
fi
DIR="${1:-target/trust-upstream}"
mkdir -p "$DIR"

if [ ! -e "$DIR/security_certificates" ]; then
  git clone --quiet https://github.com/apple-oss-distributions/security_certificates "$DIR/security_certificates"
fi
if [ ! -e "$DIR/nss" ]; then
  git clone --quiet https://github.com/nss-dev/nss "$DIR/nss"
fi
if [ ! -e "$DIR/chromium-roots" ]; then
  # The crates.io sparse index lists every version with its publication time; the newest wins.
  read -r version date < <(curl -sSf https://index.crates.io/ch/ro/chromium-roots | python3 -c '
import json, sys
last = [json.loads(l) for l in sys.stdin if l.strip()][-1]
print(last["vers"], last["pubtime"][:10])')
  curl -sSf "https://static.crates.io/crates/chromium-roots/chromium-roots-$version.crate" | tar -xz -C "$DIR"
  mv "$DIR/chromium-roots-$version" "$DIR/chromium-roots"
  echo "$date" > "$DIR/chromium-roots.date"
fi

target=crates/netlens-roots/src/generated.rs
cargo run -q --locked -p netlens-roots-gen -- \
  --apple "$DIR/security_certificates" \
  --nss "$DIR/nss" \
  --chrome "$DIR/chromium-roots" \
  --chrome-date "$(cat "$DIR/chromium-roots.date")" \
  "$MODE" "$target"
