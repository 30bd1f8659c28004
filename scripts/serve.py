#!/usr/bin/env python3
"""Serve netlens' dist/ on loopback with the headers the app needs.

- Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp make
  the page cross-origin isolated, which gives the probe tool precise timers.
- Access-Control-Allow-Origin: * lets a documentation site on another origin load
  netlens-embed.js, the tool modules and the probe's worker (module scripts and the wasm fetch
  are CORS requests); Cross-Origin-Resource-Policy: cross-origin lets it do so even when that
  site is itself cross-origin isolated.
- Content-Security-Policy: the strict policy netlens is built to run under (no inline script or
  style, wasm allowed by 'wasm-unsafe-eval'; the probe connects to any ws:/wss: endpoint). It
  governs netlens' own pages only: a page embedding netlens from elsewhere has its own.
- Precompressed files: dist/ has a .br and a .gz beside each asset (written by the build); they
  are sent by Accept-Encoding, as a real static host or CDN compresses.
- application/wasm for .wasm, so browsers can compile while downloading.
- Hashed assets (name-<16 hex>.ext) are immutable; everything else revalidates, so a new build
  is picked up at once.

Any static host works for dist/; this server exists so `make serve` and the end-to-end tests
need nothing but Python's standard library.

--test-hooks FILE is for the end-to-end tests in browsers driven by WebDriver alone (WebKit),
which cannot watch a page from outside as Playwright does: every HTML page gets FILE (plus any
script a test posts to /__netlens-test/init) as its first script, and the server keeps what the
page reports (POST /__netlens-test/report) and every response of 400 or more, for the test to
read and clear (GET /__netlens-test/reports).
"""

import argparse
import functools
import http.server
import io
import json
import os
import re
import sys
import threading

HASHED = re.compile(r"-[0-9a-f]{16}(_bg)?\.[a-z0-9]+$")

# The policy netlens' pages run under (README, "Hosting netlens"). connect-src: the tool modules
# and netlens.config.json are fetched from 'self'; the probe opens WebSockets to the endpoint the
# user gives. worker-src blob: is the probe's shim when netlens is embedded from another origin.
CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self' ws: wss:; worker-src 'self' blob:; "
    "manifest-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'"
)

ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".css": "text/css",
        ".svg": "image/svg+xml",
        ".json": "application/json",
        ".webmanifest": "application/manifest+json",
        ".tsv": "text/tab-separated-values; charset=utf-8",
        ".pem": "application/x-pem-file",
    }

    quiet = True
    csp = True
    isolation = True
    encoding = None
    hooks = None  # TestHooks, with --test-hooks

    def send_head(self):
        """Serves `file.br` or `file.gz` in place of `file` when the client accepts it."""
        self.encoding = None
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?", 1)[0].endswith("/"):
            path = os.path.join(path, "index.html")
        if self.hooks and self.path.startswith(TestHooks.PREFIX):
            return self.hooks.get(self)
        if self.hooks and path.endswith(".html") and os.path.isfile(path):
            return self.hooks.page(self, path)
        if os.path.isfile(path):
            accepted = {
                e.split(";")[0].strip() for e in self.headers.get("Accept-Encoding", "").split(",")
            }
            for encoding, suffix in ENCODINGS:
                if encoding in accepted and os.path.isfile(path + suffix):
                    return self.send_compressed(path, path + suffix, encoding)
        return super().send_head()

    def send_compressed(self, path, compressed, encoding):
        try:
            f = open(compressed, "rb")
        except OSError:
            return super().send_head()
        self.encoding = encoding
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(os.fstat(f.fileno()).st_size))
        self.end_headers()
        return f

    def do_POST(self):
        if self.hooks and self.path.startswith(TestHooks.PREFIX):
            self.hooks.post(self)
        else:
            self.send_error(405)

    def send_response(self, code, message=None):
        if self.hooks and code >= 400:
            self.hooks.record(f"HTTP {code} for {self.path}")
        super().send_response(code, message)

    def end_headers(self):
        if self.isolation:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        self.send_header("Cross-Origin-Resource-Policy", "cross-origin")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.csp:
            self.send_header("Content-Security-Policy", CSP)
        path = self.path.split("?", 1)[0]
        if HASHED.search(path):
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format, *args):
        if not self.quiet:
            super().log_message(format, *args)


class TestHooks:
    """What --test-hooks adds (see the module docs). Thread-safe: the server is threaded."""

    PREFIX = "/__netlens-test/"

    def __init__(self, script):
        self.script = script
        self.init = ""
        self.reports = []
        self.lock = threading.Lock()

    def record(self, text):
        with self.lock:
            self.reports.append(text)

    def reply(self, handler, body, content_type):

        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        return io.BytesIO(body)

    def get(self, handler):
        name = handler.path[len(self.PREFIX) :].split("?", 1)[0]
        if name == "hooks.js":
            with open(self.script, encoding="utf-8") as f:
                body = f.read() + "\n" + self.init
            return self.reply(handler, body.encode(), "text/javascript")
        if name == "reports":
            with self.lock:
                reports, self.reports = self.reports, []
            return self.reply(handler, json.dumps(reports).encode(), "application/json")
        handler.send_error(404)
        return None

    def post(self, handler):
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0)).decode()
        name = handler.path[len(self.PREFIX) :]
        if name == "init":
            self.init = body
        elif name == "report":
            self.record(body)
        else:
            handler.send_error(404)
            return
        handler.send_response(204)
        handler.end_headers()

    def page(self, handler, path):
        """The HTML page at `path` with the hooks as its first script."""
        with open(path, encoding="utf-8") as f:
            html = f.read()
        tag = f'<script src="{self.PREFIX}hooks.js"></script>'
        head = re.search(r"<head[^>]*>", html, re.IGNORECASE)
        html = html[: head.end()] + tag + html[head.end() :] if head else tag + html
        return self.reply(handler, html.encode(), "text/html; charset=utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="dist", help="directory to serve (default: dist)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default: 8080; 0 picks a free one)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    parser.add_argument(
        "--no-csp", action="store_true", help="send no Content-Security-Policy (e.g. for a docs site)"
    )
    parser.add_argument(
        "--no-isolation",
        action="store_true",
        help="send no COOP/COEP (e.g. for a docs site that is not cross-origin isolated)",
    )
    parser.add_argument("--test-hooks", metavar="FILE", help="end-to-end tests only (see the module docs)")
    args = parser.parse_args()

    Handler.quiet = not args.verbose
    Handler.csp = not args.no_csp
    Handler.isolation = not args.no_isolation
    Handler.hooks = TestHooks(args.test_hooks) if args.test_hooks else None
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
