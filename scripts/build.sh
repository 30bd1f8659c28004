#!/usr/bin/env bash
# Release build of the app into dist/ (run scripts/setup.sh build first; `make` does), then the
# size of each tool module as a page pays for it (gzip and brotli).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$NETLENS_ROOT"
trunk build --release --offline --locked
node scripts/sizes.mjs
