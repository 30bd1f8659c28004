// The single-file build: dist/netlens-offline.html, the whole app in one HTML file that works
// when opened from disk (file://) in Chromium and Firefox, for air-gapped machines.
//
// From file:// a page can fetch nothing beside it and start no module worker from a URL, so
// everything is inline: the stylesheet, the shell, the loader and the app script (imported from
// blob: URLs), each tool's glue (text) and wasm (gzip, base64, inflated with the browser's
// DecompressionStream when the tool is first shown), the IANA descriptions, the trust stores, and the probe's
// worker: its glue bundled into a classic script, instantiating the module the page posts. netlens-embed.js finds it all through
// globalThis.__NETLENS_INLINE__. Without http there is no cross-origin isolation (coarser probe
// timers, which the probe says) and no service worker (none is needed).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';

/**
 * The probe's worker as one classic script: the probe module's glue bundled into an IIFE by
 * esbuild with the handler that instantiates the module the page posts (a `file://` page can
 * start only classic workers from `blob:` URLs).
 */
function classicWorker(staging, tools) {
  const glue = `./${tools['netlens-probe'].js}`;
  const { outputFiles } = buildSync({
    stdin: {
      contents: `import init from ${JSON.stringify(glue)};
self.onmessage = async ({ data }) => {
  self.onmessage = null;
  try {
    await init({ module_or_path: data.module });
  } catch (error) {
    setTimeout(() => { throw error; });
  }
};
`,
      resolveDir: staging,
      loader: 'js',
    },
    bundle: true,
    format: 'iife',
    minify: true,
    write: false,
    logLevel: 'error',
    // The glue reads import.meta.url only to find its wasm, which it is given here.
    define: { 'import.meta.url': 'undefined' },
  });
  return outputFiles[0].text;
}

const BOOT = `
const data = JSON.parse(document.getElementById('nl-inline').textContent);
const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const gunzip = async (b64) =>
  new Uint8Array(await new Response(new Blob([bytes(b64)]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
const script = (text) => URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
globalThis.__NETLENS_INLINE__ = {
  glue: (tag) => script(data.tools[tag].glue),
  wasm: (tag) => gunzip(data.tools[tag].wasm),
  async prepare(tag, glue) {
    if (tag === 'netlens-dnssd') glue.setIanaDescriptions(new TextDecoder().decode(await gunzip(data.iana)));
    if (tag === 'netlens-chain') glue.setTrustStores(await gunzip(data.stores));
    if (tag === 'netlens-probe') glue.setWorkerSource(script(data.worker));
  },
};
const loader = script(data.loader);
await import(script(data.app.replace(/(["'])\\.\\/netlens-embed\\.js\\1/, JSON.stringify(loader))));
`;

/** JSON safe inside a <script> element. */
const scriptJson = (value) => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * Writes `netlens-offline.html` into `staging` from the finished build there (`tools` is the
 * loader's manifest) and returns its text.
 */
export function writeSingleFile(staging, tools, source) {
  const read = (file, encoding) => readFileSync(path.join(staging, file), encoding);
  const index = read('index.html', 'utf8');
  const css = index.match(/href="\.\/(netlens-[0-9a-f]{16}\.css)"/)?.[1];
  const body = index.match(/<body>([\s\S]*)<\/body>/)?.[1];
  if (!css || !body) throw new Error('index.html has no stylesheet link or body');
  const gz64 = (bytes) => gzipSync(bytes, { level: 9 }).toString('base64');
  const data = {
    loader: read('netlens-embed.js', 'utf8'),
    app: read('netlens-app.js', 'utf8'),
    tools: Object.fromEntries(
      Object.entries(tools).map(([tag, t]) => [tag, { glue: read(t.js, 'utf8'), wasm: gz64(read(t.wasm)) }]),
    ),
    iana: gz64(read('iana-descriptions.tsv')),
    stores: gz64(read('trust-stores.bin')),
    worker: classicWorker(staging, tools),
  };
  if (!/(["'])\.\/netlens-embed\.js\1/.test(data.app)) throw new Error('netlens-app.js no longer imports ./netlens-embed.js');
  const icon = readFileSync(path.join(source, 'web/icons/netlens.svg')).toString('base64');
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light dark" />
    <title>netlens</title>
    <link rel="icon" href="data:image/svg+xml;base64,${icon}" />
    <style>${read(css, 'utf8')}</style>
  </head>
  <body>${body.replace(/\s*<noscript>[\s\S]*?<\/noscript>/, '')}
    <script id="nl-inline" type="application/json">${scriptJson(data)}</script>
    <script type="module">${BOOT}</script>
  </body>
</html>
`;
  // The shell's links to files beside the app (the embed demo) cannot work from one file.
  const finished = html.replace(/\s*·\s*<a href="embed-demo\.html">[^<]*<\/a>/, '');
  return finished;
}
