// Shared end-to-end harness: serves a built dist/ on loopback with scripts/serve.py, drives a
// browser, and enforces two rules on every page of every test: no request may leave 127.0.0.1,
// and nothing may be logged as a console error (nor fail to load).
//
// The browser is NETLENS_BROWSER: `chromium` (Debian's Chromium through playwright-core, the
// default) or `webkit` (WebKitGTK's MiniBrowser through its WebDriver, e2e/webkit-driver.mjs,
// whose pages offer the part of Playwright's API the tests use). `make test` runs the suite
// once in each. A test that needs what only Playwright's Chromium offers says so with
// `{ skip: chromiumOnly('why') }`.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { HOOKS, launchWebKit, webkitMissing } from './webkit-driver.mjs';

/** The browser this run drives: NETLENS_BROWSER, `chromium` (default) or `webkit`. */
export const BROWSER = process.env.NETLENS_BROWSER ?? 'chromium';
if (!['chromium', 'webkit'].includes(BROWSER)) throw new Error(`NETLENS_BROWSER=${BROWSER}: use chromium or webkit`);
if (BROWSER === 'webkit' && webkitMissing) throw new Error(`NETLENS_BROWSER=webkit, but ${webkitMissing}`);

/** For `test(…, { skip })`: false in Chromium runs; elsewhere, why the test needs Chromium. */
export const chromiumOnly = (why) => BROWSER !== 'chromium' && `Chromium only: ${why}`;

/** For `test(…, { skip })` of a test that needs no browser or brings its own: run it once. */
export const oncePerSuite = BROWSER !== 'chromium' && 'runs once, in the Chromium pass';

/** Servers started by startServer and not yet stopped (WebKit runs read their reports). */
const liveServers = new Set();
/** Scripts the current WebKit page runs first (page.addInitScript), given to every server. */
let initScripts = '';
const postHooks = (server, what, body) =>
  fetch(`${server.url}__netlens-test/${what}`, { method: 'POST', body }).then((r) => r.arrayBuffer());

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
  const hooks = BROWSER === 'webkit' ? ['--test-hooks', HOOKS] : [];
  const child = spawn('python3', [path.join(ROOT, 'scripts/serve.py'), '--dir', dir, '--port', '0', ...hooks, ...args], {
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
  const server = {
    url,
    async stop() {
      liveServers.delete(server);
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
  if (BROWSER === 'webkit') {
    liveServers.add(server);
    if (initScripts) await postHooks(server, 'init', initScripts);
  }
  return server;
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
 * 127.0.0.1, on `port` or a free one, with `args` (e.g. a shared bottleneck). Resolves to
 * { url, port, kill(signal) }.
 */
export async function startEcho(port = 0, args = []) {
  if (!existsSync(ECHO)) throw new Error(`${ECHO} is missing: cargo build --release -p netlens-echo`);
  const child = spawn(ECHO, ['--listen', `127.0.0.1:${port}`, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
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
  await locator.evaluate(
    (target, files) => {
      const transfer = new DataTransfer();
      for (const { name, base64 } of files) {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], name));
      }
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, composed: true, dataTransfer: transfer }));
      }
    },
    files.map(({ name, bytes }) => ({ name, base64: Buffer.from(bytes).toString('base64') })),
  );
}

/**
 * Puts `text` on the clipboard and pastes it into `locator` with the keyboard, like a user. In
 * WebKit, whose WebDriver cannot reach the system clipboard, the text replaces the selection
 * as a paste does, with the input event a paste sends.
 */
export async function pasteInto(page, locator, text) {
  if (BROWSER === 'webkit') {
    await locator.click();
    await locator.evaluate((field, text) => {
      field.setRangeText(text, field.selectionStart, field.selectionEnd, 'end');
      field.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertFromPaste' }));
    }, text);
    return;
  }
  await page.evaluate((text) => navigator.clipboard.writeText(text), text);
  await locator.click();
  await page.keyboard.press('ControlOrMeta+V');
}

/**
 * Registers the suite hooks every test file uses: one server on dist/ and one browser for the
 * file, a fresh watched page per test (`session.newPage()`: a new context in Chromium, a new
 * WebDriver session in WebKit), and after each test the check that nothing left 127.0.0.1 and
 * nothing logged an error.
 */
