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
        await page.locator({ decoder: '.nl-cert-card', chain: '.nl-chain-results[aria-busy="false"]', dnssd: '.nl-finding' }[name]).first().waitFor();
      }
      assert.deepEqual(await sticksOut(page), [], `${name} at ${width} px`);
      await page.locator('.column').screenshot({ path: path.join(SHOTS, `${name}-${width}.png`) });
    }
  });
}
