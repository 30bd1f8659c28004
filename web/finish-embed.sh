#!/bin/sh
# Trunk post_build hook: netlens-embed.js imports the wasm-bindgen glue and the wasm by their
# hashed file names, which exist only after the build. Fill them in, in the staging directory,
# before Trunk publishes it as dist/.
set -eu
dir="${TRUNK_STAGING_DIR:?finish-embed.sh runs as a Trunk post_build hook}"
glue=""
wasm=""
for f in "$dir"/netlens-web-*.js; do [ -f "$f" ] && glue=$(basename "$f"); done
for f in "$dir"/netlens-web-*_bg.wasm; do [ -f "$f" ] && wasm=$(basename "$f"); done
if [ -z "$glue" ] || [ -z "$wasm" ]; then
  echo "finish-embed.sh: no wasm-bindgen output in $dir" >&2
  exit 1
fi
sed -e "s|__NETLENS_GLUE__|$glue|g" -e "s|__NETLENS_WASM__|$wasm|g" \
  "$dir/netlens-embed.js" > "$dir/netlens-embed.js.tmp"
mv "$dir/netlens-embed.js.tmp" "$dir/netlens-embed.js"
if grep -q "__NETLENS_" "$dir/netlens-embed.js"; then
  echo "finish-embed.sh: placeholders left in netlens-embed.js" >&2
  exit 1
fi
echo "finish-embed.sh: netlens-embed.js -> $glue, $wasm"
