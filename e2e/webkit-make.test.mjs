// The test certificate maker in WebKit (Safari's engine): WebKitGTK's MiniBrowser under Xvfb,
// driven through Debian's webkit2gtk-driver (W3C WebDriver over HTTP). WebKitGTK stands in for
// Safari's JavaScriptCore, wasm and DOM, not for its WebCrypto (libgcrypt here, CryptoKit on
// Apple platforms): what it shows is that the page runs and that WebKit's WebCrypto makes and
// signs with every key type; `openssl verify` then accepts what it made.
// Skips with a message when WebKitWebDriver or Xvfb is missing (`scripts/setup.sh test`
// installs them). Every process is stopped by its PID; every wait is bounded.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from './harness.mjs';

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
const skip = missing ? `${missing} is not installed (scripts/setup.sh test installs webkit2gtk-driver and xvfb)` : false;

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

test('the maker makes and checks certificates in WebKit, every key type', { skip }, async () => {
  const server = await startServer();
  const display = `:${90 + Math.floor(Math.random() * 9)}`;
  const xvfb = spawn(XVFB, [display, '-screen', '0', '1280x900x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  const port = await freePort();
  const driver = spawn(DRIVER, [`--port=${port}`], { stdio: 'ignore', env: { ...process.env, DISPLAY: display } });
  const dir = mkdtempSync(path.join(tmpdir(), 'netlens-webkit-make-'));
  const wd = async (method, route, body) => {
    const response = await fetch(`http://127.0.0.1:${port}${route}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    const { value } = await response.json();
    if (value?.error) throw new Error(`WebDriver ${route}: ${value.error}: ${value.message}`);
    return value;
  };
  let session;
  try {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await wd('GET', '/status')).ready) break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    session = (await wd('POST', '/session', { capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } } } })).sessionId;
    const run = (script) => wd('POST', `/session/${session}/execute/async`, { script: `const done = arguments[0]; (async () => { ${script} })().then(done, (e) => done({ error: String(e) }));`, args: [] });
    await wd('POST', `/session/${session}/url`, { url: `${server.url}#/make` });

    // The page, as a user uses it: names typed, Make clicked, the checks shown.
    const page = await run(`
      const until = async (what, f) => { for (let i = 0; i < 600; i++) { const v = f(); if (v) return v; await new Promise((r) => setTimeout(r, 100)); } throw new Error('no ' + what); };
      const names = await until('the form', () => document.querySelector('#nl-make-names'));
      names.value = 'printer.local 192.168.1.20';
      names.dispatchEvent(new Event('input', { bubbles: true }));
      (await until('Make', () => { const b = document.querySelector('button[type=submit]'); return b && !b.disabled && b; })).click();
      await until('the checks', () => document.querySelector('.nl-make-results[aria-busy="false"]'));
      return { passed: [...document.querySelectorAll('.nl-make-checks > li')].map((li) => li.className.includes('nl-pass')), password: document.querySelector('[data-password]')?.textContent };`);
    assert.equal(page.error, undefined, page.error);
    assert.deepEqual(page.passed, [true, true]);
    assert.match(page.password, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);

    // The JS API with every key type, SHA-1 signing for a fixture.
    const api = await run(`
      const netlens = await import('./netlens-embed.js');
      const out = [];
      for (const keyType of ['p256', 'p384', 'rsa2048', 'ed25519']) {
        const made = await netlens.makeCertificates({ names: 'printer.local 192.168.1.20', keyType, fixtures: ['sha1-signed'], password: 'pw' });
        const text = (p) => new TextDecoder().decode(made.files.find((f) => f.path === p).bytes);
        out.push({ keyType, passed: made.passed, checks: made.checks.length, root: text('root.pem'), ca: text('ca.pem'), server: text('server.pem') });
      }
      return out;`);
    assert.equal(api.error, undefined, api.error);
    for (const made of api) {
      assert.equal(made.passed, true, made.keyType);
      assert.equal(made.checks, 3, made.keyType);
      const d = path.join(dir, made.keyType);
      spawnSync('mkdir', ['-p', d]);
      for (const f of ['root', 'ca', 'server']) writeFileSync(path.join(d, `${f}.pem`), made[f]);
      const verify = spawnSync('openssl', ['verify', '-CAfile', 'root.pem', '-untrusted', 'ca.pem', '-verify_hostname', 'printer.local', 'server.pem'], { cwd: d, encoding: 'utf8' });
      assert.match(`${verify.stdout}${verify.stderr}`, /server\.pem: OK/, made.keyType);
    }
  } finally {
    if (session) await wd('DELETE', `/session/${session}`).catch(() => {});
    driver.kill('SIGKILL');
    xvfb.kill('SIGKILL');
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
