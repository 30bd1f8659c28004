#!/usr/bin/env python3
"""Serve netlens' dist/ on loopback with the headers the app needs.

- Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp make
  the page cross-origin isolated, which gives the probe tool precise timers.
- Cross-Origin-Resource-Policy: cross-origin lets a documentation site on another origin load
  netlens-embed.js and the wasm even when that site is itself cross-origin isolated.
- application/wasm for .wasm, so browsers can compile while downloading.
- Hashed assets (name-<16 hex>.ext) are immutable; everything else revalidates, so a new build
  is picked up at once.

Any static host works for dist/; this server exists so `make serve` and the end-to-end tests
need nothing but Python's standard library.
"""

import argparse
import functools
import http.server
import re
import sys

HASHED = re.compile(r"-[0-9a-f]{16}(_bg)?\.[a-z0-9]+$")


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".css": "text/css",
        ".svg": "image/svg+xml",
        ".json": "application/json",
        ".pem": "application/x-pem-file",
    }

    quiet = True

    def end_headers(self):
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        self.send_header("Cross-Origin-Resource-Policy", "cross-origin")
        self.send_header("X-Content-Type-Options", "nosniff")
        path = self.path.split("?", 1)[0]
        if HASHED.search(path):
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format, *args):
        if not self.quiet:
            super().log_message(format, *args)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="dist", help="directory to serve (default: dist)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default: 8080; 0 picks a free one)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args()

    Handler.quiet = not args.verbose
    handler = functools.partial(Handler, directory=args.dir)
    try:
        server = http.server.ThreadingHTTPServer((args.host, args.port), handler)
    except OSError as error:
        sys.exit(f"serve.py: cannot listen on {args.host}:{args.port}: {error.strerror}")
    host, port = server.server_address[:2]
    display_host = f"[{host}]" if ":" in host else host
    print(f"netlens is served at http://{display_host}:{port}/  (Ctrl-C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
