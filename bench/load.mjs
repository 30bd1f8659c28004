// make bench-load: how long until each element is usable on a cold cache over a throttled link,
// and how many compressed bytes it pulls from the netlens origin.
//
// netlens is served by scripts/serve.py (precompressed brotli/gzip, as a static host sends it);
// a page on another origin (a docs site) holds one element. Chromium's network emulation (CDP
// Network.emulateNetworkConditions) throttles every request of the page: "Fast 3G" = 1.6 Mbit/s
// down, 750 kbit/s up, 150 ms latency; "4G" = 9 Mbit/s down, 1.5 Mbit/s up, 60 ms. Each run is a
// fresh browser context (cold HTTP cache, no service worker); its worker's requests count too. "Usable" = the element's first
// control is on screen (the probe: Start is enabled, i.e. its worker is up). Median of RUNS runs.
//
//   node bench/load.mjs [RUNS]        (make bench-load builds first)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DIST, launchBrowser, startServer } from '../e2e/harness.mjs';

const RUNS = Number(process.argv[2] ?? 3);
const PROFILES = {
  'Fast 3G': { latency: 150, downloadThroughput: (1.6e6 / 8) | 0, uploadThroughput: (750e3 / 8) | 0 },
  '4G': { latency: 60, downloadThroughput: (9e6 / 8) | 0, uploadThroughput: (1.5e6 / 8) | 0 },
};
const GOAL = { page: 'one <netlens-dnssd>', profile: 'Fast 3G', seconds: 2.5 };

const DEMO_CHAIN = readFileSync(new URL('../crates/netlens-testkit/fixtures/demo-chain.pem', import.meta.url), 'utf8');

/** Each page: the HTML (docs origin) or null for the app itself, and "usable" as a predicate. */
const PAGES = {
  'one <netlens-dnssd>': { body: '<netlens-dnssd></netlens-dnssd>', usable: "q('netlens-dnssd', '#nl-dnssd-type')" },
  'one <netlens-cert-decoder>': { body: '<netlens-cert-decoder></netlens-cert-decoder>', usable: "q('netlens-cert-decoder', 'textarea')" },
  'one <netlens-chain>': { body: '<netlens-chain></netlens-chain>', usable: "q('netlens-chain', '#nl-chain-input')" },
  // The first analysis also fetches the trust stores (trust-stores.bin): until its report shows.
  'one <netlens-chain> with a chain, until its report': {
    body: `<netlens-chain host="www.netlens.test" at="2026-06-01T00:00:00Z">${DEMO_CHAIN}</netlens-chain>`,
    usable: "q('netlens-chain', '.nl-chain-results[aria-busy=\"false\"]')",
  },
  'one <netlens-probe>': {
    body: '<netlens-probe endpoint="ws://127.0.0.1:9/echo"></netlens-probe>',
    usable: "(() => { const b = q('netlens-probe', '#nl-probe-start'); return b && !b.disabled; })()",
  },
  'app home page': { body: null, usable: "document.querySelector('.nl-tool-entry')" },
};

const dir = mkdtempSync(path.join(tmpdir(), 'netlens-bench-load-'));
const netlens = await startServer(DIST);
const docs = await startServer(dir, null, ['--no-csp']);
const browser = await launchBrowser();
const results = [];
try {
  for (const [name, page] of Object.entries(PAGES)) {
    const file = `${name.replace(/[^a-z]+/g, '-')}.html`;
    if (page.body) {
      writeFileSync(
        path.join(dir, file),
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title><link rel="icon" href="data:,">
         <script type="module" src="${netlens.url}netlens-embed.js"></script></head><body>${page.body}</body></html>`,
      );
    }
    const url = page.body ? `${docs.url}${file}` : netlens.url;
    for (const [profile, conditions] of Object.entries(PROFILES)) {
      const times = [];
      let bytes = 0;
      for (let run = 0; run < RUNS; run++) {
        const context = await browser.newContext({ serviceWorkers: 'block' });
        const tab = await context.newPage();
        const cdp = await context.newCDPSession(tab);
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', { offline: false, ...conditions });
        // Playwright sees the worker's requests too (the page's CDP session does not); the
        // emulated conditions do apply to them (their timings show it).
        const origin = new URL(netlens.url).origin;
        let netlensBytes = 0;
        const counted = [];
        context.on('requestfinished', (request) => {
          if (!request.url().startsWith(origin)) return;
          counted.push(request.sizes().then((s) => (netlensBytes += s.responseBodySize + s.responseHeadersSize)));
        });
        await tab.goto(url, { waitUntil: 'commit' });
        await tab.waitForFunction(
          `(() => { const q = (host, sel) => document.querySelector(host)?.shadowRoot?.querySelector(sel); return ${page.usable}; })()`,
          null,
          { timeout: 120_000, polling: 10 },
        );
        times.push(await tab.evaluate(() => performance.now()));
        await tab.waitForTimeout(200); // let late responses finish
        await Promise.all(counted);
        bytes = Math.max(bytes, netlensBytes);
        await context.close();
      }
      times.sort((a, b) => a - b);
      results.push({ page: name, profile, seconds: times[Math.floor(times.length / 2)] / 1000, bytes });
    }
  }
} finally {
  await browser.close();
  await docs.stop();
  await netlens.stop();
  rmSync(dir, { recursive: true, force: true });
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`\nmake bench-load: cold cache, until usable, median of ${RUNS} (bytes: from the netlens origin as sent, brotli, with headers)`);
console.log(`| page | ${Object.keys(PROFILES).join(' | ')} | bytes |`);
console.log(`|---|${Object.keys(PROFILES).map(() => '---:').join('|')}|---:|`);
for (const name of Object.keys(PAGES)) {
  const rows = results.filter((r) => r.page === name);
  console.log(`| ${name} | ${rows.map((r) => `${r.seconds.toFixed(2)} s`).join(' | ')} | ${kib(rows[0].bytes)} |`);
}
const goal = results.find((r) => r.page === GOAL.page && r.profile === GOAL.profile);
console.log(
  `\ngoal: ${GOAL.page} usable in ≤ ${GOAL.seconds} s on ${GOAL.profile}: ${goal.seconds.toFixed(2)} s → ${goal.seconds <= GOAL.seconds ? 'met' : 'NOT met'}`,
);
