// netlens-offline.html from file:// in Firefox (Debian's firefox-esr, driven through WebDriver
// BiDi by e2e/firefox-driver.mjs): decoder, chain, DNS-SD with its inline IANA descriptions and
// NFC, the probe in a classic blob worker with Firefox's 1 ms timers, said on the page, and the
// test certificate maker with every key type Firefox's WebCrypto makes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEMO_SUBJECTS, DIST, oncePerSuite, startEcho } from './harness.mjs';

const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'firefox-driver.mjs');

test('netlens-offline.html works from file:// in Firefox', { skip: oncePerSuite || (!existsSync(FIREFOX) && `${FIREFOX} is not installed (make setup installs firefox-esr)`) }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netlens-single-firefox-'));
  copyFileSync(path.join(DIST, 'netlens-offline.html'), path.join(dir, 'netlens-offline.html'));
  const echo = await startEcho();
  try {
    const driver = spawn(
      process.execPath,
      ['--experimental-websocket', '--no-warnings', DRIVER, pathToFileURL(path.join(dir, 'netlens-offline.html')).href, echo.url],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    driver.stdout.setEncoding('utf8');
    driver.stdout.on('data', (chunk) => (output += chunk));
    await once(driver, 'exit');
    const result = JSON.parse(output.trim().split('\n').pop());
    assert.equal(result.error, undefined, result.error);
    assert.deepEqual(result.decoder, DEMO_SUBJECTS);
    assert.deepEqual(result.chain.length, 3);
    assert.match(result.dnssd, /^IANA: registered \(tcp, udp\) — IPP/);
    assert.match(result.probe.env, /1\.000 ms \(opened from a file, which cannot be cross-origin isolated/);
    assert.ok(result.probe.median > 0);
    for (const run of result.make) {
      assert.equal(run.error, undefined, `${run.key}: ${run.error}`);
      assert.deepEqual(run.checks, [true, true, true], `${run.key}: two names and the SHA-1 fixture`);
    }
    assert.deepEqual(result.errors, []);
  } finally {
    await echo.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
