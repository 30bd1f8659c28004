// The test certificate maker, built for release, in Chromium: a CA and a leaf for printer.local
// and 192.168.1.20 made in the page, the zip downloaded and checked with real tools (openssl
// verify, s_server and s_client, pkcs12 without -legacy, pyca/cryptography and plistlib through
// scripts/check-made.py); the page's to-be-signed certificates byte for byte the CLI's for the
// same keys and moment; fixtures proven in the page; a pasted CA re-used. Nothing leaves
// 127.0.0.1 (the harness fails any request that does).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, freePort, runCli, useSession } from './harness.mjs';

const session = useSession();
const PYTHON = path.join(ROOT, 'target/pki-venv/bin/python');

function tempDir(name) {
  return mkdtempSync(path.join(tmpdir(), `netlens-make-${name}-`));
}

function openssl(args, cwd) {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8', input: '' });
  return { ok: r.status === 0, text: `${r.stdout}${r.stderr}` };
}

/** The DER of every PEM certificate in `pem`. */
function certificates(pem) {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1].replace(/\s/g, ''), 'base64'));
}

/** A DER element's header length and total length at `offset`. */
function element(der, offset) {
  const first = der[offset + 1];
  if (first < 0x80) return { header: 2, length: 2 + first };
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[offset + 2 + i];
  return { header: 2 + n, length: 2 + n + len };
}

/** The TBSCertificate of a certificate's DER (its first element). */
function tbsOf(der) {
  const outer = element(der, 0);
  const tbs = element(der, outer.header);
  return der.subarray(outer.header, outer.header + tbs.length);
}

async function openTool() {
  const page = await session.newPage();
  await page.goto(`${session.server.url}#/make`);
  await page.locator('h1', { hasText: 'Test certificates' }).waitFor();
  return page;
}

async function make(page) {
  await page.locator('button[type=submit]', { hasText: 'Make certificates' }).click();
  await page.locator('.nl-make-checks li').first().waitFor({ timeout: 60_000 });
  await page.locator('.nl-make-results[aria-busy="false"]').waitFor();
}

