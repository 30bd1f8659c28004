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

# venv DIR NAME==VERSION...: a Python venv in DIR with exactly these PyPI packages (made, or
# brought to these versions, only when one differs; python3-venv from Debian if missing).
venv() {
  local dir="$1"
  shift
  local pin name
  for pin in "$@"; do
    name="${pin%%==*}"
    if [ "$("$dir/bin/pip" show "$name" 2>/dev/null | grep "^Version: ")" != "Version: ${pin##*==}" ]; then
      step "installing $* into $dir"
      if ! python3 -m venv "$dir" 2>/dev/null; then
        as_root apt-get install -y -q python3-venv \
          || { as_root apt-get update -q && as_root apt-get install -y -q python3-venv; }
        python3 -m venv "$dir"
      fi
      "$dir/bin/pip" install --quiet "$@"
      return
    fi
  done
}

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
  venv target/mkdocs-venv "mkdocs-material==9.8.2"
  # The real-daemon oracle of the DNS-SD parsers (scripts/dnssd-daemons.py): avahi-daemon and
  # avahi-browse, a private dbus-daemon, dig, and python-zeroconf with jeepney (D-Bus) in a venv.
  if ! have avahi-daemon || ! have avahi-browse || ! have dbus-daemon || ! have dig; then
    step "installing avahi-daemon, avahi-utils, dbus and bind9-dnsutils from Debian"
    as_root apt-get install -y -q avahi-daemon avahi-utils dbus bind9-dnsutils \
      || { as_root apt-get update -q && as_root apt-get install -y -q avahi-daemon avahi-utils dbus bind9-dnsutils; }
  fi
  # The TLS probes (netlens-tls) are tested against Debian's openssl s_server; `netlens make
  # serve`'s QR code is read back with zbar's zbarimg; netlens-echo's HTTP endpoints with curl.
  if ! have openssl || ! have zbarimg || ! have curl; then
    step "installing openssl, zbar-tools and curl from Debian"
    as_root apt-get install -y -q openssl zbar-tools curl \
      || { as_root apt-get update -q && as_root apt-get install -y -q openssl zbar-tools curl; }
  fi
  venv target/dnssd-venv "zeroconf==0.154.0" "jeepney==0.9.0"
  # pkilint and pyca/cryptography (PyPI) in a venv: `netlens make`'s output is read by tools
  # other than netlens (crates/netlens-cli/tests/make.rs, scripts/check-made.py, e2e/make).
  venv target/pki-venv "pkilint==0.13.3" "cryptography==51.0.1"
  # WebKitGTK's MiniBrowser and its WebDriver under Xvfb: the end-to-end suite's WebKit pass
  # (Safari's engine; e2e/webkit-driver.mjs).
  if ! have WebKitWebDriver || ! have Xvfb; then
    step "installing webkit2gtk-driver and xvfb from Debian"
    as_root apt-get install -y -q webkit2gtk-driver xvfb \
      || { as_root apt-get update -q && as_root apt-get install -y -q webkit2gtk-driver xvfb; }
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
