// `make bench` (second part): how long does making a test CA take, and what does it cost?
//
// For a P-256 CA and leaf and for an RSA-2048 CA and leaf, both for two names with the
// defaults (root, name-constrained intermediate, server certificate, PKCS#12, profile, zip),
// measures the median wall time of:
//   - the CLI: `netlens make` (release build) as a user runs it, process start to exit, keys by
//     RustCrypto, every certificate analysed by netlens;
//   - the page: `makeCertificates()` of netlens-embed.js in headless Chromium, keys and
//     signatures by WebCrypto, every certificate analysed by netlens (WebCrypto verifying), the
//     files and the zip made.
// A benchmark, not a test: it reports numbers and never fails on them.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CARGO_TARGET, ROOT, launchBrowser, startServer } from '../e2e/harness.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const CLI = path.join(CARGO_TARGET, 'release/netlens');
const CASES = [
  { name: 'P-256 CA + P-256 leaf', keyType: 'p256' },
  { name: 'RSA-2048 CA + RSA-2048 leaf', keyType: 'rsa2048' },
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

function cli(keyType) {
  const times = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'netlens-bench-make-'));
  try {
    for (let i = 0; i < RUNS; i++) {
      const out = path.join(dir, String(i));
      const start = performance.now();
      const r = spawnSync(CLI, ['make', '--name', 'printer.local', '--name', '192.168.1.20', '--key-type', keyType, '--ca-key-type', keyType, '--out', out, '--json']);
      times.push(performance.now() - start);
      if (r.status !== 0) throw new Error(`netlens make failed: ${r.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return times;
}

async function page(browserPage, keyType) {
  return browserPage.evaluate(
    async ({ keyType, runs }) => {
      const netlens = await import('./netlens-embed.js');
      const times = [];
      // One run to load and compile the module first.
      await netlens.makeCertificates({ names: 'printer.local 192.168.1.20', keyType, caKeyType: keyType, password: 'pw' });
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        const made = await netlens.makeCertificates({ names: 'printer.local 192.168.1.20', keyType, caKeyType: keyType, password: 'pw' });
        times.push(performance.now() - start);
        if (!made.passed) throw new Error('a check failed');
      }
      return times;
    },
    { keyType, runs: RUNS },
  );
}

const server = await startServer();
const browser = await launchBrowser();
try {
  const p = await browser.newPage();
  await p.goto(server.url);
  console.log(`netlens make: a CA and a server identity for two names, median of ${RUNS} runs (min–max), ms`);
  console.log(`  ${'case'.padEnd(30)} ${'CLI (process)'.padStart(16)} ${'page (Chromium)'.padStart(18)}`);
  for (const c of CASES) {
    const native = cli(c.keyType);
    const browserTimes = await page(p, c.keyType);
    console.log(
      `  ${c.name.padEnd(30)} ${`${median(native).toFixed(1)} (${range(native)})`.padStart(16)} ${`${median(browserTimes).toFixed(1)} (${range(browserTimes)})`.padStart(18)}`,
    );
  }
} finally {
  await browser.close();
  await server.stop();
}
