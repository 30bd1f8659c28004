# netlens: two commands.
#   make serve   build a release and serve it on http://127.0.0.1:8080, with the probe's echo
#                server on ws://127.0.0.1:9000/echo
#   make test    every check: fmt, clippy, native tests, browser tests, release build, end-to-end
# Both install whatever is missing first (scripts/setup.sh), and skip what is already there.

SHELL := /bin/bash
PORT ?= 8080
ECHO_PORT ?= 9000

.PHONY: serve test check setup build limbo bench bench-probe bench-quality bench-load fixtures trust-stores clean help

serve: ## Build a release; serve dist/ on 127.0.0.1:$(PORT) and the echo server on 127.0.0.1:$(ECHO_PORT)
	@scripts/setup.sh build
	@scripts/build.sh
	@scripts/serve.sh $(PORT) $(ECHO_PORT)

test: ## Run every check; ends with one summary line
	@scripts/test.sh

check: ## The fast loop: fmt, clippy (native) and the native tests; no browser, no daemons, no wasm build
	@. scripts/env.sh && cargo fmt --all -- --check && cargo clippy --workspace --all-targets --locked -- -D warnings && cargo test --workspace --locked --quiet

setup: ## Install the toolchain and browser (idempotent)
	@scripts/setup.sh test

build: ## Release build into dist/
	@scripts/setup.sh build
	@scripts/build.sh

limbo: ## x509-limbo: netlens beside the peers (needs ../shared/data/x509-limbo)
	@. scripts/env.sh && cargo build --release --bin netlens
	@python3 scripts/limbo.py

bench: ## Chain analysis speed (native, wasm in Chromium, PKI.js in the same page) and test CA making (CLI, page)
	@scripts/setup.sh test
	@scripts/build.sh
	@. scripts/env.sh && node bench/run.mjs
	@. scripts/env.sh && cargo build --release --locked -p netlens-cli && node bench/make.mjs

bench-probe: ## Latency probe accuracy: browser (app + Web Worker) against native CLI, echo delays 0/5/20/100 ms
	@scripts/setup.sh test
	@scripts/build.sh
	@. scripts/env.sh && cargo build --release --locked -p netlens-cli -p netlens-echo && node bench/probe.mjs

bench-quality: ## Working-conditions accuracy (netlens quality against netlens-echo's bottleneck): 20 Mbit/s + 250 KB, 100 Mbit/s + 64 KB, none
	@bash bench/quality.sh

bench-load: ## Cold-cache time until each element is usable over Fast 3G and 4G, and the bytes it pulls
	@scripts/setup.sh test
	@scripts/build.sh
	@. scripts/env.sh && node bench/load.mjs

trust-stores: ## Refresh the compiled-in root stores from upstream (DIR=target/trust-upstream; see DEVELOPERS.md)
	@scripts/trust-stores.sh $(DIR)

fixtures: ## Regenerate the test fixtures (deterministic)
	cargo run -p netlens-testkit --bin netlens-fixtures

clean: ## Remove build outputs
	rm -rf dist target

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-10s %s\n", $$1, $$2 }'
