// WebKit (Safari's engine) for the end-to-end tests: WebKitGTK's MiniBrowser under Xvfb, driven
// through Debian's webkit2gtk-driver (W3C WebDriver over HTTP, from Node's fetch). WebKitGTK
// stands in for Safari's JavaScriptCore, wasm, DOM, workers and timers, not for its WebCrypto,
// networking, trust evaluation, worker stack or iOS lifecycle (README, "Browsers").
//
// `launchWebKit()` gives a browser whose `newPage()` is a page with the part of Playwright's Page
// and Locator API the tests use (goto, locator, getByRole, click, fill, waitFor, evaluate…), so
// a test is written once and runs in Chromium (Playwright) and WebKit (this file); see
// e2e/harness.mjs. What Playwright watches from outside, WebKit's pages watch from inside:
//
// - no request leaves 127.0.0.1: MiniBrowser's proxy is a server here that records every request
//   that reaches it (any host but 127.0.0.1) and refuses it;
// - console errors, uncaught exceptions, failed loads, CSP violations and HTTP errors are caught
//   by e2e/webkit-hooks.js, which scripts/serve.py --test-hooks makes every page's first script,
//   and read from each server by the harness after each test.
//
// Every wait is bounded; every process is stopped by its PID.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, createReadStream, copyFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DRIVER = '/usr/bin/WebKitWebDriver';
const XVFB = '/usr/bin/Xvfb';
const LIB = '/usr/lib/x86_64-linux-gnu';
const MINIBROWSER = existsSync(LIB)
  ? readdirSync(LIB)
      .filter((d) => d.startsWith('webkit2gtk-4'))
      .map((d) => path.join(LIB, d, 'MiniBrowser'))
      .find((p) => existsSync(p))
  : undefined;
const missing = [DRIVER, XVFB].find((p) => !existsSync(p)) ?? (MINIBROWSER ? null : 'WebKitGTK MiniBrowser');

/** The script e2e/webkit-hooks.js: every WebKit page's first script. */
export const HOOKS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'webkit-hooks.js');

/** Why WebKit tests cannot run here (for `test(…, { skip })`), or false. */
export const webkitMissing = missing
  ? `${missing} is not installed (scripts/setup.sh test installs webkit2gtk-driver and xvfb)`
  : false;

