// What each page of a dist/ build downloads, per tool, against the budgets of DEVELOPERS.md
// ("Per-tool modules"): the files a page with one element (or the app's home page) fetches from
// the netlens origin on a cold cache, gzip and brotli, as the precompressed copies on disk.
//
//   node scripts/sizes.mjs [DIST] [--json] [--check]   --check: exit status 1 when a budget is exceeded
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const DIST = path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(ROOT, 'dist'));
const JSON_OUT = args.includes('--json');
const CHECK = args.includes('--check');

const KiB = 1024;
/** Budgets in gzip bytes (issue 12). */
export const BUDGETS = {
  'netlens-dnssd': 200 * KiB,
  'netlens-cert-decoder': 300 * KiB,
  'netlens-chain': 450 * KiB,
  'netlens-probe': 200 * KiB,
  home: 120 * KiB,
};

function manifest() {
  const loader = readFileSync(path.join(DIST, 'netlens-embed.js'), 'utf8');
  const json = loader.match(/const TOOLS = (\{[\s\S]*?\n\});/)?.[1];
  if (!json) throw new Error(`${DIST}/netlens-embed.js has no tool manifest: build with trunk first`);
  return JSON.parse(json);
}

function size(file, encoding) {
  const full = path.join(DIST, file);
  const compressed = `${full}.${encoding}`;
  return existsSync(compressed) ? statSync(compressed).size : statSync(full).size;
}

/** The files a page with one `tag` element fetches (the probe adds its worker). */
export function pageFiles(tools, tag) {
  if (tag === 'home') {
    const css = readFileSync(path.join(DIST, 'index.html'), 'utf8').match(/href="\.\/(netlens-[0-9a-f]{16}\.css)"/)?.[1];
    return ['index.html', css, 'netlens-app.js', 'netlens-embed.js'].filter(Boolean);
  }
  const files = ['netlens-embed.js', tools[tag].js, tools[tag].wasm];
  if (tag === 'netlens-probe') {
    files.push('netlens-probe-worker_loader.js', 'netlens-probe-worker.js', 'netlens-probe-worker_bg.wasm');
    if (existsSync(path.join(DIST, 'netlens.config.json'))) files.push('netlens.config.json');
  }
  return files;
}

const tools = manifest();
const rows = Object.keys(BUDGETS).map((tag) => {
  const files = pageFiles(tools, tag);
  const gzip = files.reduce((n, f) => n + size(f, 'gz'), 0);
  const brotli = files.reduce((n, f) => n + size(f, 'br'), 0);
  const raw = files.reduce((n, f) => n + statSync(path.join(DIST, f)).size, 0);
  return { page: tag === 'home' ? 'app home page' : `one <${tag}>`, tag, files, raw, gzip, brotli, budget: BUDGETS[tag], within: gzip <= BUDGETS[tag] };
});

if (JSON_OUT) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  const kib = (n) => `${(n / KiB).toFixed(1)} KiB`;
  console.log('dist/: what a page downloads from the netlens origin (cold cache)');
  console.log(`  ${'page'.padEnd(28)} ${'raw'.padStart(11)} ${'gzip'.padStart(11)} ${'brotli'.padStart(11)} ${'budget (gzip)'.padStart(14)}`);
  for (const r of rows) {
    console.log(`  ${r.page.padEnd(28)} ${kib(r.raw).padStart(11)} ${kib(r.gzip).padStart(11)} ${kib(r.brotli).padStart(11)} ${kib(r.budget).padStart(14)} ${r.within ? 'ok' : 'OVER'}`);
  }
}
if (CHECK && !rows.every((r) => r.within)) process.exitCode = 1;
