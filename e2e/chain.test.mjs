// The chain analysis tool, built for release, in Chromium: a dropped chain missing its
// intermediate, the same chain completed, a chain sent in the wrong order with its fix copied,
// certificate details one click away, report export, and the JS API.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dropFiles, fixture, loadedUrls, pasteInto, readClipboard, runCli, sharedData, useSession } from './harness.mjs';

const session = useSession({ clipboard: true });

const [LEAF, INTERMEDIATE, ROOT] = fixture('demo-chain.pem')
  .toString()
  .split(/(?<=-----END CERTIFICATE-----\n)/);
const AIA_URL = 'http://pki.netlens.test/issuing-ca-1.cer';

/** `pem` with one byte of its signature flipped (the last bytes of the DER are the signature). */
function tamperSignature(pem) {
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
  der[der.length - 8] ^= 0x01;
  const lines = der.toString('base64').match(/.{1,64}/g).join('\n');
  return `-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`;
}

/** Opens the chain tool validating at 2026-06-01 (inside the demo leaf's validity) for the demo host. */
async function openChainTool() {
  const page = await session.newPage();
  await page.goto(`${session.server.url}#/chain`);
  await page.locator('h1', { hasText: 'Certificate chain analysis' }).waitFor();
  await page.locator('#nl-chain-at').fill('2026-06-01T00:00');
  await page.locator('#nl-chain-host').fill('www.netlens.test');
  return page;
}

const chainZone = (page) => page.locator('.nl-chain-inputs > .nl-dropzone').first();
const anchorZone = (page) => page.locator('.nl-dropzone.nl-anchors');
const verdict = (page, profile) => page.locator(`.nl-verdict[data-profile="${profile}"] .nl-verdict-result`);
const matrix = (page) =>
  page.locator('.nl-trust-matrix tbody tr').evaluateAll((rows) =>
    Object.fromEntries(
      rows.map((r) => [
        r.dataset.store,
        { trusted: r.querySelector('.nl-trust-result').textContent, reason: r.querySelector('.nl-trust-reason').textContent },
      ]),
    ),
  );
/** The report the page shows, through its "Copy JSON" button. */
async function copiedReport(page) {
  await page.getByRole('button', { name: 'Copy JSON' }).click();
  await page.getByRole('button', { name: 'Copied' }).waitFor();
  return JSON.parse(await readClipboard(page));
}
const settled = (page) => page.locator('.nl-chain-results[aria-busy="false"]').waitFor();
const rules = (page, severity) =>
  page.locator(`.nl-finding.nl-sev-${severity}`).evaluateAll((list) => list.map((f) => f.dataset.rule));

