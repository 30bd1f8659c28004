#!/usr/bin/env bash
# make bench-quality: netlens quality (CLI) against netlens-echo with a shared bottleneck on
# loopback, for three settings: 20 Mbit/s with a 250 KB queue (Q/R = 100 ms), 100 Mbit/s with
# 64 KB (5.1 ms), and no bottleneck. Prints a table and one goal line per bottleneck setting:
# goodput within ±10 % of R and added latency (fresh connection's first echo, loaded − idle,
# download and upload averaged) within ±15 % of Q/R. Each setting runs twice: over WebSocket
# (netlens-echo's bulk protocol, what the page uses) and over HTTP/2 from the server's
# configuration URL (the draft's transport, `netlens quality http://…/config`); the goal line is
# the WebSocket run's, the HTTP/2 run gets an "also over HTTP/2" line in the same form. The page
# side of this table is not measured yet.
set -euo pipefail
cd "$(dirname "$0")/.."
ECHO=target/release/netlens-echo
CLI=target/release/netlens
PORT=${BENCH_QUALITY_PORT:-9431}
out=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$out"; }
trap cleanup EXIT

run() { # rate_kbps queue_kb (0 0: no bottleneck)
  local rate=$1 queue=$2 args=()
  [ "$rate" != 0 ] && args=(--rate-kbps "$rate" --queue-kb "$queue")
  "$ECHO" --listen "127.0.0.1:$PORT" "${args[@]}" >"$out/echo.log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do grep -q listening "$out/echo.log" 2>/dev/null && break; sleep 0.1; done
  timeout 300 "$CLI" quality "ws://127.0.0.1:$PORT/echo" --duration 12 --json >"$out/ws.json"
  timeout 300 "$CLI" quality "http://127.0.0.1:$PORT/config" --duration 12 --json >"$out/h2.json"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  for transport in ws h2; do report "$rate" "$queue" "$out/$transport.json" "$transport"; done
}

report() { # rate_kbps queue_kb run.json ws|h2
  python3 - "$@" <<'PY'
import json, sys
rate, queue = float(sys.argv[1]), float(sys.argv[2])
r = json.load(open(sys.argv[3]))
h2 = sys.argv[4] == "h2"
ph = {p["phase"]: p for p in r["phases"]}
idle = r["idle"]["foreign_ms"]["median"]
def mbit(p): return p["goodput_bps"] / 1e6
down, up = ph["download"], ph["upload"]
added = (down["added_foreign_ms"] + up["added_foreign_ms"]) / 2
goodput = (mbit(down) + mbit(up)) / 2
label = f"rate {rate/1000:g} Mbit/s queue {queue:g} KB" if rate else "no bottleneck"
print(f"{label} over {'HTTP/2' if h2 else 'WebSocket'}: idle {idle:.2f} ms; download {mbit(down):.2f} Mbit/s +{down['added_foreign_ms']:.1f} ms (self +{down['added_self_ms']:.1f} ms); "
      f"upload {mbit(up):.2f} Mbit/s +{up['added_foreign_ms']:.1f} ms (self +{up['added_self_ms']:.1f} ms); RPM {r['rpm']:.0f} ({r['rpm_band']}), grade {r['bufferbloat_grade']}")
if rate:
    want_mbit, want_ms = rate / 1000, queue * 8 / rate * 1000
    dg, da = (goodput - want_mbit) / want_mbit, (added - want_ms) / want_ms
    met = abs(dg) <= 0.10 and abs(da) <= 0.15
    print(f"{'also over HTTP/2 (not a goal line): ' if h2 else 'goal '}quality rate {rate/1000:g} Mbit/s queue {queue:g} KB: goodput {goodput:.1f} Mbit/s ({dg:+.0%}), added latency {added:.1f} ms ({da:+.0%}) → {'met' if met else 'NOT met'}")
PY
}

cargo build --release --locked -q -p netlens-cli -p netlens-echo
run 20000 250
run 100000 64
run 0 0