describe('test certificate maker', () => {
  test('a CA and a leaf for printer.local and 192.168.1.20, downloaded as a zip, pass real tools', async () => {
    const page = await openTool();
    await page.locator('#nl-make-names').fill('printer.local. 192.168.1.20');
    // The trailing dot is noted (TN2326) as it is typed.
    await page.locator('.nl-hint', { hasText: 'TN2326' }).waitFor();
    await make(page);
    const checks = page.locator('.nl-make-checks > li');
    assert.equal(await checks.count(), 2);
    for (let i = 0; i < 2; i++) {
      const li = checks.nth(i);
      assert.match(await li.getAttribute('class'), /nl-pass/, await li.textContent());
      assert.equal(await li.locator('[data-profile="apple"]').getAttribute('data-verdict'), 'pass');
      assert.equal(await li.locator('[data-profile="rfc5280"]').getAttribute('data-verdict'), 'pass');
    }
    const password = await page.locator('[data-password]').textContent();
    assert.match(password, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    // The next steps name every platform.
    for (const id of ['ios', 'watchos', 'macos', 'simulator', 'android', 'firefox', 'nginx', 'go']) {
      assert.equal(await page.locator(`[data-guide="${id}"]`).count(), 1, id);
    }

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('button', { hasText: 'Download everything' }).click()]);
    assert.equal(download.suggestedFilename(), 'netlens-test-certificates.zip');
    const dir = tempDir('zip');
    try {
      const zip = path.join(dir, 'made.zip');
      await download.saveAs(zip);
      execFileSync('python3', ['-m', 'zipfile', '-e', zip, dir]);
      const d = path.join(dir, 'netlens-test-certificates');
      assert.deepEqual(
        readdirSync(d).sort(),
        ['README.txt', 'ca-key.pem', 'ca.pem', 'fullchain.pem', 'root.cer', 'root.mobileconfig', 'root.pem', 'server-key.pem', 'server.p12', 'server.pem'],
      );
      for (const args of [
        ['-purpose', 'sslserver', '-verify_hostname', 'printer.local'],
        ['-purpose', 'sslserver', '-verify_ip', '192.168.1.20'],
      ]) {
        const r = openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'ca.pem', ...args, 'server.pem'], d);
        assert.ok(r.text.includes('server.pem: OK'), r.text);
      }
      const info = openssl(['pkcs12', '-info', '-nokeys', '-in', 'server.p12', '-passin', `pass:${password}`], d);
      assert.ok(info.ok, info.text);
      assert.match(info.text, /MAC: sha1/);
      assert.equal(info.text.match(/pbeWithSHA1And3-KeyTripleDES-CBC/g)?.length, 2, info.text);

      // A real server with the page's identity; a client that trusts only the root.
      const port = await freePort();
      const server = spawn('openssl', ['s_server', '-quiet', '-accept', `127.0.0.1:${port}`, '-cert', 'server.pem', '-key', 'server-key.pem', '-cert_chain', 'ca.pem'], { cwd: d, stdio: 'ignore' });
      try {
        let said = '';
        for (let attempt = 0; attempt < 50 && !said.includes('Verify return code: 0 (ok)'); attempt++) {
          await new Promise((r) => setTimeout(r, 100));
          said = openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'printer.local', '-verify_hostname', 'printer.local', '-CAfile', 'root.pem', '-verify_return_error'], d).text;
        }
        assert.ok(said.includes('Verify return code: 0 (ok)'), said);
      } finally {
        server.kill('SIGKILL');
      }

      if (!existsSync(PYTHON)) {
        console.log('SKIPPED: pyca/plistlib checks (target/pki-venv is missing; scripts/setup.sh test makes it)');
        return;
      }
      const facts = JSON.parse(execFileSync(PYTHON, [path.join(ROOT, 'scripts/check-made.py'), d, password], { encoding: 'utf8' }));
      assert.equal(facts.pkcs12['server.p12'].key_matches, true);
      assert.equal(facts.pkcs12['server.p12'].extra_certificates, 1);
      const profile = facts.profiles['root.mobileconfig'];
      assert.equal(profile.payloads[0].type, 'com.apple.security.root');
      assert.equal(profile.payloads[0].is_root_cer, true);
      assert.match(profile.display_name, /only for printer\.local, 192\.168\.1\.20/);
      assert.equal(facts.pem['server-key.pem'].matches, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the page and the CLI make the same to-be-signed certificates from the same keys and moment', async () => {
    const dir = tempDir('same');
    try {
      const keys = path.join(dir, 'keys');
      execFileSync('mkdir', ['-p', keys]);
      for (const [role, alg] of [['root', 'EC'], ['ca', 'EC'], ['server', 'EC']]) {
        execFileSync('openssl', ['genpkey', '-algorithm', alg, '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path.join(keys, `${role}-key.pem`)]);
      }
      for (const role of ['root', 'ca', 'server']) {
        execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path.join(keys, `rsa-${role}.pem`)]);
      }
      const at = '2026-12-07T10:00:00Z';
      const page = await openTool();
      for (const [keyType, file] of [['p256', (r) => `${r}-key.pem`], ['rsa2048', (r) => `rsa-${r}.pem`]]) {
        const out = path.join(dir, `cli-${keyType}`);
        const keyDir = path.join(dir, `keys-${keyType}`);
        execFileSync('mkdir', ['-p', keyDir]);
        for (const role of ['root', 'ca', 'server']) writeFileSync(path.join(keyDir, `${role}-key.pem`), readFileSync(path.join(keys, file(role))));
        const cli = await runCli(['make', '--name', 'printer.local', '--name', '192.168.1.20', '--key-type', keyType, '--ca-key-type', keyType, '--keys', keyDir, '--at', at, '--out', out, '--json']);
        assert.equal(cli.status, 0, cli.stdout);
        const pem = (name) => readFileSync(path.join(out, name), 'utf8');
        const keyPem = (role) => readFileSync(path.join(keyDir, `${role}-key.pem`), 'utf8');
        const made = await page.evaluate(
          async ({ keys, at, keyType }) => {
            const netlens = await import('./netlens-embed.js');
            const r = await netlens.makeCertificates({ names: 'printer.local 192.168.1.20', keyType, caKeyType: keyType, keys, at, password: 'pw' });
            const text = (p) => new TextDecoder().decode(r.files.find((f) => f.path === p).bytes);
            return {
              passed: r.passed,
              tbs: r.toBeSigned.map((t) => [t.certificate.certificate, Array.from(t.tbs)]),
              root: text('root.pem'),
              ca: text('ca.pem'),
              server: text('server.pem'),
            };
          },
          { keys: { root: keyPem('root'), ca: keyPem('ca'), server: keyPem('server') }, at, keyType },
        );
        assert.equal(made.passed, true);
        const cliTbs = { root: tbsOf(certificates(pem('root.pem'))[0]), ca: tbsOf(certificates(pem('ca.pem'))[0]), server: tbsOf(certificates(pem('server.pem'))[0]) };
        assert.deepEqual(made.tbs.map(([id]) => id), ['root', 'ca', 'server']);
        for (const [id, bytes] of made.tbs) {
          assert.ok(Buffer.from(bytes).equals(cliTbs[id]), `${keyType} ${id}: the page's TBS differs from the CLI's`);
          assert.ok(tbsOf(certificates(made[id])[0]).equals(cliTbs[id]), `${keyType} ${id}: certificate TBS`);
        }
        // Both verify with OpenSSL; RSA PKCS#1 v1.5 signatures are deterministic, so there the
        // whole certificates are the same, while ECDSA's WebCrypto signatures are randomised.
        const pageDir = path.join(dir, `page-${keyType}`);
        execFileSync('mkdir', ['-p', pageDir]);
        for (const id of ['root', 'ca', 'server']) writeFileSync(path.join(pageDir, `${id}.pem`), made[id]);
        for (const d of [out, pageDir]) {
          const r = openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'ca.pem', '-verify_ip', '192.168.1.20', 'server.pem'], d);
          assert.ok(r.text.includes('server.pem: OK'), `${d}: ${r.text}`);
        }
        if (keyType === 'rsa2048') assert.equal(made.server, pem('server.pem'));
        else assert.notEqual(made.server, pem('server.pem'));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('each fixture is labelled with its finding and proven by analysing it', async () => {
    const page = await openTool();
    await page.locator('#nl-make-names').fill('api.example.test');
    await page.locator('summary', { hasText: 'Wrong on purpose' }).click();
    const fixtures = ['expired', 'not-yet-valid', 'wrong-host', 'missing-intermediate', 'over-825-days', 'sha1-signed', 'no-serverauth'];
    const rules = ['chain.expired', 'chain.not-yet-valid', 'tls.hostname-mismatch', 'chain.missing-intermediate', 'apple.validity-over-825-days', 'apple.sha1-signature', 'tls.missing-serverauth-eku'];
    for (const [i, f] of fixtures.entries()) {
      const label = page.locator(`label[data-fixture="${f}"]`);
      assert.equal(await label.locator('.nl-rule').textContent(), rules[i]);
      await label.locator('input').check();
    }
    await make(page);
    for (const [i, f] of fixtures.entries()) {
      const li = page.locator(`.nl-make-checks > li[data-fixture="${f}"]`);
      assert.match(await li.getAttribute('class'), /nl-pass/, await li.textContent());
      assert.ok((await li.textContent()).includes(`${rules[i]} fires`), await li.textContent());
      assert.equal(await li.locator(`.nl-finding[data-rule="${rules[i]}"]`).count() >= 1, true, f);
    }
    assert.equal(await page.locator('.nl-make-files li[data-path="fixtures/sha1-signed/fullchain.pem"]').count(), 1);
  });

  test('bad input is refused with a sentence; a pasted CA is re-used, and a stranger\'s key is not', async () => {
    const page = await openTool();
    await page.locator('#nl-make-names').fill('Office Printer._ipp._tcp.local.');
    await page.locator('.nl-field-error', { hasText: 'service instance name' }).waitFor();
    assert.equal(await page.locator('button[type=submit]').isDisabled(), true);

    const dir = tempDir('reuse');
    try {
      const first = path.join(dir, 'first');
      const other = path.join(dir, 'other');
      assert.equal((await runCli(['make', '--name', 'printer.local', '--out', first])).status, 0);
      assert.equal((await runCli(['make', '--name', 'printer.local', '--out', other])).status, 0);
      const read = (d, f) => readFileSync(path.join(d, f), 'utf8');
      await page.locator('#nl-make-names').fill('www.printer.local');
      await page.locator('summary', { hasText: 'Certificate authority' }).click();
      await page.locator('label', { hasText: 'Issue from a CA I have' }).locator('input').check();
      await page.locator('#nl-make-ca-cert').fill(read(first, 'ca.pem') + read(first, 'root.pem'));
      await page.locator('#nl-make-ca-key').fill(read(other, 'ca-key.pem'));
      await page.locator('button[type=submit]').click();
      await page.locator('.nl-field-error', { hasText: 'is not the key of the CA certificate' }).waitFor({ timeout: 30_000 });

      await page.locator('#nl-make-ca-key').fill(read(first, 'ca-key.pem'));
      await make(page);
      const li = page.locator('.nl-make-checks > li').first();
      assert.match(await li.getAttribute('class'), /nl-pass/, await li.textContent());
      assert.equal(await page.locator('.nl-make-files li[data-path="ca-key.pem"]').count(), 0, 'the user has the CA key');
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.nl-make-files li[data-path="root.pem"] button').click()]);
      const chunks = [];
      for await (const chunk of await download.createReadStream()) chunks.push(chunk);
      assert.equal(Buffer.concat(chunks).toString(), read(first, 'root.pem'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
