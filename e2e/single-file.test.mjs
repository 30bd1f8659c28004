// netlens-offline.html, the single-file build, opened from disk (file://) in Chromium: every
// tool works with nothing beside the file; the probe says what a file page costs it.
// (Firefox: e2e/firefox-file.test.mjs.)

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEMO_SUBJECTS, DIST, copyPageForFileUrl, startEcho, useSession } from './harness.mjs';

const session = useSession();
let dir;
let file;
let echo;

before(async () => {
  // Alone in an empty folder: nothing beside it can help.
  dir = mkdtempSync(path.join(tmpdir(), 'netlens-single-'));
  copyPageForFileUrl(path.join(DIST, 'netlens-offline.html'), path.join(dir, 'netlens-offline.html'));
  file = pathToFileURL(path.join(dir, 'netlens-offline.html')).href;
  echo = await startEcho();
});
after(async () => {
  await echo?.kill();
  rmSync(dir, { recursive: true, force: true });
});

test('dist/ has the single file', () => {
  assert.ok(existsSync(path.join(DIST, 'netlens-offline.html')));
});

test('from file://: decoder, chain, DNS-SD (with IANA descriptions) and the rules', async () => {
  const page = await session.newPage();
  await page.goto(file);
  await page.locator('.nl-tool-entry').nth(4).waitFor();

  await page.goto(`${file}#/decoder`);
  await page.getByRole('button', { name: 'Try an example' }).click();
  await page.locator('.nl-cert-card').nth(2).waitFor();
  assert.deepEqual(await page.locator('.nl-cert-subject').allTextContents(), DEMO_SUBJECTS);

  await page.goto(`${file}#/chain`);
  await page.getByRole('button', { name: 'Example: complete chain' }).click();
  await page.locator('.nl-chain-results[aria-busy="false"] .nl-trust-matrix').waitFor();

  await page.goto(`${file}#/dnssd`);
  await page.locator('#nl-dnssd-type').fill('_ipp._tcp');
  await page.locator('.nl-registration', { hasText: 'IANA: registered (tcp, udp) — ' }).waitFor();
  await page.locator('#nl-dnssd-instance').fill('Cafe\u0301');
  await page.locator('.nl-finding[data-rule="instance.not-nfc"]').waitFor();

  await page.goto(`${file}#/rules`);
  await page.locator('tr[id="chain.missing-intermediate"]').waitFor();
  await page.locator('tr[id="service.name-bad-hyphen"]').waitFor();
  // No service worker from a file, and none is tried.
  assert.equal(await page.evaluate(() => navigator.serviceWorker?.controller ?? null), null);
});

test('from file://: the probe measures through a classic blob worker and says why timers are coarse', async () => {
  const page = await session.newPage();
  await page.goto(`${file}#/probe`);
  const env = page.locator('#nl-probe-env');
  await env.waitFor();
  assert.match(await env.textContent(), /opened from a file, which cannot be cross-origin isolated/);
  await page.fill('#nl-probe-endpoint', echo.url);
  await page.fill('#nl-probe-count', '5');
  await page.fill('#nl-probe-interval', '20');
  await page.click('#nl-probe-start');
  // 5 probes take 0.1 s; the minute is for a busy machine (WebKit from file:// starts its
  // worker from a blob, after compiling the whole single file's module).
  await page.locator('#nl-probe-status', { hasText: 'Finished: 5 probes sent.' }).waitFor({ timeout: 60_000 });
  assert.ok(Number(await page.locator('[data-stat="median"]').getAttribute('data-ms')) > 0);
});

test('from file://: the test certificate maker makes and checks a CA and a leaf, air-gapped', async () => {
  const page = await session.newPage();
  await page.goto(`${file}#/make`);
  await page.locator('#nl-make-names').fill('printer.local 192.168.1.20');
  await page.getByRole('button', { name: 'Make certificates' }).click();
  await page.locator('.nl-make-results[aria-busy="false"]').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('.nl-make-checks > li.nl-pass').count(), 2);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download everything (.zip)' }).click()]);
  assert.equal(download.suggestedFilename(), 'netlens-test-certificates.zip');
});
