#!/usr/bin/env bash
# Installs what netlens needs, skipping everything already in place (safe to run every time).
#
#   scripts/setup.sh build   toolchain for a release build: wasm32 target, trunk, wasm-bindgen,
#                            wasm-opt (npm binaryen), crates fetched for offline builds
#   scripts/setup.sh test    the above plus Chromium and ChromeDriver for the browser tests
#
# Only the package registries are reachable (crates.io, npm, Debian): nothing here downloads a
# binary from anywhere else. See DEVELOPERS.md for why each pin is what it is.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$NETLENS_ROOT"

TRUNK_VERSION=0.21.14 # 0.22 needs rustc 1.96.1
WANT="${1:-test}"

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! have cargo || ! have rustup; then
  echo "setup: Rust (cargo and rustup) is required and cannot be installed from here" >&2
  exit 1
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
  step "installing trunk $TRUNK_VERSION (takes 8-15 minutes on 2 cores)"
  t=$(date +%s)
  cargo install trunk --version "$TRUNK_VERSION" --locked
  echo "trunk installed in $(elapsed "$t")"
fi

# The CLI must be exactly the wasm-bindgen version in Cargo.lock. No --locked: its own lockfile
# pins a webpki-roots the registry mirror does not serve.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (takes 3-5 minutes)"
  t=$(date +%s)
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  echo "wasm-bindgen-cli installed in $(elapsed "$t")"
fi

if ! have node || ! have npm; then
  step "installing Node.js and npm from Debian"
  as_root apt-get update -q
  as_root apt-get install -y -q nodejs npm
fi
if ! npm ls --depth=0 >/dev/null 2>&1; then
  step "installing npm dev dependencies (binaryen for wasm-opt, playwright-core)"
  npm ci --no-audit --no-fund
fi

step "fetching crates for offline builds"
cargo fetch --locked --quiet

if [ "$WANT" = test ]; then
  if ! have chromium || ! have chromedriver; then
    step "installing Chromium and ChromeDriver from Debian"
    t=$(date +%s)
    as_root apt-get install -y -q chromium chromium-driver \
      || { as_root apt-get update -q && as_root apt-get install -y -q chromium chromium-driver; }
    echo "Chromium installed in $(elapsed "$t")"
  fi
  # MkDocs Material (PyPI) in a venv: e2e/mkdocs.test.mjs builds a real docs site that embeds netlens.
  MKDOCS_MATERIAL=9.8.2
  if [ "$(target/mkdocs-venv/bin/pip show mkdocs-material 2>/dev/null | grep "^Version: ")" != "Version: $MKDOCS_MATERIAL" ]; then
    step "installing MkDocs Material $MKDOCS_MATERIAL into target/mkdocs-venv"
    if ! python3 -m venv target/mkdocs-venv 2>/dev/null; then
      as_root apt-get install -y -q python3-venv \
        || { as_root apt-get update -q && as_root apt-get install -y -q python3-venv; }
      python3 -m venv target/mkdocs-venv
    fi
    target/mkdocs-venv/bin/pip install --quiet "mkdocs-material==$MKDOCS_MATERIAL"
  fi
  # The real-daemon oracle of the DNS-SD parsers (scripts/dnssd-daemons.py): avahi-daemon and
  # avahi-browse, a private dbus-daemon, dig, and python-zeroconf with jeepney (D-Bus) in a venv.
  if ! have avahi-daemon || ! have avahi-browse || ! have dbus-daemon || ! have dig; then
    step "installing avahi-daemon, avahi-utils, dbus and bind9-dnsutils from Debian"
    as_root apt-get install -y -q avahi-daemon avahi-utils dbus bind9-dnsutils \
      || { as_root apt-get update -q && as_root apt-get install -y -q avahi-daemon avahi-utils dbus bind9-dnsutils; }
  fi
  # The TLS probes (netlens-tls) are tested against Debian's openssl s_server.
  if ! have openssl; then
    step "installing openssl from Debian"
    as_root apt-get install -y -q openssl || { as_root apt-get update -q && as_root apt-get install -y -q openssl; }
  fi
  ZEROCONF=0.154.0
  JEEPNEY=0.9.0
  if [ "$(target/dnssd-venv/bin/pip show zeroconf 2>/dev/null | grep "^Version: ")" != "Version: $ZEROCONF" ] \
    || [ "$(target/dnssd-venv/bin/pip show jeepney 2>/dev/null | grep "^Version: ")" != "Version: $JEEPNEY" ]; then
    step "installing python-zeroconf $ZEROCONF and jeepney $JEEPNEY into target/dnssd-venv"
    python3 -m venv target/dnssd-venv
    target/dnssd-venv/bin/pip install --quiet "zeroconf==$ZEROCONF" "jeepney==$JEEPNEY"
  fi
  # pkilint and pyca/cryptography (PyPI) in a venv: `netlens make`'s output is read by tools
  # other than netlens (crates/netlens-cli/tests/make.rs, scripts/check-made.py, e2e/make).
  PKILINT=0.13.3
  CRYPTOGRAPHY=51.0.1
  if [ "$(target/pki-venv/bin/pip show pkilint 2>/dev/null | grep "^Version: ")" != "Version: $PKILINT" ] \
    || [ "$(target/pki-venv/bin/pip show cryptography 2>/dev/null | grep "^Version: ")" != "Version: $CRYPTOGRAPHY" ]; then
    step "installing pkilint $PKILINT and cryptography $CRYPTOGRAPHY into target/pki-venv"
    python3 -m venv target/pki-venv
    target/pki-venv/bin/pip install --quiet "pkilint==$PKILINT" "cryptography==$CRYPTOGRAPHY"
  fi
  # Firefox ESR: netlens-offline.html is tested from file:// in Firefox too (WebDriver BiDi).
  if ! have firefox-esr; then
    step "installing Firefox ESR from Debian"
    t=$(date +%s)
    as_root apt-get install -y -q firefox-esr \
      || { as_root apt-get update -q && as_root apt-get install -y -q firefox-esr; }
    echo "Firefox ESR installed in $(elapsed "$t")"
  fi
fi
