// netlens served from its own host, embedded by a documentation site on another origin (as from a
// CDN or GitHub Pages): each element alone on a page, downloading only its own tool module within
// its byte budget; the probe's worker (a blob: worker running the probe's module); the JS API;
// pages swapped without a reload (instant navigation); and a failed load shown as a sentence.
//
// Two loopback servers: netlens on one port, the "docs site" on another (a different origin). The
// docs server sends COOP/COEP too, so the embedding page is cross-origin isolated and every
// netlens file must pass CORS and CORP.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUDGETS, manifest, pageFiles, pageSizes } from '../scripts/sizes.mjs';
import { DEMO_SUBJECTS, DIST, allowViolations, fixture, loadedUrls, startEcho, startServer, useSession } from './harness.mjs';

const session = useSession();
const CHAIN = fixture('demo-chain.pem').toString();
let docs;
let docsDir;
let echo;

/** A docs page on the docs origin that loads netlens from `netlensUrl` and shows `body`. */
function docsPage(name, netlensUrl, body) {
  writeFileSync(
    path.join(docsDir, name),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Docs: ${name}</title>
     <link rel="icon" href="data:,">
     <script type="module" src="${netlensUrl}netlens-embed.js"></script></head>
     <body><main><h1>Docs</h1><article id="content">${body}</article></main></body></html>`,
  );
  return `${docs.url}${name}`;
}

before(async () => {
  docsDir = mkdtempSync(path.join(tmpdir(), 'netlens-docs-'));
  docs = await startServer(docsDir, null, ['--no-csp']);
  echo = await startEcho();
});
after(async () => {
  await docs?.stop();
  await echo?.kill();
  rmSync(docsDir, { recursive: true, force: true });
});

/** The elements, what to write in each, and how to tell it works. */
const ELEMENTS = {
  'netlens-cert-decoder': {
    html: () => `<netlens-cert-decoder>${CHAIN}</netlens-cert-decoder>`,
    async works(page) {
      await page.locator('netlens-cert-decoder .nl-cert-card').nth(2).waitFor();
      assert.deepEqual(await page.locator('netlens-cert-decoder .nl-cert-subject').allTextContents(), DEMO_SUBJECTS);
    },
  },
  'netlens-chain': {
    html: () => `<netlens-chain host="www.netlens.test" at="2026-06-01T00:00:00Z">${CHAIN}</netlens-chain>`,
    // Its analysis uses the built-in stores, fetched on demand (the demo chain's signatures are
    // all WebCrypto's to confirm: no verification module).
    onDemand: ['trust-stores.bin'],
    async works(page) {
      await page.locator('netlens-chain .nl-chain-results[aria-busy="false"]').waitFor();
      assert.equal(await page.locator('netlens-chain .nl-trust-matrix tbody tr').count(), 3);
    },
  },
  'netlens-dnssd': {
    // No service type: a registered one would also fetch the IANA descriptions (on demand).
    html: () => `<netlens-dnssd instance="Office">txtvers=1\nrp=ipp/print</netlens-dnssd>`,
    async works(page) {
      await page.locator('netlens-dnssd .nl-txt-table tbody tr').nth(1).waitFor();
      assert.equal(await page.locator('netlens-dnssd .nl-txt-table tbody tr').count(), 2);
    },
  },
  'netlens-probe': {
    html: () => `<netlens-probe endpoint="${echo.url}" count="5" interval_ms="20"></netlens-probe>`,
    async works(page) {
      const probe = page.locator('netlens-probe');
      await probe.locator('#nl-probe-start:enabled').click();
      await probe.locator('#nl-probe-status', { hasText: 'Finished: 5 probes sent.' }).waitFor({ timeout: 20_000 });
      // What only whoever runs `make serve` needs to know stays out of a docs page.
      assert.doesNotMatch(await probe.textContent(), /make serve/);
    },
  },
  'netlens-apptls': {
    html: () => `<netlens-apptls tool="error">-9813</netlens-apptls>`,
    async works(page) {
      await page.locator('netlens-apptls .nl-explained[data-name="errSSLNoRootCert"]').waitFor();
      assert.equal(await page.locator('netlens-apptls .nl-explained').count(), 1);
    },
  },
  'netlens-make': {
    html: () => `<netlens-make names="printer.local 192.168.1.20"></netlens-make>`,
    // Keys by WebCrypto, checks by the chain analysis on the new root alone: nothing else is
    // fetched (no trust stores, no verification module).
    async works(page) {
      const maker = page.locator('netlens-make');
      await maker.locator('button[type=submit]:enabled').click();
      await maker.locator('.nl-make-results[aria-busy="false"]').waitFor({ timeout: 30_000 });
      assert.equal(await maker.locator('.nl-make-checks > li.nl-pass').count(), 2);
      assert.equal(await maker.locator('h1').count(), 0, 'no page heading in a docs page');
    },
  },
};

const tools = manifest(DIST);

describe('each element alone on a page of another origin', () => {
  for (const [tag, element] of Object.entries(ELEMENTS)) {
    test(`<${tag}> works and downloads only its own module`, async () => {
      const page = await session.newPage();
      await page.goto(docsPage(`${tag}.html`, session.server.url, element.html()));
      await element.works(page);
      const fetched = (await loadedUrls(page))
        .filter((url) => url.startsWith(session.server.url))
        .map((url) => new URL(url).pathname.slice(1));
      assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the docs page stays cross-origin isolated');
      const expected = [...pageFiles(DIST, tools, tag), ...(element.onDemand ?? [])];
      assert.deepEqual([...new Set(fetched)].sort(), [...expected].sort());
    });

    test(`<${tag}> is within its budget of ${BUDGETS[tag] / 1024} KiB gzip`, () => {
      const { gzip } = pageSizes(DIST).find((row) => row.tag === tag);
      assert.ok(gzip <= BUDGETS[tag], `${tag}: ${gzip} bytes gzip`);
    });
  }
});

test('an embedded probe on a docs site that is not cross-origin isolated shows the timer it has', async () => {
  // Most documentation hosts send no COOP/COEP; in Safari, which has no COEP credentialless,
  // a site that embeds anything from elsewhere rarely can. The clock is coarser there, and the
  // probe says so rather than claiming the precision of an isolated page.
  const plainDocs = await startServer(docsDir, null, ['--no-csp', '--no-isolation']);
  try {
    const page = await session.newPage();
    await page.goto(docsPage('probe-plain.html', session.server.url, ELEMENTS['netlens-probe'].html()).replace(docs.url, plainDocs.url));
    await ELEMENTS['netlens-probe'].works(page);
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    const env = page.locator('netlens-probe #nl-probe-env');
    assert.match(await env.textContent(), /not cross-origin isolated, so browsers round its timers .*Cross-Origin-Embedder-Policy: require-corp \(Safari has no credentialless\)/);
    // Chromium rounds such a page's clock to 100 µs (jittered), WebKit to 1 ms: the step shown
    // is of that order, never the few microseconds an isolated page gets.
    const timer = Number(await env.getAttribute('data-timer-ms'));
    assert.ok(timer >= (session.name === 'webkit' ? 0.5 : 0.05), `timer resolution ${timer} ms`);
  } finally {
    await plainDocs.stop();
  }
});

test('the JS API works from another origin, each function loading only its tool', async () => {
  const page = await session.newPage();
  await page.goto(docsPage('api.html', session.server.url, ''));
  const result = await page.evaluate(async (netlens) => {
    const api = await import(`${netlens}netlens-embed.js`);
    return { normalized: (await api.checkServiceType('_IPP._tcp')).forms.normalized, version: await api.netlensVersion() };
  }, session.server.url);
  assert.equal(result.normalized, '_ipp._tcp');
  assert.match(result.version, /^\d+\.\d+\.\d+$/);
  const wasm = (await loadedUrls(page)).filter((url) => url.endsWith('.wasm')).map((url) => new URL(url).pathname);
  assert.deepEqual(wasm, [`/${tools['netlens-dnssd'].wasm}`]);
});

test('instant navigation: elements swapped in and out without a reload keep working', async () => {
  const page = await session.newPage();
  await page.goto(docsPage('nav.html', session.server.url, ELEMENTS['netlens-cert-decoder'].html()));
  await ELEMENTS['netlens-cert-decoder'].works(page);
  // What MkDocs Material's instant navigation, Docusaurus and VitePress do: replace the content.
  const swap = (html) => page.evaluate((html) => (document.getElementById('content').innerHTML = html), html);
  await swap(ELEMENTS['netlens-dnssd'].html());
  await ELEMENTS['netlens-dnssd'].works(page);
  await swap(ELEMENTS['netlens-cert-decoder'].html() + ELEMENTS['netlens-chain'].html());
  await ELEMENTS['netlens-cert-decoder'].works(page);
  await ELEMENTS['netlens-chain'].works(page);
  // Swapped out, an element is unmounted: its shadow root is emptied.
  const left = await page.evaluate(() => {
    const element = document.querySelector('netlens-chain');
    element.remove();
    return element.shadowRoot.childElementCount;
  });
  assert.equal(left, 0);
});

test('a tool module that cannot be loaded is a sentence on the page, with the detail on the console', async () => {
  // A copy of netlens whose DNS-SD module is gone (a broken deploy, or the network dropped).
  const broken = mkdtempSync(path.join(tmpdir(), 'netlens-broken-'));
  cpSync(DIST, broken, { recursive: true });
  for (const suffix of ['', '.br', '.gz']) rmSync(path.join(broken, `${tools['netlens-dnssd'].wasm}${suffix}`));
  const server = await startServer(broken);
  try {
    const page = await session.newPage();
    await page.goto(docsPage('broken.html', server.url, ELEMENTS['netlens-dnssd'].html()));
    const alert = page.locator('netlens-dnssd [role="alert"]');
    await alert.waitFor();
    assert.equal(
      await alert.textContent(),
      'The DNS-SD validator could not be loaded: check the network connection and reload the page.',
    );
    allowViolations(session, /HTTP 404 for .*netlens-web-dnssd|netlens: the DNS-SD validator module could not be loaded|Failed to load resource/);
  } finally {
    await server.stop();
    rmSync(broken, { recursive: true, force: true });
  }
});
