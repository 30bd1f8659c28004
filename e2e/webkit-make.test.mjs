// The test certificate maker in WebKit (Safari's engine): WebKitGTK's MiniBrowser under Xvfb,
// driven through Debian's webkit2gtk-driver (W3C WebDriver over HTTP). WebKitGTK stands in for
// Safari's JavaScriptCore, wasm and DOM, not for its WebCrypto (libgcrypt here, CryptoKit on
// Apple platforms): what it shows is that the page runs and that WebKit's WebCrypto makes and
// signs with every key type; `openssl verify` then accepts what it made.
// Skips with a message when WebKitWebDriver or Xvfb is missing (`scripts/setup.sh test`
// installs them). Every process is stopped by its PID; every wait is bounded.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from './harness.mjs';
import { startWebKit, webkitMissing } from './webkit-driver.mjs';

test('the maker makes and checks certificates in WebKit, every key type', { skip: webkitMissing }, async () => {
  const server = await startServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'netlens-webkit-make-'));
  let webkit;
  try {
    webkit = await startWebKit();
    const { run } = webkit;
    await webkit.goto(`${server.url}#/make`);

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
    await webkit?.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
