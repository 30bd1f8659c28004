// What each page of a dist/ build downloads, per tool, against the budgets of DEVELOPERS.md
// ("Per-tool modules"): the files a page with one element (or the app's home page) fetches from
// the netlens origin on a cold cache, gzip and brotli, as the precompressed copies on disk.
//
//   node scripts/sizes.mjs [DIST] [--json] [--check]   --check: exit status 1 when a budget is exceeded
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const KiB = 1024;
/** Budgets in gzip bytes (issue 12). */
export const BUDGETS = {
  // 200 KiB until issue 28: NSBonjourServices is read by the one property list reader the ATS
  // linter uses (XML with comments, entities and CDATA, binary plists, sentences for what cannot
  // be read) instead of scraping <string> tags: +12.3 KiB gzip (twiggy: ~30 KB of code).
  'netlens-dnssd': 215 * KiB,
  'netlens-cert-decoder': 300 * KiB,
  'netlens-chain': 450 * KiB,
  // 200 KiB until issue 26: handling Safari's suspension of hidden pages (interrupted probes,
  // their events, notes and status sentences) and the isolation advice cost 3.0 KiB gzip.
  // 202 KiB until issue 29: the working-conditions mode (the QualityRun state machine and the
  // draft's arithmetic, the worker's driver of the load and foreign sockets, the live report's
  // codec, the panel, and the JSON export serialized in the worker) cost +26.6 KiB gzip.
  'netlens-probe': 230 * KiB,
  // 440 KiB until issue 27: the maker links the chain core and the input scanner to check what
  // it makes, and their SCT, OCSP and PKCS#12 reading (+18.7 KiB gzip) landed there too.
  'netlens-make': 450 * KiB,
  // Issue 28: the code tables, the ATS linter, the plist reader and the certificate decoder
  // the pins need; a page that embeds it pays for no other tool.
  'netlens-apptls': 300 * KiB,
  home: 120 * KiB,
};

