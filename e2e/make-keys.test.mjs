// The test certificate maker with every key type, through the page and the JS API, each result
// accepted by `openssl verify`. In WebKit this is what matters most: WebKitGTK stands in for
// Safari's JavaScriptCore, wasm and DOM, not for its WebCrypto (libgcrypt here, CryptoKit on
// Apple platforms), so what it shows is that the page runs and that WebKit's WebCrypto makes and
// signs with every key type.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useSession } from './harness.mjs';

const session = useSession();

test('the maker makes and checks certificates with every key type', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netlens-make-keys-'));
  try {
    const page = await session.newPage();
    await page.goto(`${session.server.url}#/make`);

    // The page, as a user uses it: names typed, Make clicked, the checks shown.
    await page.locator('#nl-make-names').fill('printer.local 192.168.1.20');
    await page.getByRole('button', { name: 'Make certificates' }).click();
    await page.locator('.nl-make-results[aria-busy="false"]').waitFor({ timeout: 60_000 });
    const passed = await page.locator('.nl-make-checks > li').evaluateAll((items) => items.map((li) => li.className.includes('nl-pass')));
    assert.deepEqual(passed, [true, true]);
    assert.match(await page.locator('[data-password]').textContent(), /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);

    // The JS API with every key type, SHA-1 signing for a fixture.
    const api = await page.evaluate(async () => {
      const netlens = await import('./netlens-embed.js');
      const out = [];
      for (const keyType of ['p256', 'p384', 'rsa2048', 'ed25519']) {
        const made = await netlens.makeCertificates({ names: 'printer.local 192.168.1.20', keyType, fixtures: ['sha1-signed'], password: 'pw' });
        const text = (p) => new TextDecoder().decode(made.files.find((f) => f.path === p).bytes);
        out.push({ keyType, passed: made.passed, checks: made.checks.length, root: text('root.pem'), ca: text('ca.pem'), server: text('server.pem') });
      }
      return out;
    });
    for (const made of api) {
      assert.equal(made.passed, true, made.keyType);
      assert.equal(made.checks, 3, made.keyType);
      const d = path.join(dir, made.keyType);
      mkdirSync(d);
      for (const f of ['root', 'ca', 'server']) writeFileSync(path.join(d, `${f}.pem`), made[f]);
      const verify = spawnSync('openssl', ['verify', '-CAfile', 'root.pem', '-untrusted', 'ca.pem', '-verify_hostname', 'printer.local', 'server.pem'], { cwd: d, encoding: 'utf8' });
      assert.match(`${verify.stdout}${verify.stderr}`, /server\.pem: OK/, made.keyType);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
