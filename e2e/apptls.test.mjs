// The App TLS tool (issue 28), in Chromium and WebKit: the page's three parts (explain an
// error, lint the ATS dictionary, pin sets) with their examples, typed input, a dropped binary
// Info.plist made by CPython's plistlib, bad input; the element with `tool=…`; the JS API; and a
// chain issued by an intercepting proxy's root (openssl) named as such by the chain analysis.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixture, useSession } from './harness.mjs';

const session = useSession();
const CHAIN = fixture('demo-chain.pem').toString();
const CONSOLE = `Connection 1: default TLS Trust evaluation failed(-9807)
Task <96AF05AA-F7F8-46E4-A3B0-6C9FF25CE87D>.<1> HTTP load failed, 0/0 bytes (error code: -1202 [3:-9807])`;

const names = (page, selector) => page.locator(selector).evaluateAll((els) => els.map((e) => e.getAttribute('data-name') ?? e.getAttribute('data-rule')));

test('the App TLS page explains console output, lints an Info.plist and checks pins', async () => {
  const page = await session.newPage();
  await page.goto(`${session.server.url}#/apptls`);
  await page.locator('.nl-tool-head h1').waitFor();
  assert.equal(await page.title(), 'App TLS · netlens');

  // Explain: every code and line, in order, with Apple's text and the next step.
  await page.fill('#nl-apptls-error', CONSOLE);
  await page.locator('.nl-explained').nth(2).waitFor();
  assert.deepEqual(await names(page, '.nl-explained'), [
    'default TLS Trust evaluation failed',
    'errSSLXCertChainInvalid',
    'NSURLErrorServerCertificateUntrusted',
  ]);
  assert.match(await page.locator('.nl-explained[data-name="errSSLXCertChainInvalid"]').textContent(), /Apple: “invalid certificate chain”/);
  assert.match(await page.locator('.nl-next-steps').textContent(), /netlens chain --connect HOST/);
  // A number in an Apple range netlens does not know is said so.
  await page.fill('#nl-apptls-error', 'failed (-9870)');
  await page.locator('.nl-explained-unknown[data-number="-9870"]').waitFor();
  await page.getByRole('button', { name: 'Example: console output' }).click();
  await page.locator('.nl-explained[data-name="ATS failed system trust"]').waitFor();

  // The ATS dictionary: the example's mistakes, then the rules that apply to its host.
  await page.getByRole('button', { name: 'Example: common mistakes' }).click();
  await page.locator('.nl-apptls-ats .nl-finding[data-rule="app.ats-unknown-key"]').waitFor();
  const rules = await names(page, '.nl-apptls-ats .nl-finding');
  for (const rule of ['app.ats-unknown-key', 'app.ats-domain-not-a-name', 'app.ats-not-boolean', 'app.ats-minimum-tls-invalid', 'app.ats-old-tls']) {
    assert.ok(rules.includes(rule), `${rule} in ${rules}`);
  }
  assert.match(await page.locator('.nl-apptls-host').textContent(), /For api\.example\.com, ATS's default applies/);
  // Bad input: one sentence.
  await page.fill('#nl-apptls-plist', '<plist><dict><key>NSAppTransportSecurity</key><dict>');
  assert.match(await page.locator('.nl-apptls-ats [role="alert"]').textContent(), /^The XML property list cannot be read at line 1: it ends inside a `<dict>`/);

  // Pins: the demo chain's pins, the recommendation, the fragments, and a leaf pin that
  // matches the leaf; the renewal (the root alone here) matches neither pin.
  await page.getByRole('button', { name: 'Example: a leaf pin and a renewal' }).click();
  await page.locator('.nl-pin-table tbody tr').nth(2).waitFor();
  assert.deepEqual(await page.locator('.nl-pin-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.role)), ['leaf', 'intermediate', 'root']);
  assert.match(await page.locator('.nl-fragment-plist pre').textContent(), /<key>NSPinnedCAIdentities<\/key>/);
  assert.match(await page.locator('.nl-fragment-okhttp pre').textContent(), /\.add\("www\.netlens\.test", "sha256\//);
  assert.equal(await page.locator('.nl-pin-check .nl-verdict-result').getAttribute('data-connects'), 'true');
  await page.locator('.nl-pin-check .nl-finding[data-rule="app.pin-leaf-only"]').waitFor();
  const root = CHAIN.slice(CHAIN.lastIndexOf('-----BEGIN CERTIFICATE-----'));
  await page.fill('#nl-apptls-next', root);
  await page.locator('.nl-pin-check .nl-finding[data-rule="app.pin-rotation-breaks"]').waitFor();
  assert.match(await page.locator('.nl-pin-check .nl-verdict-result').textContent(), /but not after the rotation/);
  await page.fill('#nl-apptls-pin-set', 'sha256/not base64!');
  assert.match(await page.locator('.nl-pin-check .nl-finding[data-rule="app.pin-invalid"]').textContent(), /is not base64/);
});

test('a binary Info.plist opened from a file is linted like its XML', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netlens-apptls-'));
  try {
    const binary = path.join(dir, 'Info.plist');
    try {
      execFileSync('python3', [
        '-c',
        "import plistlib,sys; open(sys.argv[1],'wb').write(plistlib.dumps({'CFBundleIdentifier':'com.example','NSAppTransportSecurity':{'NSAllowsArbitraryLoads':True}}, fmt=plistlib.FMT_BINARY))",
        binary,
      ]);
    } catch {
      t.skip('python3 with plistlib is not available');
      return;
    }
    const page = await session.newPage();
    await page.goto(`${session.server.url}#/apptls`);
    await page.locator('.nl-apptls-ats input[type=file]').setInputFiles(binary);
    await page.locator('.nl-apptls-file', { hasText: 'Reading Info.plist' }).waitFor();
    await page.locator('.nl-apptls-ats .nl-finding[data-rule="app.ats-arbitrary-loads"]').waitFor();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('<netlens-apptls tool="…"> shows one part, with its text as input; the JS API answers as the CLI', async () => {
  const page = await session.newPage();
  await page.goto(`${session.server.url}embed-demo.html`);
  const result = await page.evaluate(async (chain) => {
    const host = document.createElement('div');
    host.innerHTML = '<netlens-apptls tool="error">-9813</netlens-apptls>';
    document.body.append(host);
    const api = await import('./netlens-embed.js');
    const explained = await api.explainTlsError('NWError tls(-9830)');
    const lint = await api.lintAtsDictionary('<dict><key>NSAllowsArbitraryLoads</key><string>YES</string></dict>', { host: 'a.example' });
    const pins = await api.pinsFromChain(chain, { host: 'www.netlens.test' });
    const check = await api.checkPins(`sha256/${pins.recommended[0]}`, chain);
    let refused = null;
    try {
      await api.lintAtsDictionary('<dict><key>NSBonjourServices</key><array/></dict>');
    } catch (e) {
      refused = e.message;
    }
    return {
      explained: explained.recognised[0].name,
      lint: lint.findings.map((f) => f.rule),
      host: lint.host.ats_applies,
      recommended: pins.recommended.length,
      connects: check.connects,
      refused,
      rules: (await api.appRuleCatalog()).length,
    };
  }, CHAIN);
  assert.equal(result.explained, 'errSSLIllegalParam');
  assert.deepEqual(result.lint, ['app.ats-not-boolean']);
  assert.equal(result.host, true);
  assert.equal(result.recommended, 2);
  assert.equal(result.connects, true);
  assert.match(result.refused, /is not an ATS dictionary/);
  assert.ok(result.rules >= 25);
  const element = page.locator('netlens-apptls');
  await element.locator('.nl-explained[data-name="errSSLNoRootCert"]').waitFor();
  assert.equal(await element.locator('.nl-apptls-ats').count(), 0, 'only the error part');
  assert.equal(await element.locator('.nl-tool-head').count(), 0, 'no page heading in an element');
});

test('a chain issued by Charles Proxy’s root is named as interception by the chain analysis', async (t) => {
  // The proxy's root as Charles makes it (O=XK72 Ltd, "Charles Proxy CA (date, host)"), and a
  // certificate it signs for the host, made with openssl.
  const dir = mkdtempSync(path.join(tmpdir(), 'netlens-charles-'));
  try {
    const run = (args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30',
        '-subj', '/C=NZ/O=XK72 Ltd/OU=https:\\/\\/charlesproxy.com\\/ssl/CN=Charles Proxy CA (7 Dec 2026, mac.local)',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
      run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=www.example.com']);
      writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=DNS:www.example.com\nextendedKeyUsage=serverAuth\n');
      run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '20', '-extfile', 'ext.cnf', '-out', 'leaf.pem']);
    } catch {
      t.skip('openssl is not available (Debian: openssl)');
      return;
    }
    const chain = readFileSync(path.join(dir, 'leaf.pem'), 'utf8') + readFileSync(path.join(dir, 'ca.pem'), 'utf8');
    const page = await session.newPage();
    await page.goto(`${session.server.url}embed-demo.html`);
    await page.evaluate((pem) => {
      const host = document.createElement('div');
      const element = document.createElement('netlens-chain');
      element.id = 'proxied';
      element.setAttribute('host', 'www.example.com');
      element.textContent = pem;
      host.append(element);
      document.body.append(host);
    }, chain);
    const finding = page.locator('#proxied .nl-finding[data-rule="trust.intercepting-proxy"]');
    await finding.waitFor();
    assert.match(await finding.locator('summary').textContent(), /Charles Proxy .*the client sees the proxy's certificate, not the server's/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
