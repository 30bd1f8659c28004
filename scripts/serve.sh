#!/usr/bin/env bash
# `make serve`: the echo server the latency probe uses by default (ws://127.0.0.1:9000/echo) and
# the app (dist/, built by scripts/build.sh) on http://127.0.0.1:PORT. Ctrl-C stops both.
#
#   scripts/serve.sh [PORT] [ECHO_PORT]     defaults 8080 and 9000
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$NETLENS_ROOT"
PORT="${1:-8080}"
ECHO_PORT="${2:-9000}"

cargo build --release --quiet -p netlens-echo
"$NETLENS_TARGET/release/netlens-echo" --listen "127.0.0.1:$ECHO_PORT" &
echo_pid=$!
trap 'kill "$echo_pid" 2>/dev/null || true' EXIT INT TERM
python3 scripts/serve.py --dir dist --port "$PORT"
