// The harness's guarantees, planted: a page that logs an error, throws, fails to load a file,
// breaks the CSP and asks a host other than 127.0.0.1 is caught on every count, in Chromium
// (Playwright's view from outside) and in WebKit (the recording proxy and the page's first
// script; e2e/webkit-driver.mjs).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { allowViolations, startServer, useSession, violationsSoFar } from './harness.mjs';

const session = useSession();
let dir;
let server;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'netlens-harness-'));
  writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>planted</title><link rel="icon" href="data:,">' +
      '<script src="bad.js"></script></head><body><p>planted</p></body></html>',
  );
  writeFileSync(
    path.join(dir, 'bad.js'),
    [
      "console.error('planted console error');",
      "setTimeout(() => { throw new Error('planted uncaught'); });",
      "addEventListener('DOMContentLoaded', () => {",
      "  const img = document.createElement('img'); img.src = 'missing.png'; document.body.append(img);",
      "  const s = document.createElement('style'); s.textContent = 'p { color: red }'; document.head.append(s);",
      "  fetch('http://192.0.2.1/planted').catch(() => {});",
      "});",
    ].join('\n'),
  );
  server = await startServer(dir);
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('console errors, exceptions, failed loads, CSP violations and requests off loopback are all caught', async () => {
  const page = await session.newPage();
  await page.goto(server.url);
  await page.locator('img').waitFor({ state: 'attached' });
  let seen = [];
  for (let i = 0; i < 50; i++) {
    seen = await violationsSoFar(session);
    if (seen.some((v) => /192\.0\.2\.1/.test(v)) && seen.some((v) => /missing\.png/.test(v)) && seen.some((v) => /planted uncaught/.test(v))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const text = seen.join('\n');
  assert.match(text, /planted console error/);
  assert.match(text, /planted uncaught/);
  assert.match(text, /missing\.png/);
  assert.match(text, /192\.0\.2\.1/);
  if (session.name === 'webkit') assert.match(text, /CSP: style-src/);
  // Every violation on this page was planted.
  allowViolations(session, /./);
});
