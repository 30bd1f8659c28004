# Sourced by the other scripts: where netlens' tools live. Safe to source from your shell too.
NETLENS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export NETLENS_ROOT
# npm's binaryen provides wasm-opt (Debian's binaryen 108 is too old); cargo installs trunk and
# wasm-bindgen into ~/.cargo/bin.
export PATH="$NETLENS_ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# wasm-bindgen-test-runner drives Debian's Chromium through its ChromeDriver.
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$NETLENS_ROOT/crates/netlens-web/webdriver.json"
export TRUNK_SKIP_VERSION_CHECK=true
# Where cargo puts what it builds: CARGO_TARGET_DIR when set (relative to the root), else target/.
NETLENS_TARGET="${CARGO_TARGET_DIR:-target}"
case "$NETLENS_TARGET" in /*) ;; *) NETLENS_TARGET="$NETLENS_ROOT/$NETLENS_TARGET" ;; esac
export NETLENS_TARGET