/** The default wait of every locator action and `waitFor`, as Playwright's. */
const TIMEOUT = 30_000;
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A loopback proxy that refuses every request and remembers where each was going. */
async function startRecordingProxy() {
  const requests = [];
  const server = createServer((socket) => {
    socket.once('data', (chunk) => {
      const line = chunk.toString('latin1').split('\r\n', 1)[0];
      requests.push(line);
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: server.address().port,
    /** The requests that reached the proxy since the last call. */
    drain: () => requests.splice(0),
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Starts Xvfb, WebKitWebDriver and the recording proxy; pages are WebDriver sessions. */
export async function launchWebKit() {
  const xvfb = spawn(XVFB, ['-displayfd', '1', '-screen', '0', '1280x900x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const display = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Xvfb did not start in 10 s')), 10_000);
    xvfb.stdout.setEncoding('utf8');
    xvfb.stdout.once('data', (text) => {
      clearTimeout(timer);
      resolve(`:${text.trim()}`);
    });
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
  });
  const proxy = await startRecordingProxy();
  // The driver, restarted when a session cannot be made (WebKitWebDriver has been seen to hang
  // on a new session, once in a few hundred).
  let driver;
  let port;
  // The driver leads a process group of its own, so that stopping it stops the MiniBrowser and
  // WebKit processes it started too.
  const killDriver = () => {
    if (driver?.exitCode === null && driver.signalCode === null) {
      try {
        process.kill(-driver.pid, 'SIGKILL');
      } catch {
        driver.kill('SIGKILL');
      }
    }
  };
  const startDriver = async () => {
    killDriver();
    port = await new Promise((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address();
        probe.close(() => resolve(port));
      });
    });
    driver = spawn(DRIVER, [`--port=${port}`], { stdio: 'ignore', detached: true, env: { ...process.env, DISPLAY: display } });
    for (let i = 0; i < 100; i++) {
      try {
        if ((await wd('GET', '/status', undefined, 2_000)).ready) return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error('WebKitWebDriver did not start in 10 s');
  };
  // Every request is bounded: a script may run 180 s (the session's script timeout).
  const wd = async (method, route, body, timeout = 200_000) => {
    const response = await fetch(`http://127.0.0.1:${port}${route}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
      signal: AbortSignal.timeout(timeout),
    });
    const { value } = await response.json();
    if (value?.error) throw new Error(`WebDriver ${route.replace(/^\/session\/[^/]+/, '')}: ${value.error}: ${value.message}`);
    return value;
  };
  const pages = new Set();
  const stop = async () => {
    for (const page of pages) await page.close();
    killDriver();
    xvfb.kill('SIGKILL');
    await proxy.stop();
  };
  try {
    await startDriver();
  } catch (error) {
    await stop();
    throw error;
  }
  /** A new WebDriver session, on a restarted driver if the first attempts hang or fail. */
  const newSession = async (capabilities) => {
    let failure;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return (await wd('POST', '/session', { capabilities }, 30_000)).sessionId;
      } catch (error) {
        failure = error;
        for (const page of pages) page.closed = true; // their sessions died with the driver
        pages.clear();
        await startDriver();
      }
    }
    throw new Error(`no WebKit session in 3 attempts: ${failure.message}`);
  };
  return {
    name: 'webkit',
    proxy,
    /**
     * A new page: its own WebDriver session (its own MiniBrowser, storage and service workers).
     * `colorScheme: 'dark'` starts MiniBrowser in dark mode (WebKitGTK takes the scheme from the
     * browser process, not per page).
     */
    async newPage({ colorScheme } = {}) {
      const args = ['--automation', ...(colorScheme === 'dark' ? ['--dark-mode'] : [])];
      const capabilities = {
        alwaysMatch: {
          proxy: {
            proxyType: 'manual',
            httpProxy: `127.0.0.1:${proxy.port}`,
            sslProxy: `127.0.0.1:${proxy.port}`,
            noProxy: ['127.0.0.1'],
          },
          timeouts: { script: 180_000, pageLoad: 60_000 },
          'webkitgtk:browserOptions': { binary: MINIBROWSER, args },
        },
      };
      let sessionId = await newSession(capabilities);
      const page = new WebKitPage(
        (method, route, body) => wd(method, `/session/${sessionId}${route}`, body),
        () => {
          pages.delete(page);
          return wd('DELETE', `/session/${sessionId}`).catch(() => {});
        },
        // A fresh MiniBrowser for a page whose first load hung (seen once on a busy machine:
        // the window never finished its first navigation in 60 s).
        async () => {
          await wd('DELETE', `/session/${sessionId}`, undefined, 10_000).catch(() => {});
          sessionId = await newSession(capabilities);
          await page.setViewportSize({ width: 1280, height: 720 });
        },
      );
      pages.add(page);
      // Playwright's default viewport, so that both browsers lay pages out alike.
      await page.setViewportSize({ width: 1280, height: 720 });
      return page;
    },
    close: stop,
  };
}

// In the page: resolves a locator's steps to its elements (open shadow roots pierced, as
// Playwright's CSS engine does), with Playwright's role and accessible-name rules for the
// cases netlens' pages have.
const RESOLVE = String.raw`
const __nl = (() => {
  const deepAll = (root, css) => {
    const found = [...root.querySelectorAll(css)];
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) found.push(...deepAll(el.shadowRoot, css));
    return found;
  };
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const matches = (text, want) => want.regex
    ? new RegExp(want.regex, want.flags).test(norm(text))
    : want.exact ? norm(text) === norm(want.text) : norm(text).toLowerCase().includes(norm(want.text).toLowerCase());
  const hidden = (el) => !!el.closest('[aria-hidden="true"]') || (el.checkVisibility ? !el.checkVisibility() : !el.getClientRects().length);
  const ROLES = { button: 'button', nav: 'navigation', main: 'main', ul: 'list', ol: 'list', li: 'listitem', table: 'table',
    tr: 'row', td: 'cell', th: 'columnheader', textarea: 'textbox', option: 'option', h1: 'heading', h2: 'heading',
    h3: 'heading', h4: 'heading', h5: 'heading', h6: 'heading', form: 'form', dialog: 'dialog', fieldset: 'group',
    details: 'group', progress: 'progressbar', output: 'status', article: 'article', aside: 'complementary', summary: 'button' };
  const role = (el) => {
    const explicit = el.getAttribute('role');
    if (explicit) return explicit.split(/\s+/)[0];
    const tag = el.localName, type = (el.getAttribute('type') || 'text').toLowerCase();
    if (tag === 'a' || tag === 'area') return el.hasAttribute('href') ? 'link' : null;
    if (tag === 'input') {
      if (['button', 'submit', 'reset', 'image'].includes(type)) return 'button';
      if (type === 'checkbox' || type === 'radio') return type;
      if (type === 'number') return 'spinbutton';
      if (type === 'range') return 'slider';
      if (['text', 'email', 'tel', 'url', 'search'].includes(type)) return el.hasAttribute('list') ? 'combobox' : type === 'search' ? 'searchbox' : 'textbox';
      return null;
    }
    if (tag === 'select') return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
    if (tag === 'img') return el.getAttribute('alt') === '' ? 'presentation' : 'img';
    if (tag === 'section') return el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby') ? 'region' : null;
    return ROLES[tag] || null;
  };
  const textOf = (node) => {
    if (node.nodeType === 3) return node.data;
    if (node.nodeType !== 1 || node.getAttribute('aria-hidden') === 'true') return '';
    if (node.hasAttribute('aria-label')) return node.getAttribute('aria-label');
    if (node.localName === 'img') return node.getAttribute('alt') || '';
    return [...node.childNodes].map(textOf).join('');
  };
  const FROM_CONTENT = ['button', 'link', 'heading', 'cell', 'columnheader', 'rowheader', 'row', 'tab', 'option', 'listitem',
    'checkbox', 'radio', 'menuitem', 'treeitem', 'tooltip', 'switch'];
  const name = (el) => {
    const ids = el.getAttribute('aria-labelledby');
    if (ids) return ids.split(/\s+/).map((id) => textOf(el.getRootNode().getElementById?.(id) || document.getElementById(id) || document.createTextNode(''))).join(' ');
    if (el.hasAttribute('aria-label')) return el.getAttribute('aria-label');
    if (el.labels && el.labels.length) return [...el.labels].map(textOf).join(' ');
    if (el.localName === 'input' && ['button', 'submit', 'reset'].includes(el.type)) return el.value;
    if (el.localName === 'img') return el.getAttribute('alt') || '';
    if (FROM_CONTENT.includes(role(el))) { const t = textOf(el); if (norm(t)) return t; }
    return el.getAttribute('title') || '';
  };
  const resolve = (steps) => {
    let els = [document];
    for (const s of steps) {
      if (s.css !== undefined) {
        const seen = new Set(), next = [];
        for (const root of els) {
          const found = root === document ? deepAll(document, s.css)
            : [...deepAll(root, s.css), ...(root.shadowRoot ? deepAll(root.shadowRoot, s.css) : [])];
          for (const el of found) if (!seen.has(el)) { seen.add(el); next.push(el); }
        }
        els = next;
      } else if (s.role !== undefined) {
        const seen = new Set(), next = [];
        for (const root of els) for (const el of [...deepAll(root, '*'), ...(root.shadowRoot ? deepAll(root.shadowRoot, '*') : [])]) {
          if (seen.has(el) || role(el) !== s.role || hidden(el)) continue;
          if (s.name && !matches(name(el), s.name)) continue;
          seen.add(el); next.push(el);
        }
        els = next;
      } else if (s.hasText !== undefined) {
        els = els.filter((el) => matches(el.textContent, s.hasText));
      } else if (s.nth !== undefined) {
        const el = s.nth < 0 ? els[els.length + s.nth] : els[s.nth];
        els = el ? [el] : [];
      }
    }
    return els.filter((el) => el !== document);
  };
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  return { resolve, visible };
})();
`;

/** Runs `body` (uses `__nl`, `steps`, `arg`) in the page; resolves to its value or throws. */
const locatorScript = (body) => `${RESOLVE}\nconst [steps, arg] = arguments;\n${body}`;

const KEYS = {
  Tab: '\uE004', Enter: '\uE007', Escape: '\uE00C', Backspace: '\uE003', Delete: '\uE017', Space: ' ',
  ArrowLeft: '\uE012', ArrowUp: '\uE013', ArrowRight: '\uE014', ArrowDown: '\uE015', Home: '\uE011', End: '\uE010',
  PageUp: '\uE00E', PageDown: '\uE00F', Shift: '\uE008', Control: '\uE009', Alt: '\uE00A', Meta: '\uE03D',
  ControlOrMeta: '\uE009',
};

/** Playwright's text matcher (string or RegExp) as data the page can use. */
const textMatcher = (text, exact = false) =>
  text instanceof RegExp ? { regex: text.source, flags: text.flags } : { text: String(text), exact };

class WebKitPage {
  constructor(wd, close, renew) {
    this.wd = wd;
    this.closeSession = close;
    this.renewSession = renew;
    this.lastUrl = 'about:blank';
    this.keyboard = { press: (keys) => this.pressKeys(keys) };
    this.closed = false;
  }

  /** Runs `script` (a WebDriver async script body: `done` is the callback) with `args`. */
  async execute(script, args = [], { retry = false } = {}) {
    const body = {
      script: `const done = arguments[arguments.length - 1]; Promise.resolve().then(async () => { ${script} }).then((value) => done({ value, url: location.href }), (e) => done({ failed: e && e.message ? e.name + ': ' + e.message : String(e), url: location.href }));`,
      args,
    };
    // On a busy machine WebKitWebDriver sometimes fails to read back the element reference a
    // script returned ("Could not parse script result"). Finding an element has no side
    // effect, so that call alone (`retry`) runs again, a bounded number of times.
    let result;
    for (let attempt = 1; ; attempt++) {
      try {
        result = await this.wd('POST', '/execute/async', body);
        break;
      } catch (error) {
        if (!retry || attempt >= 3 || !/Could not parse script result/.test(error.message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
    // page.url() is synchronous in Playwright: the URL is kept from every round trip.
    if (result?.url) this.lastUrl = result.url;
    if (result?.failed) throw new Error(`in the page: ${result.failed}`);
    return result?.value;
  }

  async goto(url) {
    try {
      await this.wd('POST', '/url', { url });
    } catch (error) {
      // One more try after a load that timed out: on a fresh browser if this was the page's
      // first navigation (nothing to lose), else in the same one. A second failure is real.
      if (!/timeout/i.test(error.message)) throw error;
      if (this.lastUrl === 'about:blank') await this.renewSession();
      await this.wd('POST', '/url', { url });
    }
    this.lastUrl = await this.wd('GET', '/url');
    await this.visible();
  }

  /**
   * Waits (10 s at most) until the page is visible: a MiniBrowser window that Xvfb has not mapped
   * yet (a busy machine) reports a hidden document, and pages that watch visibility (the probe
   * suspends its run) would act on it.
   */
  async visible() {
    if (!/^(https?|file):/.test(this.lastUrl)) return;
    await this.execute(
      `const deadline = Date.now() + 10000;
       while (document.visibilityState !== 'visible') {
         if (Date.now() > deadline) throw new Error('the MiniBrowser window stayed hidden for 10 s (document.visibilityState ' + document.visibilityState + ')');
         await new Promise((r) => setTimeout(r, 50));
       }`,
    );
  }

  async reload() {
    await this.wd('POST', '/refresh', {});
    this.lastUrl = await this.wd('GET', '/url');
  }

  url() {
    return this.lastUrl;
  }

  async title() {
    return this.wd('GET', '/title');
  }

  /** Playwright's `page.evaluate(fn | expression | script, arg)`. */
  async evaluate(fn, arg) {
    if (typeof fn === 'function') return this.execute(`return (${fn})(arguments[0]);`, [arg ?? null]);
    try {
      return await this.execute(`return (${fn});`);
    } catch (error) {
      // Not an expression: a script (statements), run for its effects.
      if (!/SyntaxError|Unexpected/.test(error.message)) throw error;
      return this.execute(`${fn}\n;return undefined;`);
    }
  }

  async waitForFunction(fn, arg, { timeout = TIMEOUT } = {}) {
    const source = typeof fn === 'function' ? `(${fn})` : `(() => (${fn}))`;
    return this.execute(
      `const f = ${source}; const deadline = Date.now() + ${timeout};
       for (;;) { const v = await f(arguments[0]); if (v) return v; if (Date.now() > deadline) throw new Error('waitForFunction timed out after ${timeout} ms: ' + ${JSON.stringify(String(fn).slice(0, 200))}); await new Promise((r) => setTimeout(r, 50)); }`,
      [arg ?? null],
    );
  }

  waitForTimeout(ms) {
    return sleep(ms);
  }

  locator(css, options = {}) {
    return new WebKitLocator(this, []).locator(css, options);
  }

  getByRole(role, options = {}) {
    return new WebKitLocator(this, []).getByRole(role, options);
  }

  click(css) {
    return this.locator(css).click();
  }

  fill(css, value) {
    return this.locator(css).fill(value);
  }

  check(css) {
    return this.locator(css).check();
  }

  inputValue(css) {
    return this.locator(css).inputValue();
  }

  /** Presses `keys` ('Tab', 'ControlOrMeta+A') as WebDriver key actions: trusted key events. */
  async pressKeys(keys) {
    const parts = keys.split('+');
    const codes = parts.map((k) => KEYS[k] ?? (k.length === 1 ? k.toLowerCase() : k));
    const down = codes.map((value) => ({ type: 'keyDown', value }));
    const up = codes.reverse().map((value) => ({ type: 'keyUp', value }));
    await this.wd('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions: [...down, ...up] }] });
    await this.wd('DELETE', '/actions').catch(() => {});
  }

  /**
   * Runs what follows inside the iframe `css` matches (WebDriver's Switch To Frame), until the
   * next navigation. How a WebKit test shows a page narrower than MiniBrowser's window can be.
   */
  async enterFrame(css) {
    const ref = await this.locator(css).when('attached', 'return el;');
    await this.wd('POST', '/frame', { id: ref });
  }

  /** Resizes the window so that the page's viewport is `width` × `height` CSS pixels. */
  async setViewportSize({ width, height }) {
    for (let i = 0; i < 3; i++) {
      const inner = await this.evaluate(() => [innerWidth, innerHeight]);
      const rect = await this.wd('GET', '/window/rect');
      if (inner[0] === width && inner[1] === height) return;
      await this.wd('POST', '/window/rect', { width: rect.width + width - inner[0], height: rect.height + height - inner[1] });
    }
  }

  async screenshot({ path: file } = {}) {
    const png = Buffer.from(await this.wd('GET', '/screenshot'), 'base64');
    if (file) writeFileSync(file, png);
    return png;
  }

  /** Playwright's 'download' event: the next download the page's hooks kept (bounded wait). */
  async waitForEvent(event, { timeout = TIMEOUT } = {}) {
    if (event !== 'download') throw new Error(`waitForEvent('${event}') is not available in WebKit runs`);
    const taken = (this.downloadsTaken ??= 0);
    this.downloadsTaken = taken + 1;
    const saved = await this.execute(
      `const deadline = Date.now() + ${timeout};
       for (;;) { const d = window.__netlensTest?.downloads[${taken}]; if (d && d.base64 !== null) return d; if (Date.now() > deadline) throw new Error('no download in ${timeout} ms'); await new Promise((r) => setTimeout(r, 50)); }`,
    );
    return new WebKitDownload(saved.name, Buffer.from(saved.base64, 'base64'));
  }

  /** The text the page last wrote to the clipboard (WebDriver cannot read the system's). */
  async clipboardText() {
    return this.evaluate(() => window.__netlensTest?.clipboard ?? null);
  }

  /** Violations the page kept itself (pages not served by a server with --test-hooks). */
  async keptViolations() {
    return this.evaluate(() => window.__netlensTest?.violations.splice(0) ?? []).catch(() => []);
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    await this.closeSession();
  }

  context() {
    const unavailable = (what) => () => {
      throw new Error(`${what} is a Chromium-only facility (Playwright's); this test should be skipped in WebKit`);
    };
    return { setOffline: unavailable('setOffline'), route: unavailable('route') };
  }
}

class WebKitDownload {
  constructor(name, bytes) {
    this.name = name;
    this.bytes = bytes;
    this.dir = null;
  }

  suggestedFilename() {
    return this.name;
  }

  async path() {
    this.dir ??= mkdtempSync(path.join(tmpdir(), 'netlens-webkit-download-'));
    const file = path.join(this.dir, this.name);
    writeFileSync(file, this.bytes);
    process.once('exit', () => rmSync(this.dir, { recursive: true, force: true }));
    return file;
  }

  async saveAs(file) {
    copyFileSync(await this.path(), file);
  }

  async createReadStream() {
    return createReadStream(await this.path());
  }
}

/** `css` split at its top-level descendant combinators: 'a > b c[x="1 2"]' → ['a > b', 'c[x="1 2"]']. */
export function descendantParts(css) {
  const tokens = [];
  let current = '';
  let depth = 0;
  let quote = null;
  for (const ch of css.trim()) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '(') depth++;
    else if (ch === ']' || ch === ')') depth--;
    else if (/\s/.test(ch) && depth === 0) {
      if (current) tokens.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  if (current) tokens.push(current);
  const parts = [];
  for (const token of tokens) {
    const last = parts.length - 1;
    if (last >= 0 && (/^[>+~]/.test(token) || /[>+~]$/.test(parts[last]))) parts[last] += ` ${token}`;
    else parts.push(token);
  }
  return parts.length ? parts : [css];
}

class WebKitLocator {
  constructor(page, steps) {
    this.page = page;
    this.steps = steps;
  }

  with(step) {
    return new WebKitLocator(this.page, [...this.steps, step]);
  }

  /**
   * A CSS selector; as in Playwright, descendant combinators cross open shadow roots (the
   * selector runs part by part, each part inside what the previous matched).
   */
  locator(css, { hasText } = {}) {
    let next = this;
    for (const part of descendantParts(css)) next = next.with({ css: part });
    if (hasText !== undefined) next = next.with({ hasText: textMatcher(hasText) });
    return next;
  }

  getByRole(role, { name, exact = false } = {}) {
    return this.with({ role, name: name === undefined ? undefined : textMatcher(name, exact) });
  }

  filter({ hasText } = {}) {
    let next = this;
    if (hasText !== undefined) next = next.with({ hasText: textMatcher(hasText) });
    return next;
  }

  nth(index) {
    return this.with({ nth: index });
  }

  first() {
    return this.nth(0);
  }

  last() {
    return this.nth(-1);
  }

  /** Runs `body` in the page with `els` (the elements now), `steps` and `arg`. */
  run(body, arg = null) {
    return this.page.execute(locatorScript(`const els = __nl.resolve(steps);\n${body}`), [this.steps, arg]);
  }

  /** Waits (bounded) until the locator has an element in `state`; runs `body` with `el`. */
  async when(state, body, arg = null, timeout = TIMEOUT, options = {}) {
    return this.page.execute(
      locatorScript(`
        const deadline = Date.now() + ${timeout};
        for (;;) {
          const els = __nl.resolve(steps);
          const el = els[0];
          const ok = ${JSON.stringify(state)} === 'attached' ? !!el
            : ${JSON.stringify(state)} === 'visible' ? !!el && __nl.visible(el)
            : ${JSON.stringify(state)} === 'hidden' ? !el || !__nl.visible(el)
            : ${JSON.stringify(state)} === 'enabled' ? !!el && __nl.visible(el) && !el.disabled
            : !el;
          if (ok) { ${body} }
          if (Date.now() > deadline) throw new Error('locator ' + JSON.stringify(steps) + ' not ${state} in ${timeout} ms');
          await new Promise((r) => setTimeout(r, 50));
        }`),
      [this.steps, arg],
      options,
    );
  }

  waitFor({ state = 'visible', timeout = TIMEOUT } = {}) {
    return this.when(state, 'return null;', null, timeout);
  }

  count() {
    return this.run('return els.length;');
  }

  async all() {
    const n = await this.count();
    return Array.from({ length: n }, (_, i) => this.nth(i));
  }

  textContent() {
    return this.when('attached', 'return el.textContent;');
  }

  inputValue() {
    return this.when('attached', 'return el.value;');
  }

  getAttribute(name) {
    return this.when('attached', 'return el.getAttribute(arg);', name);
  }

  isDisabled() {
    return this.when('attached', 'return !!el.disabled;');
  }

  isChecked() {
    return this.when('attached', 'return !!el.checked;');
  }

  allTextContents() {
    return this.run('return els.map((el) => el.textContent);');
  }

  evaluate(fn, arg) {
    return this.when('attached', `return (${fn})(el, arg);`, arg ?? null);
  }

  evaluateAll(fn, arg) {
    return this.run(`return (${fn})(els, arg);`, arg ?? null);
  }

  dispatchEvent(type, init = {}) {
    return this.when('attached', `el.dispatchEvent(new Event(arg.type, { bubbles: true, cancelable: true, composed: true, ...arg.init })); return null;`, { type, init });
  }

  focus() {
    return this.when('attached', 'el.focus(); return null;');
  }

  /** The element as a WebDriver reference, once it is visible and enabled. */
  async element() {
    const ref = await this.when('enabled', 'el.scrollIntoView({ block: "center" }); return el;', null, TIMEOUT, { retry: true });
    return ref[ELEMENT];
  }

  /** A real click (WebDriver's: a trusted user gesture, as clipboard writes need). */
  async click() {
    const id = await this.element();
    const before = await this.page.wd('GET', '/url');
    try {
      await this.page.wd('POST', `/element/${id}/click`, {});
    } catch (error) {
      // WebKitGTK's hit testing misses some visible elements (MkDocs Material's sticky sidebar
      // links: elementFromPoint at their centre gives the grid behind them), and its WebDriver
      // then refuses the click; the element's own click() is what the page would receive.
      // On a busy machine its click can also end in an "unknown error" with no message after
      // the click went through (a link that navigated, so the element is gone): only a click
      // that evidently did not happen is repeated.
      const unknown = /unknown error/.test(error.message);
      if (!/element not interactable/.test(error.message) && !unknown) throw error;
      const happened = unknown && ((await this.page.wd('GET', '/url')) !== before || (await this.count()) === 0);
      if (!happened) await this.when('attached', 'el.click(); return null;');
    }
    this.page.lastUrl = await this.page.wd('GET', '/url');
  }

  /** Playwright's fill: the value set at once, with the input events a user's typing sends. */
  fill(value) {
    return this.when(
      'enabled',
      `el.focus();
       const proto = el.localName === 'textarea' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
       Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, arg);
       el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
       el.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
       return null;`,
      value,
    );
  }

  /** Types `text` key by key into the element (WebDriver's Element Send Keys: real typing). */
  async pressSequentially(text) {
    const id = await this.element();
    await this.page.wd('POST', `/element/${id}/value`, { text });
  }

  async check() {
    if (!(await this.isChecked())) await this.click();
  }

  async press(keys) {
    await this.focus();
    await this.page.pressKeys(keys);
  }

  /** Playwright's setInputFiles: a path, or { name, mimeType, buffer } written to a file first. */
  async setInputFiles(files) {
    const list = Array.isArray(files) ? files : [files];
    const dir = mkdtempSync(path.join(tmpdir(), 'netlens-webkit-upload-'));
    try {
      const paths = list.map((f) => {
        if (typeof f === 'string') return f;
        const p = path.join(dir, f.name);
        writeFileSync(p, f.buffer);
        return p;
      });
      const ref = await this.when('attached', 'return el;');
      await this.page.wd('POST', `/element/${ref[ELEMENT]}/value`, { text: paths.join('\n') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async screenshot({ path: file } = {}) {
    const ref = await this.when('visible', 'return el;');
    const png = Buffer.from(await this.page.wd('GET', `/element/${ref[ELEMENT]}/screenshot`), 'base64');
    if (file) writeFileSync(file, png);
    return png;
  }
}

