// Shared end-to-end harness: serves a built dist/ on loopback with scripts/serve.py, drives
// Debian's Chromium through playwright-core, and enforces two rules on every page of every test:
// no request may leave 127.0.0.1, and nothing may be logged as a console error.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, cpSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
export const FIXTURES = path.join(ROOT, 'crates/netlens-testkit/fixtures');

export const fixture = (name) => readFileSync(path.join(FIXTURES, name));

/** Subjects of the demo chain, leaf first. */
export const DEMO_SUBJECTS = [
  'CN=www.netlens.test',
  'CN=Netlens Test Issuing CA 1,O=Netlens Test PKI,C=US',
  'CN=Netlens Test Root CA,O=Netlens Test PKI,C=US',
];

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * Serves `dir` with scripts/serve.py on a free loopback port; `app` is where index.html is;
 * `args` are more serve.py options (e.g. `--no-csp` for a page playing a documentation site).
 */
export async function startServer(dir = DIST, app = '', args = []) {
  if (app !== null && !existsSync(path.join(dir, app, 'index.html'))) {
    throw new Error(`${path.join(dir, app)}/index.html is missing: build first (trunk build --release --offline)`);
  }
  const child = spawn('python3', [path.join(ROOT, 'scripts/serve.py'), '--dir', dir, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve.py did not start: ${output}`)), 10_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    child.on('exit', (code) => reject(new Error(`serve.py exited with ${code}: ${output}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** A TCP port free on 127.0.0.1 right now (for a server a test starts). */
export async function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Where cargo builds: CARGO_TARGET_DIR when set (relative to the root), else target/. */
export const CARGO_TARGET = path.resolve(ROOT, process.env.CARGO_TARGET_DIR || 'target');

const ECHO = path.join(CARGO_TARGET, 'release/netlens-echo');

/**
 * Starts the echo server (`cargo build --release -p netlens-echo` first; `make test` does) on
 * 127.0.0.1, on `port` or a free one. Resolves to { url, port, kill(signal) }.
 */
export async function startEcho(port = 0) {
  if (!existsSync(ECHO)) throw new Error(`${ECHO} is missing: cargo build --release -p netlens-echo`);
  const child = spawn(ECHO, ['--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`netlens-echo did not start: ${output}`)), 10_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/ws:\/\/127\.0\.0\.1:\d+\/echo/);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    child.on('exit', (code) => reject(new Error(`netlens-echo exited with ${code}: ${output}`)));
  });
  return {
    url,
    port: Number(new URL(url).port),
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await once(child, 'exit');
    },
  };
}

/** A copy of dist/ placed under a sub-path of a fresh directory; returns [root, subPath]. */
export function distUnderSubPath(subPath = 'docs/tools/netlens') {
  const root = mkdtempSync(path.join(tmpdir(), 'netlens-subpath-'));
  cpSync(DIST, path.join(root, subPath), { recursive: true });
  return [root, `${subPath}/`];
}

/** Debian's Chromium, headless, with nothing that phones home; `extraArgs` for benchmarks. */
export async function launchBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-default-apps',
      ...extraArgs,
    ],
  });
}

/**
 * A fresh browser context whose pages are watched: `violations` collects every request to a host
 * other than 127.0.0.1 (which is aborted), every console error, uncaught exception and HTTP error.
 */
export async function watchedContext(browser, options = {}) {
  const context = await browser.newContext(options);
  const violations = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol) && url.hostname !== '127.0.0.1') {
      violations.push(`request left 127.0.0.1: ${url.href}`);
      return route.abort();
    }
    return route.continue();
  });
  context.on('page', (page) => watchPage(page, violations));
  return { context, violations };
}

function watchPage(page, violations) {
  page.on('console', (message) => {
    if (message.type() === 'error') violations.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => violations.push(`uncaught exception on ${page.url()}: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) violations.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  page.on('websocket', (ws) => {
    if (new URL(ws.url()).hostname !== '127.0.0.1') violations.push(`websocket left 127.0.0.1: ${ws.url()}`);
  });
}

/** Drops files on `locator` the way a user's drag and drop does (a DataTransfer of File objects). */
export async function dropFiles(page, locator, files) {
  const dataTransfer = await page.evaluateHandle((files) => {
    const transfer = new DataTransfer();
    for (const { name, base64 } of files) {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], name));
    }
    return transfer;
  }, files.map(({ name, bytes }) => ({ name, base64: Buffer.from(bytes).toString('base64') })));
  await locator.dispatchEvent('dragenter', { dataTransfer });
  await locator.dispatchEvent('dragover', { dataTransfer });
  await locator.dispatchEvent('drop', { dataTransfer });
}

/** Puts `text` on the clipboard and pastes it into `locator` with the keyboard, like a user. */
export async function pasteInto(page, locator, text) {
  await page.evaluate((text) => navigator.clipboard.writeText(text), text);
  await locator.click();
  await page.keyboard.press('ControlOrMeta+V');
}

/**
 * Registers the suite hooks every test file uses: one server on dist/ and one browser for the
 * file, a fresh watched context per test (`session.newPage()`), and after each test the check
 * that nothing left 127.0.0.1 and nothing logged an error.
 */
export function useSession({ clipboard = false } = {}) {
  const session = { server: null, browser: null, context: null, violations: [] };
  before(async () => {
    session.server = await startServer();
    session.browser = await launchBrowser();
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.stop();
  });
  afterEach(async () => {
    await session.context?.close();
    session.context = null;
    assert.deepEqual(session.violations, [], 'no external requests, console errors or HTTP errors');
  });
  session.newPage = async () => {
    ({ context: session.context, violations: session.violations } = await watchedContext(session.browser));
    if (clipboard) {
      await session.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
        origin: session.server.url.slice(0, -1),
      });
    }
    return session.context.newPage();
  };
  return session;
}

const CLI = path.join(CARGO_TARGET, 'debug/netlens');

/**
 * Runs the `netlens` CLI (the debug build `cargo test` leaves behind; built here if missing)
 * with `args` and `stdin`; resolves to { status, stdout }.
 */
export async function runCli(args, stdin = '') {
  if (!existsSync(CLI)) {
    const build = spawn('cargo', ['build', '-q', '--locked', '-p', 'netlens-cli'], { cwd: ROOT, stdio: 'inherit' });
    const [code] = await once(build, 'exit');
    if (code !== 0) throw new Error('cargo build -p netlens-cli failed');
  }
  const child = spawn(CLI, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => (stdout += chunk));
  // A command that takes no input may exit before its stdin is written or closed; the pipe then
  // breaks (EPIPE), which is no failure of the command. Its exit status and output still count.
  child.stdin.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
  });
  child.stdin.end(stdin);
  const [status] = await once(child, 'exit');
  return { status, stdout };
}

/** Drops the violations `expected` matches (failures a test provokes on purpose). */
export function allowViolations(session, expected) {
  const kept = session.violations.filter((v) => !expected.test(v));
  session.violations.splice(0, session.violations.length, ...kept);
}

/** `../shared/data/<rel>` when it exists (optional data: tests that need it skip without). */
export function sharedData(rel) {
  const p = path.join(ROOT, '..', 'shared', 'data', rel);
  return existsSync(p) ? p : null;
}
