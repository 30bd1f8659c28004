// The app, built for release, in Chromium: shell, routes, the certificate decoder with paste,
// drop, file picker, errors and limits, and the JS API (each tool its own module).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DEMO_SUBJECTS,
  FIXTURES,
  distUnderSubPath,
  dropFiles,
  fixture,
  pageHeaders,
  pasteInto,
  readClipboard,
  runCli,
  startServer,
  useSession,
} from './harness.mjs';

const session = useSession({ clipboard: true });
const newPage = () => session.newPage();

const subjects = (page) => page.locator('.nl-cert-subject').allTextContents();

describe('app shell', () => {
  test('lists the real tools, each with its own working URL', async () => {
    const page = await newPage();
    await page.goto(session.server.url);
    await page.locator('.nl-tool-entry').first().waitFor();
    const tools = await page.locator('.nl-tool-entry a').evaluateAll((links) =>
      links.map((a) => [a.textContent, a.getAttribute('href')]),
    );
    assert.deepEqual(tools, [
      ['Certificate chain analysis', '#/chain'],
      ['Certificate decoder', '#/decoder'],
      ['DNS-SD / Bonjour validator', '#/dnssd'],
      ['WebSocket latency probe', '#/probe'],
      ['Test certificates', '#/make'],
      ['App TLS', '#/apptls'],
    ]);
    assert.equal(await page.title(), 'netlens');

    for (const [name, href] of tools) {
      await page.goto(session.server.url);
      await page.locator('.nl-tool-entry a', { hasText: name }).click();
      await page.locator('.nl-tool-head h1').waitFor();
      assert.equal(new URL(page.url()).hash, href);
      assert.equal(await page.title(), `${name} · netlens`);
      assert.equal(await page.locator('.nl-nav a[aria-current="page"]').textContent(), name);
    }

    // The rule catalog has its own page, linked from the shell.
    await page.goto(`${session.server.url}#/rules`);
    await page.locator('tr[id="chain.missing-intermediate"]').waitFor();
    assert.equal(await page.locator('.nl-chain-rules tbody tr').count(), (await page.evaluate(async () => (await import('./netlens-embed.js')).ruleCatalog())).length);
    assert.equal(await page.locator('.nl-dnssd-rules tbody tr').count(), (await page.evaluate(async () => (await import('./netlens-embed.js')).dnssdRuleCatalog())).length);
    // DNS-SD rules show how each implementation treats the problem, with the detail on hover.
    const hyphen = page.locator('tr[id="service.name-bad-hyphen"] .nl-impl-list li', { hasText: 'Avahi' });
    assert.match(await hyphen.textContent(), /^Avahi: \w+/);
    assert.ok((await hyphen.getAttribute('title')).length > 10);

    // A deep link opens the tool directly; an unknown one says so.
    await page.goto(`${session.server.url}#/decoder`);
    await page.locator('h1', { hasText: 'Certificate decoder' }).waitFor();
    await page.goto(`${session.server.url}#/no-such-tool`);
    await page.locator('h1', { hasText: 'Page not found' }).waitFor();
  });

  test('is cross-origin isolated (COOP/COEP) for precise timers', async () => {
    const page = await newPage();
    await page.goto(session.server.url);
    const headers = await pageHeaders(page);
    assert.equal(headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(headers['cross-origin-embedder-policy'], 'require-corp');
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  });

  test('works from a copy of dist/ under a sub-path', async () => {
    const [root, subPath] = distUnderSubPath();
    const subServer = await startServer(root, subPath);
    try {
      const page = await newPage();
      await page.goto(`${subServer.url}${subPath}#/decoder`);
      await page.getByRole('button', { name: 'Try an example' }).click();
      await page.locator('.nl-cert-card').nth(2).waitFor();
      assert.deepEqual(await subjects(page), DEMO_SUBJECTS);
    } finally {
      await subServer.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('certificate decoder', () => {
  test('paste a 3-certificate chain: three certificates with the right subjects', async () => {
    const page = await newPage();
    await page.goto(`${session.server.url}#/decoder`);
    const sClient = `CONNECTED(00000003)\n---\nCertificate chain\n${fixture('demo-chain.pem')}---\nVerify return code: 0 (ok)\n`;
    await pasteInto(page, page.locator('textarea'), sClient);
    await page.locator('.nl-cert-card').nth(2).waitFor();
    assert.deepEqual(await subjects(page), DEMO_SUBJECTS);
    assert.equal(await page.locator('.nl-count').textContent(), '3 certificates');
    assert.equal(await page.locator('.nl-problem').count(), 0);
    const leaf = page.locator('.nl-cert-card').first();
    for (const text of ['DNS:www.netlens.test', 'IP:2001:db8::10', 'EC P-256', 'TLS Web Server Authentication (serverAuth)', 'http://ocsp.netlens.test', 'rRAsdGdkqfD/+qEYDrLfjActE6d0Pki4OdqpW/U+lUY=']) {
      assert.ok((await leaf.textContent()).includes(text), `leaf card shows ${text}`);
    }

    // Copy the SPKI pin: the clipboard holds exactly the base64 value.
    await leaf.getByRole('button', { name: 'Copy' }).nth(1).click();
    await leaf.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await readClipboard(page), 'rRAsdGdkqfD/+qEYDrLfjActE6d0Pki4OdqpW/U+lUY=');
  });

  test('drop a DER file, then pick a PKCS#7 bundle', async () => {
    const page = await newPage();
    await page.goto(`${session.server.url}#/decoder`);
    await dropFiles(page, page.locator('.nl-dropzone'), [{ name: 'leaf.der', bytes: fixture('demo-leaf.der') }]);
    await page.locator('.nl-cert-card').first().waitFor();
    assert.deepEqual(await subjects(page), [DEMO_SUBJECTS[0]]);
    assert.match(await page.locator('.nl-files').textContent(), /leaf\.der \(955 B\)/);
    assert.match(await page.locator('.nl-cert-card').first().textContent(), /DER, file leaf\.der/);

    await page.locator('input[type=file]').setInputFiles(path.join(FIXTURES, 'demo-chain.p7b'));
    await page.locator('.nl-cert-card').nth(3).waitFor();
    assert.deepEqual(await subjects(page), [DEMO_SUBJECTS[0], ...DEMO_SUBJECTS]);

    await page.getByRole('button', { name: 'Remove leaf.der' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.nl-cert-card').length === 3);
  });

  test('a PKCS#12 identity: opened with its password in the PKCS#12 module, its certificates decoded', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netlens-e2e-p12-'));
    try {
      writeFileSync(path.join(dir, 'pw.txt'), 'decoder-pw\n');
      const made = await runCli(['make', '--name', 'nas.local', '--out', path.join(dir, 'out'), '--password-file', path.join(dir, 'pw.txt')], '');
      assert.equal(made.status, 0);
      const page = await newPage();
      await page.goto(`${session.server.url}#/decoder`);
      await dropFiles(page, page.locator('.nl-dropzone'), [{ name: 'server.p12', bytes: readFileSync(path.join(dir, 'out', 'server.p12')) }]);
      await page.locator('.nl-pkcs12-locked input[type="password"]').fill('decoder-pw');
      await page.locator('.nl-pkcs12-locked button[type="submit"]').click();
      await page.locator('.nl-pkcs12-opened[data-verdict="imports"]').waitFor();
      await page.locator('.nl-cert-card').nth(1).waitFor();
      const names = await subjects(page);
      assert.equal(names.length, 2);
      assert.match(names[0], /nas\.local/);
      // The module was fetched for this, and only now.
      const modules = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((u) => /netlens-web-pkcs12/.test(u)));
      assert.ok(modules.length >= 1, 'the PKCS#12 module was loaded on first use');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('garbage gets a clear error naming what was expected', async () => {
    const page = await newPage();
    await page.goto(`${session.server.url}#/decoder`);
    await page.locator('textarea').fill('this is not a certificate at all');
    const problem = page.locator('.nl-problem');
    await problem.waitFor();
    assert.match(await problem.textContent(), /no certificate found: expected PEM/);
    assert.equal(await page.locator('.nl-cert-card').count(), 0);

    // A chain with a damaged second block: the others decode, the error names block 2.
    const pem = fixture('demo-chain.pem').toString();
    const blocks = pem.split('-----END CERTIFICATE-----\n');
    blocks[1] = blocks[1].replace(/\n(.{10})./, '\n$1!');
    await page.locator('textarea').fill(blocks.join('-----END CERTIFICATE-----\n'));
    await page.locator('.nl-cert-card').nth(1).waitFor();
    assert.equal(await page.locator('.nl-cert-card').count(), 2);
    assert.match(await page.locator('.nl-problem').textContent(), /block 2 \(line 23, byte \d+\).*'!'/);
  });

  test('oversized input is refused with a message, and the page stays usable', async () => {
    const page = await newPage();
    await page.goto(`${session.server.url}#/decoder`);
    // 6 MiB pasted at once: refused after the debounce, without hanging the page.
    await page.locator('textarea').evaluate((textarea) => {
      textarea.value = 'A'.repeat(6 * 1024 * 1024);
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const problem = page.locator('.nl-problem');
    await problem.waitFor();
    assert.match(await problem.textContent(), /input refused: it is 6\.0 MiB .* limit is 5\.0 MiB/);

    // An oversized file is refused without being read.
    await page.locator('input[type=file]').setInputFiles({
      name: 'huge.pem',
      mimeType: 'application/x-pem-file',
      buffer: Buffer.alloc(5 * 1024 * 1024 + 1, 0x41),
    });
    await page.locator('.nl-problem', { hasText: 'file huge.pem' }).waitFor();

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.nl-problem').length === 0);
  });

  test('500 certificates decode and render summaries first', async () => {
    const page = await newPage();
    await page.goto(`${session.server.url}#/decoder`);
    const leaf = fixture('demo-chain.pem').toString().split('-----END CERTIFICATE-----\n')[0] + '-----END CERTIFICATE-----\n';
    // Pasted for real (Playwright's fill() types slowly on large texts, users paste).
    const started = Date.now();
    await pasteInto(page, page.locator('textarea'), leaf.repeat(500));
    await page.locator('.nl-cert-card').nth(499).waitFor();
    const elapsed = Date.now() - started;
    assert.equal(await page.locator('.nl-count').textContent(), '500 certificates');
    assert.equal(await page.locator('.nl-cert-body').count(), 1, 'only the first card is expanded');
    console.log(`  500 certificates (${(leaf.length * 500 / 1024).toFixed(0)} KiB) pasted to rendered in ${elapsed} ms`);

    await page.keyboard.press('ControlOrMeta+A');
    await pasteInto(page, page.locator('textarea'), leaf.repeat(501));
    await page.locator('.nl-problem', { hasText: 'more than 500 certificates' }).waitFor();
    assert.equal(await page.locator('.nl-cert-card').count(), 0);
  });

  test('long lists show their first 200 entries and count the rest', async () => {
    const page = await newPage();
    await page.goto(`${session.server.url}#/decoder`);
    await page.locator('textarea').fill(fixture('many-sans.pem').toString());
    const sans = page.locator('.nl-cert-card dd ul').first();
    await sans.waitFor();
    assert.equal(await sans.locator('li').count(), 201);
    assert.equal(await sans.locator('li').last().textContent(), '… and 100 more (all of them are in the JSON export)');
  });

  test('the JS API returns plain objects, and the decoder module its sync functions', async () => {
    const page = await newPage();
    await page.goto(session.server.url);
    const result = await page.evaluate(async (pem) => {
      const netlens = await import('./netlens-embed.js');
      const options = { source: 'chain.pem', at: new Date('2026-06-01T00:00:00Z') };
      const report = await netlens.decodeCertificates(pem, options);
      const decoder = await netlens.loadTool('netlens-cert-decoder');
      return {
        plain: Object.getPrototypeOf(report) === Object.prototype,
        same: JSON.stringify(decoder.decodeCertificates(pem, options)) === JSON.stringify(report),
        subjects: report.certificates.map((c) => c.subject.rfc4514),
        relative: report.certificates[0].validity.relative,
        source: report.certificates[0].location.source,
        version: await netlens.netlensVersion(),
        moduleVersion: decoder.netlensVersion(),
      };
    }, fixture('demo-chain.pem').toString());
    assert.deepEqual(result.subjects, DEMO_SUBJECTS);
    assert.equal(result.plain, true);
    assert.equal(result.relative, 'expires in 245 days');
    assert.equal(result.source, 'chain.pem');
    assert.equal(result.same, true);
    assert.match(result.version, /^\d+\.\d+\.\d+/);
    assert.equal(result.moduleVersion, result.version);
  });
});
