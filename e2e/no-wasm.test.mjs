// No blank element anywhere: where WebAssembly is missing (Lockdown Mode on an iPhone, iPad or
// Mac; some managed browsers) or the engine refuses a module, every element and page says so in
// a sentence, with what to do. Run in Chromium and in WebKit, like every end-to-end test.

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DIST, allowViolations, startServer, useSession } from './harness.mjs';

const session = useSession();
const TAGS = Object.keys(JSON.parse(readFileSync(path.join(DIST, 'netlens-tools.json'), 'utf8')).tools).filter(
  (tag) => tag !== 'netlens-verify' && tag !== 'netlens-pkcs12',
);

// A copy of dist/ with a page that removes WebAssembly before the loader runs, as Lockdown Mode
// does, and then shows every element (a module script, which the CSP allows).
let root;
let server;
before(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'netlens-no-wasm-'));
  cpSync(DIST, root, { recursive: true });
  writeFileSync(path.join(root, 'no-wasm.js'), "delete globalThis.WebAssembly;\nawait import('./netlens-embed.js');\n");
  writeFileSync(
    path.join(root, 'no-wasm.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>no WebAssembly</title>` +
      `<script type="module" src="./no-wasm.js"></script></head><body>` +
      TAGS.map((tag) => `<${tag}></${tag}>`).join('') +
      `</body></html>`,
  );
  // …and whose DNS-SD module arrives damaged, as a broken proxy or a full disk would leave it.
  const tools = path.join(root, 'tools');
  for (const file of readdirSync(tools).filter((f) => /^netlens-web-dnssd-[0-9a-f]{16}_bg\.wasm$/.test(f))) {
    writeFileSync(path.join(tools, file), Buffer.from('\0asm\x01\0\0\0\x01', 'binary'));
    for (const suffix of ['.br', '.gz']) rmSync(path.join(tools, `${file}${suffix}`), { force: true });
  }
  server = await startServer(root);
});
after(async () => {
  await server?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** In the page: each element's alert sentence, once every element shows one (bounded wait). */
const SENTENCES = `
  const tags = ${JSON.stringify(TAGS)};
  for (let i = 0; i < 200; i++) {
    const texts = tags.map((t) => document.querySelector(t)?.shadowRoot?.querySelector('[role=alert]')?.textContent);
    if (texts.every(Boolean)) return texts;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { error: 'not every element showed a sentence' };`;

function assertLockdownSentences(texts) {
  assert.ok(Array.isArray(texts), texts?.error);
  assert.equal(texts.length, TAGS.length);
  for (const text of texts) {
    assert.match(text, /needs WebAssembly, which this browser has turned off/);
    assert.match(text, /Lockdown Mode › Configure Web Browsing/);
  }
}

test('without WebAssembly every element says why and what to do', async () => {
  const page = await session.newPage();
  await page.goto(`${server.url}no-wasm.html`);
  assertLockdownSentences(await page.evaluate(`(async () => { ${SENTENCES} })()`));
});

test('without WebAssembly the app says so on every page', async () => {
  const page = await session.newPage();
  await page.addInitScript(() => {
    delete globalThis.WebAssembly;
  });
  await page.goto(`${session.server.url}`);
  assert.match(await page.locator('.nl-no-wasm').textContent(), /needs WebAssembly/);
  await page.goto(`${session.server.url}#/chain`);
  await page.locator('#nl-tool [role=alert]').waitFor();
  assert.match(await page.locator('#nl-tool [role=alert]').textContent(), /Lockdown Mode/);
});

test('a module the engine refuses is said, with the browser floor', async () => {
  const page = await session.newPage();
  // The copy's DNS-SD module is damaged: the engine's CompileError becomes a sentence.
  await page.goto(`${server.url}#/dnssd`);
  await page.locator('#nl-tool [role=alert]').waitFor();
  const text = await page.locator('#nl-tool [role=alert]').textContent();
  assert.match(text, /cannot run the DNS-SD validator: its WebAssembly engine refused the module/);
  assert.match(text, /Safari 16\.4/);
  allowViolations(session, /WebAssembly engine refused/);
});