/** The tool manifest the build wrote beside the loader (web/finish-build.mjs). */
export function manifest(dist) {
  const file = path.join(dist, 'netlens-tools.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: build with trunk first`);
  return JSON.parse(readFileSync(file, 'utf8')).tools;
}

function size(dist, file, encoding) {
  const full = path.join(dist, file);
  const compressed = `${full}.${encoding}`;
  return existsSync(compressed) ? statSync(compressed).size : statSync(full).size;
}

/** The files a page with one `tag` element fetches (the probe adds its settings file; its worker
 * runs the same module, handed over compiled). */
export function pageFiles(dist, tools, tag) {
  if (tag === 'home') {
    const index = readFileSync(path.join(dist, 'index.html'), 'utf8');
    const linked = [...index.matchAll(/href="\.?\/?(netlens-[0-9a-f]{16}\.(?:css|svg)|manifest\.webmanifest)"/g)].map((m) => m[1]);
    return ['index.html', ...linked, 'netlens-app.js', 'netlens-embed.js', 'sw.js'];
  }
  const files = ['netlens-embed.js', tools[tag].js, tools[tag].wasm];
  if (tag === 'netlens-probe') {
    if (existsSync(path.join(dist, 'netlens.config.json'))) files.push('netlens.config.json');
  }
  return files;
}

/** The IANA description chunks (web/finish-build.mjs), relative to dist. */
function ianaChunks(dist) {
  const dir = path.join(dist, 'iana-descriptions');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.tsv')).map((f) => `iana-descriptions/${f}`) : [];
}

const largest = (dist, files) => files.reduce((a, b) => (size(dist, a, 'gz') >= size(dist, b, 'gz') ? a : b));

/**
 * What a page fetches on first use on its default path, counted in its budget: one
 * <netlens-dnssd> showing a registered type fetches one IANA description chunk (the largest is
 * counted). The chain page's built-in trust stores are reported beside its module but not yet
 * enforced (the per-release trust stores of a later issue are meant to meet the budget).
 */
export function firstUse(dist, tag) {
  if (tag === 'netlens-dnssd') {
    const chunks = ianaChunks(dist);
    return { enforced: chunks.length ? [largest(dist, chunks)] : [], reported: [] };
  }
  if (tag === 'netlens-chain' && existsSync(path.join(dist, 'trust-stores.bin'))) {
    return { enforced: [], reported: ['trust-stores.bin'] };
  }
  return { enforced: [], reported: [] };
}

/** What a page may fetch later, on demand: [files, when]. */
export function onDemand(dist) {
  const tools = manifest(dist);
  const later = [];
  const chunks = ianaChunks(dist);
  if (chunks.length) {
    later.push([[largest(dist, chunks)], `the largest of ${chunks.length} IANA description chunks, when <netlens-dnssd> first shows a registered type`]);
  }
  if (existsSync(path.join(dist, 'trust-stores.bin'))) {
    later.push([['trust-stores.bin'], 'when <netlens-chain> first analyzes with the built-in stores']);
  }
  const verify = tools['netlens-verify'];
  if (verify) {
    later.push([[verify.js, verify.wasm], 'when WebCrypto leaves a chain signature unconfirmed (a bad one, SHA-224, a key the browser refuses)']);
  }
  const pkcs12 = tools['netlens-pkcs12'];
  if (pkcs12) {
    later.push([[pkcs12.js, pkcs12.wasm], 'when the decoder or the chain page opens a PKCS#12 file']);
  }
  return later;
}

/**
 * One row per page of BUDGETS: the files (the page's own, then what its default path fetches on
 * first use), their raw, gzip and brotli bytes, the budget; `reported` is first-use data shown
 * beside the row but not enforced (see firstUse).
 */
export function pageSizes(dist) {
  const tools = manifest(dist);
  return Object.keys(BUDGETS).map((tag) => {
    const { enforced, reported } = firstUse(dist, tag);
    const files = [...pageFiles(dist, tools, tag), ...enforced];
    const sum = (list, measure) => list.reduce((n, f) => n + measure(f), 0);
    const gzip = sum(files, (f) => size(dist, f, 'gz'));
    return {
      page: tag === 'home' ? 'app home page' : `one <${tag}>`,
      tag,
      files,
      firstUse: enforced,
      raw: sum(files, (f) => statSync(path.join(dist, f)).size),
      gzip,
      brotli: sum(files, (f) => size(dist, f, 'br')),
      reported,
      reportedGzip: sum(reported, (f) => size(dist, f, 'gz')),
      budget: BUDGETS[tag],
      within: gzip <= BUDGETS[tag],
    };
  });
}

function main() {
  const args = process.argv.slice(2);
  const dist = path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(ROOT, 'dist'));
  const rows = pageSizes(dist);
  if (args.includes('--json')) {
    console.log(JSON.stringify(rows, null, 2));
  } else {
    const kib = (n) => `${(n / KiB).toFixed(1)} KiB`;
    const cells = (...c) => c.map((x, i) => (i === 0 ? x.padEnd(28) : x.padStart(i === 4 ? 14 : 11))).join(' ');
    console.log(`${dist}: what a page downloads from the netlens origin (cold cache)`);
    console.log(`  ${cells('page', 'raw', 'gzip', 'brotli', 'budget (gzip)')}`);
    for (const r of rows) {
      console.log(`  ${cells(r.page, kib(r.raw), kib(r.gzip), kib(r.brotli), kib(r.budget))} ${r.within ? 'ok' : 'OVER'}`);
      if (r.firstUse.length) console.log(`    (includes ${r.firstUse.join(' + ')}, fetched on first use)`);
      if (r.reported.length) {
        console.log(`    (+ ${r.reported.join(' + ')}, ${kib(r.reportedGzip)} gzip on first use: ${kib(r.gzip + r.reportedGzip)} in all, not yet held to the budget)`);
      }
    }
  }
  if (!args.includes('--json')) {
    const short = (r) => (r.tag === 'home' ? 'home' : r.tag.replace('netlens-', '').replace('cert-', ''));
    const extra = (r) => (r.reported.length ? ` (+${(r.reportedGzip / KiB).toFixed(1)} on first use)` : '');
    console.log(`pages (gzip): ${rows.map((r) => `${short(r)} ${(r.gzip / KiB).toFixed(1)} KiB${extra(r)}${r.within ? '' : ' (over)'}`).join(', ')}`);
  }
  if (!args.includes('--json')) {
    // Loaded on demand, after the page is usable: said beside the pages, never hidden.
    const kib = (n) => `${(n / KiB).toFixed(1)} KiB`;
    for (const [files, when] of onDemand(dist)) {
      const gzip = files.reduce((n, f) => n + size(dist, f, 'gz'), 0);
      console.log(`  (+ ${files.join(' + ')}, ${kib(gzip)} gzip, ${when})`);
    }
  }
  if (args.includes('--check') && !rows.every((r) => r.within)) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) main();
