#!/usr/bin/env bash
# `make test`: every check, in the order a failure is cheapest to find, ending in one line.
#   fmt · clippy (native and wasm32) · native cargo test · real DNS-SD daemons in network
#   namespaces · wasm-bindgen-test in headless Chromium
#   · release build · browser floor · echo server build · the end-to-end suite against dist/ (and
#   the echo server on 127.0.0.1) in Chromium, then in WebKit
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$NETLENS_ROOT"

LOGS="$(mktemp -d)"
WASM_TMP="$(mktemp -d)"
# Every log is also printed as it runs.
trap 'rm -rf "$LOGS" "$WASM_TMP"' EXIT
# A whole run gains nothing from incremental compilation, which would add a gigabyte to target/.
export CARGO_INCREMENTAL=0
START=$(date +%s)

duration() {
  local s=$(( $(date +%s) - $1 ))
  printf '%dm%02ds' $((s / 60)) $((s % 60))
}

run() {
  local name="$1"
  shift
  printf '\033[1m==> %s\033[0m\n' "$name"
  local t
  t=$(date +%s)
  if ! "$@" 2>&1 | tee "$LOGS/$name.log"; then
    echo "make test: FAILED at '$name' after $(duration "$START") (log above)"
    exit 1
  fi
  echo "    ($name: $(duration "$t"))"
}

passed() { grep -hoE 'test result: ok\. [0-9]+ passed' "$LOGS/$1.log" | awk '{ n += $4 } END { print n + 0 }'; }

run setup scripts/setup.sh test
run fmt cargo fmt --all -- --check
run clippy cargo clippy --workspace --all-targets --locked -- -D warnings
run clippy-wasm cargo clippy -p netlens-web -p netlens-web-decoder -p netlens-web-chain -p netlens-web-dnssd -p netlens-web-probe -p netlens-web-verify -p netlens-web-pkcs12 -p netlens-web-make -p netlens-web-apptls -p netlens-probe-worker --target wasm32-unknown-unknown --all-targets --locked -- -D warnings
run native-tests cargo test --workspace --locked
# Real avahi-daemon, dig and python-zeroconf as the oracle of the DNS-SD parsers, in network
# namespaces the test makes (needs root; says SKIPPED and why otherwise).
run dnssd-daemons cargo test -p netlens-cli --test dnssd_daemons --locked -- --ignored --nocapture
# The tool modules as Trunk builds them (netlens-chain without its compiled-in stores), which
# the tests' feature set above does not check.
run clippy-wasm-modules cargo clippy -p netlens-web-chain -p netlens-web-make -p netlens-web-apptls --target wasm32-unknown-unknown --locked -- -D warnings
# ChromeDriver starts Chromium with a throwaway profile under $TMPDIR that it never removes
# (some 66 MB a run): give it a folder of its own and remove that.
run wasm-tests env TMPDIR="$WASM_TMP" cargo test -p netlens-web --target wasm32-unknown-unknown --locked
run release-build scripts/build.sh
# The browser floor (README, "Browsers"): every release wasm module within WebAssembly 2.0, every
# shipped script within ECMAScript 2022.
run floor bash -c 'cargo run -q --locked -p netlens-floor -- dist && node scripts/floor-js.mjs dist'
# The probe's end-to-end tests measure against the real echo server, optimised as users run it.
run echo-build cargo build --release --locked -p netlens-echo
# The end-to-end suite once per browser engine: Chromium (Playwright) and WebKit (WebKitGTK
# through its WebDriver; e2e/webkit-driver.mjs). Each flow is written once; a test that needs
# Chromium's Playwright-only facilities says why and is skipped in the WebKit pass.
run e2e-chromium env NETLENS_BROWSER=chromium node --test --test-concurrency=1 e2e/
run e2e-webkit env NETLENS_BROWSER=webkit node --test --test-concurrency=1 e2e/

e2e_count() { grep -oE "^# $2 [0-9]+" "$LOGS/e2e-$1.log" | awk '{ print $3 }'; }
e2e_summary="$(e2e_count chromium pass) in Chromium, $(e2e_count webkit pass) in WebKit ($(e2e_count webkit skipped) Chromium-only or run once)"
size=$(grep -oE '^pages \(gzip\): .*' "$LOGS/release-build.log")
floor=$(grep -oE '^floor: [0-9]+ (wasm modules|of [0-9]+ JavaScript)' "$LOGS/floor.log" | sed -E 's/^floor: //; s/ of [0-9]+ JavaScript/ scripts/' | paste -sd, - | sed 's/,/ and /')
daemons=$(grep -oE '^dnssd daemons: .*' "$LOGS/dnssd-daemons.log" | sed 's/^dnssd daemons: //')
echo "make test: PASSED in $(duration "$START"): fmt, clippy, $(passed native-tests) native tests, real DNS-SD daemons (${daemons:-no summary}), $(passed wasm-tests) browser wasm tests, release build ($size), browser floor ($floor within it), end-to-end tests: $e2e_summary"
