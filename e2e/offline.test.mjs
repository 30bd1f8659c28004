// Offline and installable: after one visit the service worker serves the app and every tool with
// no network, still cross-origin isolated; a new build is picked up on the next visit; the web
// app manifest and its icons are what installation needs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, DEMO_SUBJECTS, DIST, chromiumOnly, startServer, useSession } from './harness.mjs';

const session = useSession();

/**
 * Polls `predicate` (async, in the page) every 100 ms until it is true, for at most 20 s.
 * (page.waitForFunction takes a returned promise for true.)
 */
async function until(page, predicate) {
  for (let i = 0; i < 200; i++) {
    if (await page.evaluate(predicate)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not true within 20 s: ${predicate}`);
}

/** Visits `url` and waits until the service worker controls the page (a reload after install). */
async function visitAndInstall(page, url) {
  await page.goto(url);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

test('after one visit every tool works offline, cross-origin isolated', async () => {
  // Offline as a laptop that left the network sees it: the server is gone (connections refused).
  const server = await startServer();
  const url = server.url;
  const page = await session.newPage();
  await visitAndInstall(page, url);
  await server.stop();
  await page.reload();
  await page.locator('.nl-tool-entry').first().waitFor();
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);

  await page.goto(`${url}#/decoder`);
  await page.getByRole('button', { name: 'Try an example' }).click();
  await page.locator('.nl-cert-card').nth(2).waitFor();
  assert.deepEqual(await page.locator('.nl-cert-subject').allTextContents(), DEMO_SUBJECTS);

  await page.goto(`${url}#/chain`);
  await page.getByRole('button', { name: 'Example: complete chain' }).click();
  await page.locator('.nl-chain-results[aria-busy="false"] .nl-trust-matrix').waitFor();

  await page.goto(`${url}#/dnssd`);
  await page.locator('#nl-dnssd-type').fill('_ipp._tcp');
  // Even the IANA descriptions, fetched on demand, come from the cache.
  await page.locator('.nl-registration', { hasText: 'IANA: registered (tcp, udp) — ' }).waitFor();

  await page.goto(`${url}#/probe`);
  await page.locator('#nl-probe-env', { hasText: 'cross-origin isolated' }).waitFor();

  await page.goto(`${url}#/rules`);
  await page.locator('tr[id="chain.missing-intermediate"]').waitFor();
  await page.locator('tr[id="service.name-bad-hyphen"]').waitFor();
});

test('a new build is picked up on the next visit', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'netlens-update-'));
  cpSync(DIST, root, { recursive: true });
  const server = await startServer(root);
  try {
    const page = await session.newPage();
    await visitAndInstall(page, server.url);
    const lead = page.locator('#nl-home .nl-lead');
    assert.match(await lead.textContent(), /^Offline diagnostics/);

    // What a new build changes: the page, and so the worker's version and list.
    const edit = (file, from, to) => {
      const full = path.join(root, file);
      writeFileSync(full, readFileSync(full, 'utf8').replace(from, to));
      for (const suffix of ['.br', '.gz']) rmSync(`${full}${suffix}`, { force: true });
    };
    edit('index.html', 'Offline diagnostics', 'Updated diagnostics');
    edit('sw.js', /const VERSION = "[0-9a-f]+"/, 'const VERSION = "0000000000000000"');

    // The visit that finds the new worker still shows the cached page; the next one is new.
    await page.goto(server.url);
    // (The browser checks for a new worker a moment after a navigation; ask at once instead.)
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
    // Installed and activated: the old cache is gone.
    await until(page, async () => {
      const keys = await caches.keys();
      return keys.length === 1 && keys[0] === 'netlens-0000000000000000';
    });
    await page.goto(server.url);
    assert.match(await lead.textContent(), /^Updated diagnostics/);
    assert.deepEqual(await page.evaluate(() => caches.keys()), ['netlens-0000000000000000']);
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test('the web app manifest makes it installable', async () => {
  const page = await session.newPage();
  await page.goto(session.server.url);
  const manifest = await page.evaluate(async () => {
    const link = document.querySelector('link[rel="manifest"]');
    const response = await fetch(link.href);
    return { type: response.headers.get('content-type'), body: await response.json() };
  });
  assert.equal(manifest.type, 'application/manifest+json');
  assert.equal(manifest.body.display, 'standalone');
  assert.equal(manifest.body.start_url, './');
  const sizes = manifest.body.icons.map((i) => i.sizes);
  assert.ok(sizes.includes('192x192') && sizes.includes('512x512'));
  for (const icon of manifest.body.icons) {
    const response = await page.evaluate(async (src) => {
      const response = await fetch(src);
      return { status: response.status, type: response.headers.get('content-type') };
    }, new URL(icon.src, session.server.url).href);
    assert.equal(response.status, 200, icon.src);
    assert.equal(response.type, icon.type);
  }
});

test('Chromium finds the app installable', { skip: chromiumOnly('its installability check is a DevTools protocol call') }, async () => {
  // Chromium's own verdict, in a profile that is not incognito (installing needs one).
  const profile = mkdtempSync(path.join(tmpdir(), 'netlens-profile-'));
  const persistent = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    const installable = persistent.pages()[0] ?? (await persistent.newPage());
    await installable.goto(session.server.url);
    await installable.evaluate(() => navigator.serviceWorker.ready);
    const cdp = await persistent.newCDPSession(installable);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert.deepEqual(installabilityErrors, []);
  } finally {
    await persistent.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
