// `make bench`: how fast is a full chain analysis?
//
// For each chain (the demo chain always; a real public chain from x509-limbo's online cases when
// ../shared/data is present), measures the median time of:
//   - netlens native (release build of the same core, `netlens-chain/examples/bench.rs`);
//   - netlens as wasm in headless Chromium, verifying with WebCrypto (`analyzeChain` of
//     netlens-embed.js) and with pure-Rust RustCrypto (`webcrypto: false`: every signature
//     checked in the verification module);
//   - the chain page's own analysis (`pageAnalysis`: the page's state with the chain and the
//     anchor pasted, the built-in stores on as the page has them, WebCrypto, up to the report
//     object the page renders; no rendering, nothing converted to JS);
//   - PKI.js 4.0.0 in the same page (CertificateChainValidationEngine, WebCrypto).
// The browser measurements run in Chromium and then in WebKitGTK (Safari's engine, through its
// WebDriver; e2e/webkit-driver.mjs) when it is installed: one column per engine.
// netlens does strictly more work (every rule, every field decoded, the JS report built); PKI.js
// parses, builds the path and verifies signatures. Prints the ratio PKI.js / netlens wasm.
// A benchmark, not a test: it reports numbers and never fails on them.

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { DIST, FIXTURES, ROOT, launchBrowser, startServer } from '../e2e/harness.mjs';
import { launchWebKit, webkitMissing } from '../e2e/webkit-driver.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 100);

function chains() {
  const demo = readFileSync(path.join(FIXTURES, 'demo-chain.pem'), 'utf8').split(/(?<=-----END CERTIFICATE-----\n)/);
  const list = [
    {
      name: 'demo chain (RSA-4096 root, P-384 CA, P-256 leaf)',
      chainPem: demo[0] + demo[1],
      anchorPem: demo[2],
      host: 'www.netlens.test',
      at: 1_780_272_000,
    },
  ];
  const limbo = path.join(ROOT, '..', 'shared', 'data', 'x509-limbo', 'limbo.json');
  if (existsSync(limbo)) {
    const suite = JSON.parse(readFileSync(limbo, 'utf8'));
    const c = suite.testcases.find((t) => t.id === 'online::apple.com');
    if (c) {
      list.push({
        name: `real chain: ${c.id} (as served, ${1 + c.untrusted_intermediates.length} certificates)`,
        chainPem: c.peer_certificate + c.untrusted_intermediates.join(''),
        anchorPem: c.trusted_certs.join(''),
        host: c.expected_peer_name.value,
        at: Math.floor(Date.parse(c.validation_time) / 1000),
      });
    }
  } else {
    console.log('(../shared/data/x509-limbo not found: benchmarking the demo chain only)');
  }
  return list;
}

function native(chain, dir) {
  const chainFile = path.join(dir, 'chain.pem');
  const anchorFile = path.join(dir, 'anchor.pem');
  writeFileSync(chainFile, chain.chainPem);
  writeFileSync(anchorFile, chain.anchorPem);
  const out = execFileSync(
    'cargo',
    ['run', '-q', '--release', '-p', 'netlens-chain', '--example', 'bench', '--', chainFile, anchorFile, chain.host, String(chain.at), String(RUNS * 2)],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return JSON.parse(out);
}

const fmt = (ms) => `${ms.toFixed(2).padStart(7)} ms`;

async function main() {
  if (!existsSync(path.join(DIST, 'index.html'))) throw new Error('build first: scripts/build.sh');
  const dir = mkdtempSync(path.join(tmpdir(), 'netlens-bench-'));
  try {
    cpSync(DIST, dir, { recursive: true });
    cpSync(path.join(ROOT, 'bench', 'bench.html'), path.join(dir, 'bench.html'));
    await esbuild.build({
      entryPoints: [path.join(ROOT, 'bench', 'pkijs-entry.mjs')],
      bundle: true,
      format: 'esm',
      minify: true,
      outfile: path.join(dir, 'pkijs.bundle.js'),
      logLevel: 'silent',
    });
    // bench.html drives the run from an inline script, which the app's CSP would block.
    const server = await startServer(dir, '', ['--no-csp']);
    const natives = new Map(chains().map((chain) => [chain.name, { chain, nat: native(chain, dir) }]));
    const engines = [
      async () => {
        const browser = await launchBrowser();
        const page = await browser.newPage();
        page.on('pageerror', (e) => console.error('page error:', e.message));
        return { name: `Chromium ${browser.version()}`, page, close: () => browser.close() };
      },
    ];
    if (webkitMissing) console.log(`(WebKit not measured: ${webkitMissing})`);
    else {
      engines.push(async () => {
        const browser = await launchWebKit();
        const page = await browser.newPage();
        await page.goto('about:blank');
        const version = await page.evaluate(() => navigator.userAgent.match(/AppleWebKit\/[\d.]+/)?.[0] ?? 'WebKit');
        return { name: `WebKitGTK MiniBrowser (${version})`, page, close: () => browser.close() };
      });
    }
    try {
      for (const launch of engines) {
        const engine = await launch();
        try {
          const { page } = engine;
          await page.goto(`${server.url}bench.html`);
          await page.waitForFunction(() => window.benchReady, null, { timeout: 60_000 });
          for (const { chain, nat } of natives.values()) {
            const web = await page.evaluate((args) => window.runBench(args), { ...chain, runs: RUNS });
            console.log(`\n${chain.name}  [${engine.name}, ${RUNS} runs]`);
            console.log(`  netlens native (release, ${nat.runs} runs)                      ${fmt(nat.median_ms)}   verdicts ${JSON.stringify(nat.verdicts)}`);
            if (!web.agree) console.log('  WARNING: the WebCrypto and pure-Rust reports differ');
            console.log(`  netlens wasm + WebCrypto (analyzeChain in netlens-embed.js)  ${fmt(web.webcrypto.median)}   verdicts ${JSON.stringify(web.netlensVerdicts)}`);
            console.log(`  netlens wasm, pure-Rust signatures (webcrypto: false)        ${fmt(web.rustcrypto.median)}`);
            console.log(`  netlens wasm + WebCrypto, with the built-in root stores      ${fmt(web.withRoots.median)}`);
            console.log(`  the chain page's analysis (paste to report object)           ${fmt(web.page.median)}   apple ${web.pageVerdict}`);
            console.log(`  PKI.js 4.0.0 + WebCrypto, same page                          ${fmt(web.pkijs.median)}   result ${JSON.stringify(web.pkijsResult)}`);
            console.log(`  WebCrypto signature checks alone (both pay them)            ${fmt(web.floor.median)}`);
            console.log(`  PKI.js / netlens: ${(web.pkijs.median / web.webcrypto.median).toFixed(1)}x with WebCrypto, ${(web.pkijs.median / web.rustcrypto.median).toFixed(1)}x pure Rust (goal: at least 3x)`);
            console.log(`  PKI.js / the chain page: ${(web.pkijs.median / web.page.median).toFixed(1)}x (goal: at least 3x)`);
            const beyond = (ms) => Math.max(ms - web.floor.median, 0.001);
            console.log(`  beyond the signature checks: netlens ${beyond(web.webcrypto.median).toFixed(2)} ms, PKI.js ${beyond(web.pkijs.median).toFixed(2)} ms: ${(beyond(web.pkijs.median) / beyond(web.webcrypto.median)).toFixed(1)}x`);
          }
        } finally {
          await engine.close();
        }
      }
      console.log(`\n(cross-origin isolated: timers at 5 µs resolution in Chromium, 20 µs in WebKitGTK; medians of ${RUNS} runs each, in 5 alternating blocks, after 10 warm-up runs)`);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