describe('certificate chain analysis', () => {
  test('a dropped chain missing its intermediate: chain.missing-intermediate with the AIA URL', async () => {
    const page = await openChainTool();
    await dropFiles(page, chainZone(page), [{ name: 'leaf.der', bytes: fixture('demo-leaf.der') }]);
    await dropFiles(page, anchorZone(page), [{ name: 'root.der', bytes: fixture('demo-root.der') }]);
    await page.locator('.nl-chain .nl-files', { hasText: 'root.der' }).waitFor();

    const finding = page.locator('.nl-finding[data-rule="chain.missing-intermediate"]');
    await finding.waitFor();
    assert.equal(await verdict(page, 'apple').textContent(), 'FAIL');
    assert.equal(await verdict(page, 'rfc5280').textContent(), 'FAIL');
    const summary = await finding.locator('summary').textContent();
    assert.match(summary, /#1 www\.netlens\.test/);
    assert.match(summary, /CN=Netlens Test Issuing CA 1,O=Netlens Test PKI,C=US/);
    assert.ok(summary.includes(AIA_URL), `the finding names the AIA URL: ${summary}`);

    // Expanded, it gives the source and a concrete fix.
    await finding.locator('summary').click();
    const body = await finding.textContent();
    assert.match(body, /RFC 8446 §4\.4\.2/);
    assert.ok(body.includes(`curl -sSfo issuer.crt ${AIA_URL}`), `the fix downloads the intermediate: ${body}`);
    // No path, so nothing deployable yet.
    assert.match(await page.locator('.nl-fixed').textContent(), /No deployable chain yet/);
  });

  test('the same chain with its intermediate: apple passes, the diagram shows the path', async () => {
    const page = await openChainTool();
    await dropFiles(page, chainZone(page), [
      { name: 'leaf.der', bytes: fixture('demo-leaf.der') },
      { name: 'issuing-ca.pem', bytes: Buffer.from(INTERMEDIATE) },
    ]);
    await dropFiles(page, anchorZone(page), [{ name: 'root.der', bytes: fixture('demo-root.der') }]);

    await page.locator('.nl-chain .nl-files', { hasText: 'root.der' }).waitFor();
    await page.locator('.nl-verdict.nl-pass[data-profile="apple"]').waitFor();
    assert.equal(await verdict(page, 'apple').textContent(), 'PASS');
    assert.equal(await verdict(page, 'rfc5280').textContent(), 'PASS');
    assert.deepEqual(await rules(page, 'error'), []);
    assert.ok((await rules(page, 'info')).includes('info.revocation-pointers'));
    // As built: leaf, intermediate, then the user's root, each link's signature verified.
    const built = await page.locator('.nl-built .nl-node-label').allTextContents();
    assert.deepEqual(built.map((l) => l.replace(/^#\d+ /, '')), ['www.netlens.test', 'Netlens Test Issuing CA 1', 'Netlens Test Root CA']);
    assert.equal(await page.locator('.nl-built .nl-sig-valid').count(), 2);
    assert.match(await page.locator('.nl-fixed').textContent(), /The chain as sent is the one to deploy/);

    // The decoder's details are one click away.
    await page.locator('.nl-built .nl-node-label').nth(1).click();
    const card = page.locator('.nl-selected .nl-cert-card');
    await card.waitFor();
    assert.match(await card.textContent(), /EC P-384/);
  });

  test('a chain sent in the wrong order with its root: copy the fixed chain', async () => {
    const page = await openChainTool();
    await pasteInto(page, page.locator('#nl-chain-input'), INTERMEDIATE + ROOT + LEAF);
    await pasteInto(page, page.locator('#nl-chain-anchors'), ROOT);
    await page.locator('.nl-finding[data-rule="chain.wrong-order"]').waitFor();
    assert.deepEqual(await rules(page, 'warning'), ['chain.wrong-order']);
    const info = await rules(page, 'info');
    assert.ok(info.includes('chain.contains-anchor'), `info: ${info}`);
    assert.equal(await verdict(page, 'apple').textContent(), 'PASS');

    const sent = await page.locator('.nl-sent .nl-tag').allTextContents();
    assert.deepEqual(sent, ['intermediate', 'anchor', 'leaf']);
    assert.match(await page.locator('.nl-fixed').textContent(), /Deploy this chain instead: #3, #1/);
    await page.getByRole('button', { name: 'Copy fixed chain' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await readClipboard(page), LEAF + INTERMEDIATE);
  });

  test('the report exports as JSON and Markdown', async () => {
    const page = await openChainTool();
    await page.getByRole('button', { name: 'Example: missing intermediate' }).click();
    await page.locator('.nl-finding[data-rule="chain.missing-intermediate"]').waitFor();

    await page.getByRole('button', { name: 'Copy JSON' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    const report = JSON.parse(await readClipboard(page));
    assert.deepEqual(report.verdicts, { apple: 'fail', rfc5280: 'fail' });
    assert.ok(report.findings.some((f) => f.rule === 'chain.missing-intermediate' && f.certificate === 0));
    assert.equal(report.chain_as_sent.length, 1);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download Markdown' }).click();
    const file = await download;
    assert.equal(file.suggestedFilename(), 'netlens-chain.md');
    const chunks = [];
    for await (const chunk of await file.createReadStream()) chunks.push(chunk);
    const markdown = Buffer.concat(chunks).toString();
    assert.match(markdown, /chain\.missing-intermediate/);
    assert.match(markdown, /\| apple \(iOS \/ macOS [^|]*\| \*\*fail\*\* \|/);
  });

  test('the JS API analyzes with WebCrypto, loads the verification module only for what it does not confirm, and agrees with pure Rust', async () => {
    const page = await session.newPage();
    const verifyModule = async () => (await loadedUrls(page)).filter((url) => /netlens-web-verify-[0-9a-f]{16}/.test(url));
    await page.goto(session.server.url);
    const analyze = (chain, webcrypto) =>
      page.evaluate(
        async ({ chain, anchor, webcrypto }) => {
          const chainModule = await (await import('./netlens-embed.js')).loadTool('netlens-chain');
          const options = { anchors: anchor, host: 'www.netlens.test', at: new Date('2026-06-01T00:00:00Z'), builtinRoots: false, webcrypto };
          const report = await chainModule.analyzeChainAsync(chain, options);
          return { json: JSON.stringify(report), plain: Object.getPrototypeOf(report) === Object.prototype };
        },
        { chain, anchor: ROOT, webcrypto },
      );
    const viaWebCrypto = await analyze(LEAF + INTERMEDIATE, true);
    assert.equal(viaWebCrypto.plain, true);
    assert.deepEqual(JSON.parse(viaWebCrypto.json).verdicts, { apple: 'pass', rfc5280: 'pass' });
    assert.deepEqual(await verifyModule(), [], 'WebCrypto confirmed every signature: no verification module');
    // A tampered leaf signature: WebCrypto cannot confirm it, the verification module (RustCrypto,
    // loaded now, .js and .wasm) says why, exactly as the pure-Rust path does.
    const broken = JSON.parse((await analyze(tamperSignature(LEAF) + INTERMEDIATE, true)).json);
    assert.equal((await verifyModule()).length, 2, `${await verifyModule()}`);
    const invalid = broken.findings.find((f) => f.rule === 'chain.signature-invalid');
    assert.ok(invalid, `${broken.findings.map((f) => f.rule)}`);
    assert.match(invalid.message, /does not match the issuer's key/);
    const brokenViaRust = await analyze(tamperSignature(LEAF) + INTERMEDIATE, false);
    assert.equal(brokenViaRust.json, JSON.stringify(broken));
    assert.equal((await analyze(LEAF + INTERMEDIATE, false)).json, viaWebCrypto.json);
    assert.equal((await verifyModule()).length, 2, 'the verification module is loaded once');
  });

  test('the trust matrix: each store says whether it trusts the chain, and why not', async () => {
    const page = await openChainTool();
    await pasteInto(page, page.locator('#nl-chain-input'), LEAF + INTERMEDIATE);
    await page.locator('.nl-trust-matrix tbody tr').first().waitFor();
    await settled(page);
    let rows = await matrix(page);
    assert.deepEqual(Object.keys(rows), ['apple', 'mozilla', 'chrome']);
    const names = { apple: "Apple's trust store", mozilla: "Mozilla's root store", chrome: 'the Chrome Root Store' };
    for (const [store, row] of Object.entries(rows)) {
      assert.equal(row.trusted, 'no', store);
      assert.ok(row.reason.includes('CN=Netlens Test Root CA'), `${store}: ${row.reason}`);
      assert.ok(row.reason.includes(names[store]), `${store}: ${row.reason}`);
    }
    // The verdict tiles name the store each verdict anchors on.
    assert.match(await page.locator('.nl-verdict[data-profile="apple"] .nl-verdict-store').textContent(), /Apple's trust store 2025072000/);
    assert.match(await page.locator('.nl-verdict[data-profile="rfc5280"] .nl-verdict-store').textContent(), /Mozilla's root store NSS/);

    // With the private root as an anchor, every store's evaluation trusts it.
    await pasteInto(page, page.locator('#nl-chain-anchors'), ROOT);
    await page.locator('.nl-trust-matrix tr[data-store="apple"].nl-pass').waitFor();
    rows = await matrix(page);
    for (const [store, row] of Object.entries(rows)) {
      assert.equal(row.trusted, 'yes', store);
      assert.match(row.reason, /one of your trust anchors/);
    }
    // Markdown carries the matrix too.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download Markdown' }).click();
    const chunks = [];
    for await (const chunk of await (await download).createReadStream()) chunks.push(chunk);
    assert.match(Buffer.concat(chunks).toString(), /## Trust by root store[\s\S]*\| Apple's trust store \| 2025072000 \| yes \|/);
  });

  test('Certificate Transparency: each SCT with where it came from, both policies, what was looked at', async () => {
    const page = await openChainTool();
    await pasteInto(page, page.locator('#nl-chain-input'), LEAF + INTERMEDIATE);
    await pasteInto(page, page.locator('#nl-chain-anchors'), ROOT);
    // Apple's CT policy applies to public roots: say the anchor is one.
    await page.locator('.nl-anchors input[type="checkbox"]').check();
    await page.locator('.nl-ct').waitFor();
    const rows = await page.locator('.nl-ct-scts tbody tr').all();
    assert.equal(rows.length, 3);
    for (const row of rows) assert.equal(await row.getAttribute('data-source'), 'embedded');
    assert.match(await page.locator('.nl-ct-policies li[data-policy="apple"]').textContent(), /^Apple: /);
    assert.match(await page.locator('.nl-ct-policies li[data-policy="chrome"]').textContent(), /^Chrome: /);
    const said = await page.locator('.nl-ct > p').textContent();
    assert.match(said, /TLS extension: not looked at/);
    assert.match(said, /Judged with Apple's CT log list \d+ \(\d{4}-\d{2}-\d{2}, built in\)/);
  });

  test('a PKCS#12 identity: dropped, opened with its password in the page, its chain analyzed, Apple\'s import verdict said', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netlens-e2e-p12-'));
    try {
      writeFileSync(path.join(dir, 'pw.txt'), 's3cret-pw\n');
      for (const [out, format] of [['apple', 'apple'], ['modern', 'modern']]) {
        const made = await runCli(
          ['make', '--name', 'printer.local', '--out', path.join(dir, out), '--password-file', path.join(dir, 'pw.txt'), '--pkcs12', format],
          '',
        );
        assert.equal(made.status, 0);
      }
      const page = await openChainTool();
      await dropFiles(page, chainZone(page), [{ name: 'server.p12', bytes: readFileSync(path.join(dir, 'apple', 'server.p12')) }]);
      const field = page.locator('.nl-pkcs12-locked input[type="password"]');
      await field.waitFor();
      // A wrong password: one sentence, the file stays locked.
      await field.fill('wrong');
      await page.locator('.nl-pkcs12-locked button[type="submit"]').click();
      assert.match(await page.locator('.nl-pkcs12-locked [role="alert"]').textContent(), /^The password does not open it/);
      await field.fill('s3cret-pw');
      await page.locator('.nl-pkcs12-locked button[type="submit"]').click();
      const opened = page.locator('.nl-pkcs12-opened');
      await opened.waitFor();
      assert.equal(await opened.getAttribute('data-verdict'), 'imports');
      assert.match(await opened.textContent(), /private key matches certificate 1/);
      // Its certificates are the chain: leaf and intermediate, analyzed.
      await page.locator('.nl-verdict[data-profile="apple"] .nl-verdict-result').waitFor();
      assert.match(await page.locator('.nl-chain-inputs').textContent(), /server\.p12 \(PKCS#12\)/);
      // The password is not in the page once used.
      assert.equal(await field.count(), 0);

      // OpenSSL 3's modern format: some Apple releases refuse it, and the page says how to re-export.
      await dropFiles(page, chainZone(page), [{ name: 'modern.p12', bytes: readFileSync(path.join(dir, 'modern', 'server.p12')) }]);
      await page.locator('.nl-pkcs12-locked input[type="password"]').fill('s3cret-pw');
      await page.locator('.nl-pkcs12-locked button[type="submit"]').click();
      const modern = page.locator('.nl-pkcs12-opened[data-verdict="may_refuse"]');
      await modern.waitFor();
      assert.match(await modern.textContent(), /-legacy/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the page's report equals the CLI's JSON for the same input", async () => {
    const page = await openChainTool();
    await pasteInto(page, page.locator('#nl-chain-input'), LEAF + INTERMEDIATE);
    await pasteInto(page, page.locator('#nl-chain-anchors'), ROOT);
    await page.locator('.nl-verdict.nl-pass[data-profile="apple"]').waitFor();
    await settled(page);
    const fromPage = await copiedReport(page);

    const dir = mkdtempSync(path.join(tmpdir(), 'netlens-e2e-'));
    try {
      writeFileSync(path.join(dir, 'root.pem'), ROOT);
      const cli = await runCli(
        ['chain', '-', '--anchors', path.join(dir, 'root.pem'), '--host', 'www.netlens.test', '--at', '2026-06-01T00:00:00Z', '--json'],
        LEAF + INTERMEDIATE,
      );
      assert.equal(cli.status, 0);
      assert.deepEqual(fromPage, JSON.parse(cli.stdout));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(Object.keys(fromPage.trust), ['apple', 'chrome', 'mozilla']);
  });

  test('real chains and roots against the built-in stores (with ../shared/data)', async (t) => {
    const limbo = sharedData('x509-limbo/limbo.json');
    const appleRoots = sharedData('apple-roots');
    if (!limbo || !appleRoots) {
      t.skip('SKIPPED: ../shared/data (x509-limbo, apple-roots) not found');
      return;
    }
    const suite = JSON.parse(readFileSync(limbo, 'utf8'));
    const c = suite.testcases.find((x) => x.id === 'online::apple.com');
    const page = await session.newPage();
    await page.goto(`${session.server.url}#/chain`);
    // The page takes minutes; the leaf was issued seconds before its capture, so the next minute.
    const at = new Date(Date.parse(c.validation_time) + 60_000).toISOString().slice(0, 16);
    await page.locator('#nl-chain-at').fill(at);
    await page.locator('#nl-chain-host').fill(c.expected_peer_name.value);
    const served = c.peer_certificate + c.untrusted_intermediates.join('');
    await pasteInto(page, page.locator('#nl-chain-input'), served);
    await page.locator('.nl-trust-matrix tr[data-store="chrome"].nl-pass').waitFor();
    await settled(page);
    for (const [store, row] of Object.entries(await matrix(page))) {
      assert.equal(row.trusted, 'yes', `${store}: ${row.reason}`);
    }
    assert.equal(await verdict(page, 'apple').textContent(), 'PASS');
    // The page (WebCrypto) and the CLI (RustCrypto) agree on a real chain and the real stores.
    const fromPage = await copiedReport(page);
    const cli = await runCli(['chain', '-', '--host', c.expected_peer_name.value, '--at', `${at}:00Z`, '--json'], served);
    assert.deepEqual(fromPage, JSON.parse(cli.stdout));

    // A root only Apple ships, pasted alone: Apple's store holds it, the others do not.
    const listing = JSON.parse((await runCli(['roots', '--store', 'apple', '--json'])).stdout);
    const appleOnly = listing.roots.find((r) => r.also_in.length === 0 && r.constraints.length === 0);
    const file = readdirSync(appleRoots).find((f) => f.toUpperCase().startsWith(appleOnly.sha256));
    const der = readFileSync(path.join(appleRoots, file));
    await page.getByRole('button', { name: 'Clear' }).click();
    await dropFiles(page, chainZone(page), [{ name: 'apple-only.cer', bytes: der }]);
    await page.locator('.nl-trust-matrix tr[data-store="apple"].nl-pass').waitFor();
    const rows = await matrix(page);
    assert.equal(rows.apple.trusted, 'yes');
    assert.equal(rows.mozilla.trusted, 'no');
    assert.match(rows.mozilla.reason, /not in Mozilla's root store/);
    assert.equal(rows.chrome.trusted, 'no');
  });
});
