// A real documentation site, built by the test with MkDocs Material (PyPI, in the venv `make
// setup` makes), with instant navigation, on its own origin, embedding every netlens element from
// the netlens server: each works when reached by instant navigation (no page reload), and again
// after navigating away and back.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO_SUBJECTS, ROOT, fixture, startEcho, startServer, useSession } from './harness.mjs';

const MKDOCS = path.join(ROOT, 'target', 'mkdocs-venv', 'bin', 'mkdocs');
const skip = !existsSync(MKDOCS) && `${MKDOCS} is missing (make setup installs MkDocs Material in that venv)`;
const session = useSession();
let dir;
let docs;
let echo;

/** Writes the MkDocs project and builds it into the folder the docs server serves. */
async function buildSite(netlensUrl, siteUrl) {
  const project = path.join(dir, 'project');
  mkdirSync(path.join(project, 'docs'), { recursive: true });
  const page = (name, title, body) => writeFileSync(path.join(project, 'docs', name), `# ${title}\n\n${body}\n`);
  writeFileSync(
    path.join(project, 'mkdocs.yml'),
    [
      'site_name: Acme Docs',
      `site_url: ${siteUrl}`,
      'theme:',
      '  name: material',
      '  font: false', // no Google Fonts: nothing may leave 127.0.0.1
      '  features:',
      '    - navigation.instant',
      'plugins: []',
      'extra_javascript:',
      `  - path: ${netlensUrl}netlens-embed.js`,
      '    type: module',
      'nav:',
      '  - Home: index.md',
      '  - Decode: decoder.md',
      '  - Chain: chain.md',
      '  - Bonjour: dnssd.md',
      '  - Latency: probe.md',
      '',
    ].join('\n'),
  );
  page('index.md', 'Acme Docs', 'Tools for checking your setup, embedded from netlens.');
  page('decoder.md', 'Decode a certificate', `<netlens-cert-decoder>\n${fixture('demo-chain.pem')}</netlens-cert-decoder>`);
  page('chain.md', 'Check your chain', `<netlens-chain host="www.netlens.test" at="2026-06-01T00:00:00Z">\n${fixture('demo-chain.pem')}</netlens-chain>`);
  page('dnssd.md', 'Check your Bonjour record', '<netlens-dnssd type="_ipp._tcp" instance="Office">txtvers=1\nrp=ipp/print</netlens-dnssd>');
  page('probe.md', 'Measure latency', `<netlens-probe endpoint="${echo.url}" count="5" interval_ms="20"></netlens-probe>`);
  const build = spawn(MKDOCS, ['build', '--quiet', '--site-dir', path.join(dir, 'site')], { cwd: project, stdio: ['ignore', 'inherit', 'inherit'] });
  const [code] = await once(build, 'exit');
  assert.equal(code, 0, 'mkdocs build');
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(path.join(tmpdir(), 'netlens-mkdocs-'));
  mkdirSync(path.join(dir, 'site'));
  docs = await startServer(path.join(dir, 'site'), null, ['--no-csp']);
  echo = await startEcho();
});
after(async () => {
  await docs?.stop();
  await echo?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('every element works on a MkDocs Material site reached by instant navigation', { skip }, async () => {
  await buildSite(session.server.url, docs.url);
  const page = await session.newPage();
  await page.goto(docs.url);
  await page.locator('h1', { hasText: 'Acme Docs' }).waitFor();
  // Survives only if no page is reloaded: instant navigation swaps the content in place.
  await page.evaluate(() => (window.notReloaded = true));
  const go = async (title) => {
    await page.locator('.md-nav__link', { hasText: title }).first().click();
    await page.locator('article h1').filter({ hasText: { Decode: 'Decode', Chain: 'Check your chain', Bonjour: 'Bonjour', Latency: 'Latency' }[title] }).waitFor();
  };

  await go('Decode');
  await page.locator('netlens-cert-decoder .nl-cert-card').nth(2).waitFor();
  assert.deepEqual(await page.locator('netlens-cert-decoder .nl-cert-subject').allTextContents(), DEMO_SUBJECTS);

  await go('Chain');
  await page.locator('netlens-chain .nl-chain-results[aria-busy="false"] .nl-trust-matrix').waitFor();

  await go('Bonjour');
  await page.locator('netlens-dnssd .nl-registration', { hasText: 'IANA: registered' }).waitFor();

  await go('Latency');
  await page.locator('netlens-probe #nl-probe-start:enabled').click();
  await page.locator('netlens-probe #nl-probe-status', { hasText: 'Finished: 5 probes sent.' }).waitFor({ timeout: 20_000 });

  // Back to the first page: a new element, mounted again from the module already loaded.
  await go('Decode');
  await page.locator('netlens-cert-decoder .nl-cert-card').nth(2).waitFor();
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'instant navigation, no reload');
  assert.equal(await page.evaluate(() => document.querySelectorAll('script[src$="netlens-embed.js"]').length), 1);
});
