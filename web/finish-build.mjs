// Trunk post_build hook (runs in the staging directory before Trunk publishes it as dist/).
//
// 0. Minify the JavaScript (tool glue, loader, app shell) with esbuild.
// 1. The tool modules are built as Trunk "worker" links, which keep fixed names
//    (tools/netlens-web-dnssd.js + _bg.wasm). Give each pair a content hash in its name, so
//    hosts and the service worker can cache them forever, and write the names (and the version)
//    into netlens-embed.js, the only file that imports them.
// 2. Write iana-descriptions/*.tsv (chunks the DNS-SD module fetches when it shows a
//    registration; the whole file only for the single file) and copy
//    trust-stores.bin (fetched by the chain module when an analysis first uses the stores).
// 3. Drop the skipped main rust link that Trunk leaves in index.html.
// 4. Write netlens-offline.html, the whole app in one file (web/single-file.mjs).
// 5. Fill in the service worker's file list and version (sw.js).
// 6. Write a .br and a .gz beside every text and wasm file, for hosts that serve precompressed
//    files (scripts/serve.py does, by Accept-Encoding).
//
// Node's standard library and esbuild (an npm dev dependency). Fails loudly when an expected
// output is missing.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { transformSync } from 'esbuild';
import { writeSingleFile } from './single-file.mjs';

const staging = process.env.TRUNK_STAGING_DIR;
const source = process.env.TRUNK_SOURCE_DIR ?? process.cwd();
if (!staging) {
  console.error('finish-build.mjs runs as a Trunk post_build hook (TRUNK_STAGING_DIR is not set)');
  process.exit(1);
}

/** The wasm modules: element tag (or, for a module no element shows, its key), crate (Trunk's
 * output name), and the name sentences use. The verification module is loaded by the chain
 * module when WebCrypto leaves a signature unconfirmed (crates/netlens-web/src/signatures.rs),
 * the PKCS#12 reader by the decoder and the chain page when a .p12 is opened
 * (crates/netlens-web/src/pkcs12.rs). */
export const TOOLS = [
  { tag: 'netlens-chain', crate: 'netlens-web-chain', name: 'chain analysis' },
  { tag: 'netlens-cert-decoder', crate: 'netlens-web-decoder', name: 'certificate decoder' },
  { tag: 'netlens-dnssd', crate: 'netlens-web-dnssd', name: 'DNS-SD validator' },
  { tag: 'netlens-probe', crate: 'netlens-web-probe', name: 'latency probe' },
  { tag: 'netlens-make', crate: 'netlens-web-make', name: 'test certificate maker' },
  { tag: 'netlens-apptls', crate: 'netlens-web-apptls', name: 'App TLS tool' },
  { tag: 'netlens-verify', crate: 'netlens-web-verify', name: 'signature verification', element: false },
  { tag: 'netlens-pkcs12', crate: 'netlens-web-pkcs12', name: 'PKCS#12 reader', element: false },
];

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else yield full;
  }
}

function fail(message) {
  console.error(`finish-build.mjs: ${message}`);
  process.exit(1);
}

/** Minifies a JS module in place (esbuild, from the npm dev dependencies): comments and long
 * names in the glue and the loader are bytes every page pays for. */
function minify(file) {
  const code = readFileSync(file, 'utf8');
  const { code: minified } = transformSync(code, { minify: true, format: 'esm', target: 'es2022', legalComments: 'none' });
  writeFileSync(file, minified);
}

const manifest = {};
for (const tool of TOOLS) {
  const js = path.join(staging, 'tools', `${tool.crate}.js`);
  const wasm = path.join(staging, 'tools', `${tool.crate}_bg.wasm`);
  let glue;
  let binary;
  try {
    minify(js);
    glue = readFileSync(js);
    binary = readFileSync(wasm);
  } catch {
    fail(`tools/${tool.crate}.js or its _bg.wasm is missing: is its <link data-trunk rel="rust"> in index.html?`);
  }
  const hash = createHash('sha256').update(glue).update(binary).digest('hex').slice(0, 16);
  const base = `${tool.crate}-${hash}`;
  renameSync(js, path.join(staging, 'tools', `${base}.js`));
  renameSync(wasm, path.join(staging, 'tools', `${base}_bg.wasm`));
  manifest[tool.tag] = { name: tool.name, js: `tools/${base}.js`, wasm: `tools/${base}_bg.wasm` };
  if (tool.element === false) manifest[tool.tag].element = false;
}

const cargo = readFileSync(path.join(source, 'Cargo.toml'), 'utf8');
const version = cargo.match(/\[workspace\.package\][^[]*?\nversion = "([^"]+)"/)?.[1];
if (!version) fail('no [workspace.package] version in Cargo.toml');

