// The chain analysis tool, built for release, in Chromium: a dropped chain missing its
// intermediate, the same chain completed, a chain sent in the wrong order with its fix copied,
// certificate details one click away, report export, and the JS API.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dropFiles, fixture, pasteInto, useSession } from './harness.mjs';

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
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), LEAF + INTERMEDIATE);
  });

  test('the report exports as JSON and Markdown', async () => {
    const page = await openChainTool();
    await page.getByRole('button', { name: 'Example: missing intermediate' }).click();
    await page.locator('.nl-finding[data-rule="chain.missing-intermediate"]').waitFor();

    await page.getByRole('button', { name: 'Copy JSON' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    const report = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
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

  test('the JS API analyzes with WebCrypto and agrees with the pure-Rust path', async () => {
    const page = await session.newPage();
    await page.goto(session.server.url);
    await page.waitForFunction(() => window.wasmBindings?.analyzeChainAsync);
    const result = await page.evaluate(
      async ({ chain, tampered, anchor }) => {
        const options = { anchors: anchor, host: 'www.netlens.test', at: new Date('2026-06-01T00:00:00Z'), builtinRoots: false };
        const viaWebCrypto = await window.wasmBindings.analyzeChainAsync(chain, options);
        const viaRust = window.wasmBindings.analyzeChain(chain, options);
        // A tampered leaf signature fails (WebCrypto cannot confirm it; RustCrypto explains).
        const broken = await window.wasmBindings.analyzeChainAsync(tampered, options);
        return {
          same: JSON.stringify(viaWebCrypto) === JSON.stringify(viaRust),
          verdicts: viaWebCrypto.verdicts,
          plain: Object.getPrototypeOf(viaWebCrypto) === Object.prototype,
          broken: broken.findings.map((f) => f.rule),
        };
      },
      { chain: LEAF + INTERMEDIATE, tampered: tamperSignature(LEAF) + INTERMEDIATE, anchor: ROOT },
    );
    assert.equal(result.same, true);
    assert.equal(result.plain, true);
    assert.deepEqual(result.verdicts, { apple: 'pass', rfc5280: 'pass' });
    assert.ok(result.broken.includes('chain.signature-invalid'), `${result.broken}`);
  });
});
