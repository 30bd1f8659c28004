// The app and the embed demo under netlens' strict Content-Security-Policy (no inline script or
// style; wasm by 'wasm-unsafe-eval'; workers from 'self' or blob:), as scripts/serve.py sends it:
// every page works and the browser reports no violation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DIST, pageHeaders, startEcho, useSession } from './harness.mjs';

const session = useSession();
const POLICY =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self' ws: wss:; worker-src 'self' blob:; manifest-src 'self'; base-uri 'none'; " +
  "form-action 'none'; object-src 'none'";

/** A page that records every CSP violation the browser reports. */
async function watchedPage() {
  const page = await session.newPage();
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`),
    );
  });
  return page;
}

test('the built pages carry no inline script or style', () => {
  for (const file of ['index.html', 'embed-demo.html']) {
    const html = readFileSync(path.join(DIST, file), 'utf8');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, `${file} has an inline script`);
    assert.doesNotMatch(html, /<style|\sstyle="/, `${file} has inline style`);
  }
});

test('every route of the app and the embed demo run under the strict policy with no violation', async () => {
  const echo = await startEcho();
  try {
    const page = await watchedPage();
    await page.goto(session.server.url);
    assert.equal((await pageHeaders(page))['content-security-policy'], POLICY);
    await page.locator('.nl-tool-entry').first().waitFor();

    await page.goto(`${session.server.url}#/decoder`);
    await page.getByRole('button', { name: 'Try an example' }).click();
    await page.locator('.nl-cert-card').nth(2).waitFor();
    await page.goto(`${session.server.url}#/chain`);
    await page.getByRole('button', { name: 'Example: complete chain' }).click();
    await page.locator('.nl-chain-results[aria-busy="false"] .nl-trust-matrix').waitFor();
    await page.goto(`${session.server.url}#/dnssd`);
    await page.locator('#nl-dnssd-type').fill('_ipp._tcp');
    await page.locator('.nl-registration', { hasText: ' — ' }).waitFor();
    await page.goto(`${session.server.url}?endpoint=${encodeURIComponent(echo.url)}&count=3&interval_ms=20#/probe`);
    await page.locator('#nl-probe-start:enabled').click();
    await page.locator('#nl-probe-status', { hasText: 'Finished: 3 probes sent.' }).waitFor({ timeout: 20_000 });
    await page.goto(`${session.server.url}#/rules`);
    await page.locator('tr[id="chain.missing-intermediate"]').waitFor();
    assert.deepEqual(await page.evaluate(() => window.cspViolations), []);

    // The embed demo: shadow roots styled by adopted (constructed) stylesheets.
    await page.goto(`${session.server.url}embed-demo.html`);
    await page.locator('#decoder-root .nl-cert-card').waitFor();
    const styled = await page.evaluate(() => {
      const shadow = document.querySelector('#decoder-root').shadowRoot;
      return { adopted: shadow.adoptedStyleSheets.length, radius: getComputedStyle(shadow.querySelector('.nl-cert-card')).borderTopLeftRadius };
    });
    assert.deepEqual(styled, { adopted: 1, radius: '8px' });
    assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  } finally {
    await echo.kill();
  }
});
