#!/usr/bin/env bash
# Captures mDNSResponder's own `dns-sd -B/-L/-Z/-Q` output against the services of
# scripts/dnssd-daemons.py and commits them as fixtures: Debian has no package of Apple's
# daemon and client, and CI cannot fetch them, so they are built once from source and their
# output is kept (crates/netlens-dnssd/tests/captures/mdnsresponder/, checked by
# crates/netlens-cli/tests/dnssd_daemons.rs on every `cargo test`).
#
#   scripts/mdnsresponder-captures.sh GIT_DIR
#
# GIT_DIR is a clone of apple-oss-distributions/mDNSResponder (the tool library's `fetch` gives
# one). Its mDNSPosix is built in a temporary folder (needs a C compiler and Debian's
# libmbedtls-dev), nothing of it is kept. Needs root, like the harness.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
GIT_DIR="${1:?usage: scripts/mdnsresponder-captures.sh GIT_DIR (a clone of apple-oss-distributions/mDNSResponder)}"
VERSION="$(git --git-dir="$GIT_DIR" log -1 --format=%s)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
git --git-dir="$GIT_DIR" archive HEAD | tar -x -C "$WORK"
make -C "$WORK/mDNSPosix" os=linux Daemon Clients >"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log"; exit 1; }
mkdir "$WORK/bin"
cp "$WORK/mDNSPosix/build/prod/mdnsd" "$WORK/mDNSPosix/build/prod/libdns_sd.so" "$WORK/Clients/build/dns-sd" "$WORK/bin/"
target/dnssd-venv/bin/python scripts/dnssd-daemons.py "$WORK/captures" --dns-sd "$WORK/bin"
OUT=crates/netlens-dnssd/tests/captures/mdnsresponder
rm -rf "$OUT"
mkdir -p "$OUT"
# Only dns-sd's captures and the services' wire bytes: the rest is re-captured by every make test.
python3 - "$WORK/captures" "$OUT" "$VERSION" <<'PY'
import json, shutil, sys
src, out, version = sys.argv[1:]
manifest = json.load(open(f"{src}/manifest.json"))
manifest["tools"] = {"mDNSResponder": version, "built": "mDNSPosix, make os=linux", **manifest["tools"]}
manifest["captures"] = [c for c in manifest["captures"] if c["tool"].startswith("dns-sd ")]
for c in manifest["captures"]:
    shutil.copy(f"{src}/{c['file']}", f"{out}/{c['file']}")
json.dump(manifest, open(f"{out}/manifest.json", "w"), indent=1, ensure_ascii=False)
print(f"{len(manifest['captures'])} dns-sd captures of {version} in {out}")
PY
