#!/usr/bin/env bash
# Release build of the app into dist/ (run scripts/setup.sh build first; `make` does).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$NETLENS_ROOT"
trunk build --release --offline --locked
wasm=$(ls dist/netlens-web-*_bg.wasm)
glue=$(ls dist/netlens-web-*.js)
printf 'dist/: wasm %s bytes (%s gzip), JS glue %s bytes (%s gzip)\n' \
  "$(stat -c %s "$wasm")" "$(gzip -9c "$wasm" | wc -c)" "$(stat -c %s "$glue")" "$(gzip -9c "$glue" | wc -c)"
