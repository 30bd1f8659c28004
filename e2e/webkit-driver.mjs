// WebKit (Safari's engine) for the end-to-end tests: WebKitGTK's MiniBrowser under Xvfb, driven
// through Debian's webkit2gtk-driver (W3C WebDriver over HTTP, from Node's fetch). WebKitGTK
// stands in for Safari's JavaScriptCore, wasm, DOM, workers and timers, not for its WebCrypto,
// networking, trust evaluation, worker stack or iOS lifecycle (README, "Browsers").
//
//   const webkit = await startWebKit();          // or skip with `webkitMissing`
//   await webkit.goto(url);
//   const value = await webkit.run(`return document.title;`);   // an async function body
//   await webkit.stop();                          // every process stopped by its PID
//
// Every wait is bounded; `run` returns { error } instead of throwing when the page script fails.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './harness.mjs';

const DRIVER = '/usr/bin/WebKitWebDriver';
const XVFB = '/usr/bin/Xvfb';
const LIB = '/usr/lib/x86_64-linux-gnu';
const MINIBROWSER = existsSync(LIB)
  ? readdirSync(LIB)
      .filter((d) => d.startsWith('webkit2gtk-4'))
      .map((d) => path.join(LIB, d, 'MiniBrowser'))
      .find((p) => existsSync(p))
  : undefined;
const missing = [DRIVER, XVFB].find((p) => !existsSync(p)) ?? (MINIBROWSER ? null : 'WebKitGTK MiniBrowser');

/** Why WebKit tests cannot run here (for `test(…, { skip })`), or false. */
export const webkitMissing = missing
  ? `${missing} is not installed (scripts/setup.sh test installs webkit2gtk-driver and xvfb)`
  : false;

/** Starts Xvfb, WebKitWebDriver and a MiniBrowser session. */
export async function startWebKit() {
  const display = `:${90 + Math.floor(Math.random() * 9)}`;
  const xvfb = spawn(XVFB, [display, '-screen', '0', '1280x900x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  const port = await freePort();
  const driver = spawn(DRIVER, [`--port=${port}`], { stdio: 'ignore', env: { ...process.env, DISPLAY: display } });
  const wd = async (method, route, body) => {
    const response = await fetch(`http://127.0.0.1:${port}${route}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    const { value } = await response.json();
    if (value?.error) throw new Error(`WebDriver ${route}: ${value.error}: ${value.message}`);
    return value;
  };
  let session;
  const stop = async () => {
    if (session) await wd('DELETE', `/session/${session}`).catch(() => {});
    driver.kill('SIGKILL');
    xvfb.kill('SIGKILL');
  };
  try {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await wd('GET', '/status')).ready) break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    session = (
      await wd('POST', '/session', {
        capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } } },
      })
    ).sessionId;
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    goto: (url) => wd('POST', `/session/${session}/url`, { url }),
    run: (script) =>
      wd('POST', `/session/${session}/execute/async`, {
        script: `const done = arguments[0]; (async () => { ${script} })().then(done, (e) => done({ error: String(e) }));`,
        args: [],
      }),
    stop,
  };
}