const loaderPath = path.join(staging, 'netlens-embed.js');
const loader = readFileSync(loaderPath, 'utf8')
  .replace('__NETLENS_TOOLS__', JSON.stringify(manifest, null, 2))
  .replace('__NETLENS_VERSION__', JSON.stringify(version));
if (/__NETLENS_(TOOLS|VERSION)__/.test(loader)) fail('placeholders left in netlens-embed.js');
writeFileSync(loaderPath, loader);
// The same manifest for tools that measure a build (scripts/sizes.mjs, the tests); no page reads it.
writeFileSync(path.join(staging, 'netlens-tools.json'), `${JSON.stringify({ version, tools: manifest }, null, 2)}\n`);
for (const file of ['netlens-embed.js', 'netlens-app.js']) minify(path.join(staging, file));

// The IANA registry's descriptions, which the DNS-SD module fetches when it first shows a
// registration: the same name<TAB>description projection netlens-dnssd's build.rs makes.
const iana = readFileSync(path.join(source, 'crates/netlens-dnssd/data/iana-services.tsv'), 'utf8')
  .split('\n')
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => line.split('\t'))
  .filter(([, , description]) => description)
  .map(([name, , description]) => `${name}\t${description}\n`)
  .join('');
writeFileSync(path.join(staging, 'iana-descriptions.tsv'), iana);
// …and in chunks by a hash of the name, which is what pages fetch: one registration shown costs
// one chunk (crates/netlens-dnssd/src/iana.rs, `description_chunk`: FNV-1a of the lowercased
// name, modulo 256). The whole file is for the single-file build.
const CHUNKS = 256;
const chunkOf = (name) => {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(name.toLowerCase(), 'latin1')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash % CHUNKS;
};
const chunks = Array.from({ length: CHUNKS }, () => []);
for (const line of iana.split('\n').filter(Boolean)) chunks[chunkOf(line.split('\t', 1)[0])].push(`${line}\n`);
mkdirSync(path.join(staging, 'iana-descriptions'), { recursive: true });
chunks.forEach((lines, i) => writeFileSync(path.join(staging, 'iana-descriptions', `${i.toString(16).padStart(2, '0')}.tsv`), lines.join('')));

// The trust stores, which the chain module fetches when an analysis first uses them
// (crates/netlens-roots/src/file.rs; the file is checked against the compiled-in tables).
copyFileSync(path.join(source, 'crates/netlens-roots/data/trust-stores.bin'), path.join(staging, 'trust-stores.bin'));

// Trunk leaves the skipped main link (index.html's comment says why it exists) in the page.
const indexPath = path.join(staging, 'index.html');
const index = readFileSync(indexPath, 'utf8').replace(/\s*<link data-trunk [^>]*data-trunk-skip[^>]*>/, '');
if (index.includes('data-trunk')) fail('a data-trunk link is left in index.html');
writeFileSync(indexPath, index);

// The single file for air-gapped machines (web/single-file.mjs): not served to browsers, so
// neither in the service worker's list nor precompressed.
const SINGLE = 'netlens-offline.html';
writeFileSync(path.join(staging, SINGLE), writeSingleFile(staging, manifest, source));
// The whole descriptions file was for the single file alone: pages fetch chunks.
rmSync(path.join(staging, 'iana-descriptions.tsv'));

// The service worker's file list and version: every file of the build (its name and content).
const all = [...files(staging)]
  .map((file) => path.relative(staging, file).split(path.sep).join('/'))
  .filter((file) => file !== 'sw.js' && file !== SINGLE && !/\.(br|gz)$/.test(file))
  .sort();
const buildHash = createHash('sha256');
for (const file of all) buildHash.update(file).update(readFileSync(path.join(staging, file)));
const swPath = path.join(staging, 'sw.js');
const sw = readFileSync(swPath, 'utf8')
  .replace('__NETLENS_SW_VERSION__', JSON.stringify(buildHash.digest('hex').slice(0, 16)))
  .replace('__NETLENS_SW_FILES__', JSON.stringify(['./', ...all.map((f) => `./${f}`)], null, 2));
if (/__NETLENS_SW_/.test(sw)) fail('placeholders left in sw.js');
writeFileSync(swPath, sw);

// Precompressed copies: brotli at its best level, gzip at 9. Tiny files are not worth it.
const COMPRESSIBLE = /\.(html|js|mjs|css|wasm|svg|json|webmanifest|tsv|bin)$/;
let raw = 0;
let br = 0;
for (const file of [...files(staging)]) {
  if (!COMPRESSIBLE.test(file) || statSync(file).size < 512 || file.endsWith(SINGLE)) continue;
  const bytes = readFileSync(file);
  const brotli = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  writeFileSync(`${file}.br`, brotli);
  writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
  raw += bytes.length;
  br += brotli.length;
}
console.log(
  `finish-build.mjs: ${Object.values(manifest)
    .map((m) => m.js)
    .join(', ')}; precompressed ${raw} bytes to ${br} brotli`,
);