export function useSession({ clipboard = false } = {}) {
  const session = { name: BROWSER, server: null, browser: null, context: null, page: null, violations: [], allowed: [] };
  before(async () => {
    session.server = await startServer();
    session.browser = BROWSER === 'webkit' ? await launchWebKit() : await launchBrowser();
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.stop();
  });
  afterEach(async () => {
    if (BROWSER === 'webkit') await collectWebKitViolations(session);
    await session.context?.close();
    session.context = null;
    const violations = session.violations.filter((v) => !session.allowed.some((re) => re.test(v)));
    session.allowed = [];
    assert.deepEqual(violations, [], 'no external requests, console errors or HTTP errors');
  });
  /** A fresh page; `options.colorScheme` ('light' or 'dark') as the browser would have it. */
  session.newPage = async (options = {}) => {
    if (BROWSER === 'webkit') {
      await session.page?.close();
      await setInitScripts('');
      session.violations = [];
      session.page = await session.browser.newPage(options);
      session.page.addInitScript = (fn, arg) => setInitScripts(`${initScripts}\n;(${fn})(${JSON.stringify(arg ?? null)});`);
      session.context = { close: () => session.page?.close() };
      return session.page;
    }
    ({ context: session.context, violations: session.violations } = await watchedContext(session.browser, options));
    if (clipboard) {
      await session.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
        origin: session.server.url.slice(0, -1),
      });
    }
    return session.context.newPage();
  };
  return session;
}

async function setInitScripts(text) {
  initScripts = text;
  await Promise.all([...liveServers].map((server) => postHooks(server, 'init', text)));
}

/** What the WebKit page and every server saw (see e2e/webkit-driver.mjs), into `violations`. */
async function collectWebKitViolations(session) {
  const kept = session.page && !session.page.closed ? await session.page.keptViolations() : [];
  const served = await Promise.all(
    [...liveServers].map(async (server) => fetch(`${server.url}__netlens-test/reports`).then((r) => r.json())),
  );
  const proxied = session.browser.proxy.drain().map((line) => `request left 127.0.0.1: ${line}`);
  // WebKit asks for /favicon.ico by itself when a page names no icon (the tests' own pages):
  // the browser's request, not the page's.
  const own = served.flat().filter((v) => !v.startsWith('HTTP 404 for /favicon.ico'));
  session.violations.push(...kept, ...own, ...proxied);
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

/** Every violation seen so far in this test (in WebKit, read from the page, servers and proxy). */
export async function violationsSoFar(session) {
  if (BROWSER === 'webkit') await collectWebKitViolations(session);
  return [...session.violations];
}

/** Lets the violations `expected` matches pass this test (failures it provokes on purpose). */
export function allowViolations(session, expected) {
  session.allowed.push(expected);
}

/**
 * The URLs the page has loaded, from its Resource Timing (the page's own requests, workers'
 * excepted), which both browsers keep: the tests' view of what a page downloaded.
 */
export async function loadedUrls(page) {
  return page.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name));
}

/** The response headers of the page's own URL, as the server sends them (a same-origin fetch). */
export async function pageHeaders(page) {
  return page.evaluate(async () => Object.fromEntries((await fetch(location.href)).headers));
}

/**
 * Copies the page `source` to `dest` for opening from file://; in WebKit runs with the test hooks
 * as its first script (no server can add them there; see e2e/webkit-hooks.js).
 */
export function copyPageForFileUrl(source, dest) {
  let html = readFileSync(source, 'utf8');
  if (BROWSER === 'webkit') {
    const hooks = `<script>${readFileSync(HOOKS, 'utf8')}</script>`;
    html = html.replace(/<head[^>]*>/i, (head) => `${head}${hooks}`);
  }
  writeFileSync(dest, html);
}

/** The text the page last put on the clipboard. */
export async function readClipboard(page) {
  return BROWSER === 'webkit' ? page.clipboardText() : page.evaluate(() => navigator.clipboard.readText());
}

/** `../shared/data/<rel>` when it exists (optional data: tests that need it skip without). */
export function sharedData(rel) {
  const p = path.join(ROOT, '..', 'shared', 'data', rel);
  return existsSync(p) ? p : null;
}
