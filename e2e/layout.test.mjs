// Each element in a docs column 320, 480 and 1000 px wide: nothing sticks out of the element
// (tables of numbers scroll inside it), whatever the viewport. Screenshots go to
// target/e2e-screenshots/ for a person to look at.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DIST, ROOT, fixture, startEcho, startServer, useSession } from './harness.mjs';

const session = useSession();
const SHOTS = path.join(ROOT, 'target', 'e2e-screenshots');
const CHAIN = fixture('demo-chain.pem').toString();
let dir;
let docs;
let echo;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(path.join(tmpdir(), 'netlens-layout-'));
  docs = await startServer(dir, null, ['--no-csp']);
  echo = await startEcho();
});
after(async () => {
  await docs?.stop();
  await echo?.kill();
  rmSync(dir, { recursive: true, force: true });
});

const ELEMENTS = {
  decoder: () => `<netlens-cert-decoder>${CHAIN}</netlens-cert-decoder>`,
  chain: () => `<netlens-chain host="www.netlens.test" at="2026-06-01T00:00:00Z">${CHAIN}</netlens-chain>`,
  dnssd: () => `<netlens-dnssd type="_My_Service._tcp" instance="Office Printer">txtvers=1\nrp=ipp/print</netlens-dnssd>`,
  probe: () => `<netlens-probe endpoint="${echo.url}" count="20" interval_ms="10"></netlens-probe>`,
  make: () => `<netlens-make names="printer.local 192.168.1.20"></netlens-make>`,
  apptls: () => `<netlens-apptls tool="pins">${CHAIN}</netlens-apptls>`,
};

/** What inside the element's shadow root extends past the element's right edge. */
const sticksOut = (page) =>
  page.evaluate(() => {
    const host = document.querySelector('.column > *');
    const edge = host.getBoundingClientRect().right;
    const out = [];
    const visit = (root) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.closest('.nl-scroll')) continue; // scrolls inside the element
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.right > edge + 0.5) out.push(`${el.tagName.toLowerCase()}.${el.className} by ${Math.round(r.right - edge)} px`);
      }
    };
    visit(host.shadowRoot);
    return out.slice(0, 10);
  });

for (const width of [320, 480, 1000]) {
  test(`every element fits a ${width} px column`, async () => {
    const page = await session.newPage();
    // A viewport wider than the column: only a container query can see the column's width.
    await page.setViewportSize({ width: 1280, height: 900 });
    for (const [name, html] of Object.entries(ELEMENTS)) {
      const file = `${name}-${width}.html`;
      writeFileSync(
        path.join(dir, file),
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${name}</title><link rel="icon" href="data:,">
         <script type="module" src="${session.server.url}netlens-embed.js"></script>
         <style>.column { width: ${width}px; margin: 0 auto; }</style></head>
         <body><main class="column">${html()}</main></body></html>`,
      );
      await page.goto(`${docs.url}${file}`);
      if (name === 'make') {
        const maker = page.locator('netlens-make');
        await maker.locator('button[type=submit]:enabled').click();
        await maker.locator('.nl-make-results[aria-busy="false"]').waitFor({ timeout: 30_000 });
        for (const summary of await maker.locator('summary').all()) await summary.click();
      } else if (name === 'probe') {
        await page.locator('#nl-probe-start:enabled').click();
        await page.locator('#nl-probe-status', { hasText: 'Finished: 20 probes sent.' }).waitFor({ timeout: 20_000 });
      } else {
        await page.locator({ decoder: '.nl-cert-card', chain: '.nl-chain-results[aria-busy="false"]', dnssd: '.nl-finding', apptls: '.nl-pin-table' }[name]).first().waitFor();
      }
      assert.deepEqual(await sticksOut(page), [], `${name} at ${width} px`);
      await page.locator('.column').screenshot({ path: path.join(SHOTS, `${name}-${width}.png`) });
    }
  });
}

// Phones: developers open netlens on the device itself (to read a result, to install a test
// root's profile). Every page of the app, each showing results, from 320 px (the smallest
// iPhone width in use) to 430 px (the largest): no sideways scroll, the whole navigation on
// screen. Screenshots (per browser) go to target/e2e-screenshots/ for a person to look at.
const APP_PAGES = {
  home: { route: '', ready: '.nl-tool-entry' },
  chain: { route: '#/chain', click: 'Example: missing intermediate', ready: '.nl-chain-results[aria-busy="false"] .nl-trust-matrix' },
  decoder: { route: '#/decoder', click: 'Try an example', ready: '.nl-cert-card' },
  dnssd: { route: '#/dnssd', click: 'Example: many mistakes', ready: '.nl-txt-table tbody tr' },
  probe: { route: '#/probe', ready: '#nl-probe-env' },
  make: { route: '#/make', fill: ['#nl-make-names', 'printer.local 192.168.1.20'], click: 'Make certificates', ready: '.nl-make-results[aria-busy="false"]' },
  apptls: { route: '#/apptls', click: 'Example: a leaf pin and a renewal', ready: '.nl-pin-check .nl-finding' },
  rules: { route: '#/rules', ready: 'tr[id="service.name-bad-hyphen"]' },
};

/** Everything wider than the viewport (what makes a page scroll sideways), and nav links off screen. */
const offScreen = (page) =>
  page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    if (document.documentElement.scrollWidth > width) out.push(`the page is ${document.documentElement.scrollWidth} px wide`);
    for (const a of document.querySelectorAll('.nl-nav a')) {
      const r = a.getBoundingClientRect();
      if (r.left < 0 || r.right > width) out.push(`nav link "${a.textContent}" at ${Math.round(r.left)}–${Math.round(r.right)} px`);
    }
    for (const el of document.querySelectorAll('.nl-main *')) {
      if (el.closest('.nl-scroll, pre, .nl-chart')) continue; // these scroll inside themselves
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 0.5) out.push(`${el.tagName.toLowerCase()}.${el.className} ends at ${Math.round(r.right)} px`);
    }
    return [...new Set(out)].slice(0, 10);
  });

for (const width of [320, 390, 430]) {
  test(`every page of the app fits a ${width} px phone screen`, async () => {
    const page = await session.newPage();
    await page.setViewportSize({ width: session.name === 'webkit' ? 1280 : width, height: 800 });
    for (const [name, { route, fill, click, ready }] of Object.entries(APP_PAGES)) {
      if (session.name === 'webkit') {
        // MiniBrowser's window is no narrower than its toolbar (447 px): the page runs in an
        // iframe of the phone's width instead, which is its viewport (media queries included).
        const phone = `phone-${width}-${name}.html`;
        writeFileSync(
          path.join(dir, phone),
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>phone</title><link rel="icon" href="data:,"></head>` +
            `<body style="margin:0"><iframe title="netlens" src="${session.server.url}${route}" style="width:${width}px;height:800px;border:0"></iframe></body></html>`,
        );
        await page.goto(`${docs.url}${phone}`);
        await page.enterFrame('iframe');
      } else {
        await page.goto(`${session.server.url}${route}`);
      }
      if (fill) await page.locator(fill[0]).fill(fill[1]);
      if (click) await page.getByRole('button', { name: click }).click();
      await page.locator(ready).first().waitFor({ timeout: 30_000 });
      assert.equal(await page.evaluate(() => innerWidth), width, 'the viewport is a phone');
      assert.deepEqual(await offScreen(page), [], `${name} at ${width} px`);
      await page.screenshot({ path: path.join(SHOTS, `app-${name}-${width}-${session.name}.png`) });
    }
  });
}
