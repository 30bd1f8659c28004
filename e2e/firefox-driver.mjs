// Drives Debian's Firefox ESR through WebDriver BiDi (Firefox's own remote protocol; Playwright's
// Firefox needs a patched build this machine cannot download) to use netlens-offline.html from
// file://, the way a user on an air-gapped machine does. Prints one JSON object with what each
// tool showed and every console error, then exits. Run by e2e/firefox-file.test.mjs:
//
//   node --experimental-websocket e2e/firefox-driver.mjs FILE_URL ECHO_URL
//
// Firefox gets a fresh profile that sends nothing anywhere: every proxy points at a closed
// loopback port and DNS is off (netlens needs neither; the echo server is an IP literal).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [fileUrl, echoUrl] = process.argv.slice(2);
const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
const PREFS = {
  'network.proxy.type': 1,
  'network.proxy.http': '127.0.0.1',
  'network.proxy.http_port': 9,
  'network.proxy.ssl': '127.0.0.1',
  'network.proxy.ssl_port': 9,
  'network.proxy.socks': '127.0.0.1',
  'network.proxy.socks_port': 9,
  'network.dns.disabled': true,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'app.update.auto': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'extensions.update.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
};

const profile = mkdtempSync(path.join(tmpdir(), 'netlens-firefox-'));
writeFileSync(
  path.join(profile, 'user.js'),
  Object.entries(PREFS)
    .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`)
    .join('\n'),
);
const firefox = spawn(FIREFOX, ['--headless', '--no-remote', '--profile', profile, '--remote-debugging-port', '0', 'about:blank'], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
const deadline = setTimeout(() => finish({ error: 'timed out after 120 s' }), 120_000);

let finished = false;
function finish(result) {
  if (finished) return;
  finished = true;
  clearTimeout(deadline);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  firefox.kill('SIGKILL');
  firefox.once('exit', () => {
    rmSync(profile, { recursive: true, force: true });
    process.exit(0);
  });
}

const endpoint = await new Promise((resolve) => {
  let text = '';
  firefox.stderr.setEncoding('utf8');
  firefox.stderr.on('data', (chunk) => {
    text += chunk;
    // Firefox says localhost; connect to the IPv4 loopback it also listens on.
    const match = text.match(/WebDriver BiDi listening on ws:\/\/(?:localhost|127\.0\.0\.1):(\d+)/);
    if (match) resolve(`ws://127.0.0.1:${match[1]}`);
  });
  firefox.on('exit', (code) => finish({ error: `firefox exited with ${code}: ${text.slice(-500)}` }));
});

const socket = new WebSocket(`${endpoint}/session`);
await new Promise((resolve, reject) => {
  socket.onopen = resolve;
  socket.onerror = () => reject(new Error('cannot connect to WebDriver BiDi'));
});
let nextId = 0;
const pending = new Map();
const errors = [];
socket.onmessage = ({ data }) => {
  const message = JSON.parse(data);
  if (message.id !== undefined) {
    const { resolve, reject } = pending.get(message.id);
    pending.delete(message.id);
    if (message.type === 'error') reject(new Error(`${message.error}: ${message.message}`));
    else resolve(message.result);
  } else if (message.method === 'log.entryAdded' && message.params.level === 'error') {
    errors.push(message.params.text);
  }
};
const send = (method, params = {}) =>
  new Promise((resolve, reject) => {
    const id = ++nextId;
    pending.set(id, { resolve, reject });
    socket.send(JSON.stringify({ id, method, params }));
  });

/** Runs `body` (the text of an async function body) in the page; resolves to its JSON result. */
async function inPage(context, body) {
  const { result, exceptionDetails } = await send('script.evaluate', {
    expression: `(async () => { ${HELPERS}\n${body} })().then((r) => JSON.stringify(r))`,
    target: { context },
    awaitPromise: true,
  });
  if (exceptionDetails) throw new Error(exceptionDetails.text);
  return JSON.parse(result.value);
}

// Bounded polling and the events a user's typing and clicking make (Yew listens to `input`).
const HELPERS = `
const until = async (what, test, ms = 30000) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    const value = test();
    if (value) return value;
  }
  throw new Error('not within ' + ms + ' ms: ' + what);
};
const type = (selector, value) => {
  const input = document.querySelector(selector);
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
};
const button = (text) => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === text);
const texts = (selector) => [...document.querySelectorAll(selector)].map((e) => e.textContent);
`;

try {
  await send('session.new', { capabilities: {} });
  await send('session.subscribe', { events: ['log.entryAdded'] });
  const { contexts } = await send('browsingContext.getTree', {});
  const context = contexts[0].context;
  await send('browsingContext.navigate', { context, url: `${fileUrl}#/decoder`, wait: 'complete' });
  const result = {};
  result.decoder = await inPage(
    context,
    `(await until('the example button', () => button('Try an example'))).click();
     await until('three certificates', () => document.querySelectorAll('.nl-cert-card').length === 3);
     return texts('.nl-cert-subject');`,
  );
  result.chain = await inPage(
    context,
    `location.hash = '#/chain';
     (await until('the chain example', () => button('Example: complete chain'))).click();
     await until('the trust matrix', () => document.querySelector('.nl-chain-results[aria-busy="false"] .nl-trust-matrix'));
     return texts('.nl-trust-matrix .nl-trust-result');`,
  );
  result.dnssd = await inPage(
    context,
    `location.hash = '#/dnssd';
     await until('the DNS-SD tool', () => document.querySelector('#nl-dnssd-type'));
     type('#nl-dnssd-type', '_ipp._tcp');
     type('#nl-dnssd-instance', 'Cafe\\u0301');
     const registration = await until('a description', () => texts('.nl-registration').find((t) => t.includes(' — ')));
     await until('the NFC finding', () => document.querySelector('.nl-finding[data-rule="instance.not-nfc"]'));
     return registration;`,
  );
  result.probe = await inPage(
    context,
    `location.hash = '#/probe';
     const env = await until('the worker', () => document.querySelector('#nl-probe-env'));
     type('#nl-probe-endpoint', ${JSON.stringify(echoUrl)});
     type('#nl-probe-count', '5');
     type('#nl-probe-interval', '20');
     (await until('Start', () => { const b = document.querySelector('#nl-probe-start'); return b && !b.disabled && b; })).click();
     await until('five probes', () => document.querySelector('#nl-probe-status')?.textContent.includes('Finished: 5 probes sent.'));
     return { env: env.textContent, median: Number(document.querySelector('[data-stat="median"]').dataset.ms) };`,
  );
  // The maker: Firefox's WebCrypto makes and signs with every key type, SHA-1 for a fixture.
  result.make = await inPage(
    context,
    `location.hash = '#/make';
     await until('the maker', () => document.querySelector('#nl-make-names'));
     type('#nl-make-names', 'printer.local 192.168.1.20');
     const runs = [];
     for (const key of ['p256', 'p384', 'rsa2048', 'ed25519']) {
       const select = document.querySelector('.nl-make-row select');
       select.value = key;
       select.dispatchEvent(new Event('change', { bubbles: true }));
       const fixture = document.querySelector('label[data-fixture="sha1-signed"] input');
       if (!fixture.checked) fixture.click();
       const before = document.querySelector('.nl-make-summary')?.textContent;
       (await until('Make', () => { const b = button('Make certificates'); return b && !b.disabled && b; })).click();
       await until(key + ' made', () => {
         const r = document.querySelector('.nl-make-results[aria-busy="false"]');
         const s = document.querySelector('.nl-make-summary')?.textContent;
         return (r && s && s !== before) || document.querySelector('.nl-make-form ~ .nl-field-error');
       });
       const error = document.querySelector('.nl-make-form ~ .nl-field-error')?.textContent;
       runs.push({ key, error, checks: [...document.querySelectorAll('.nl-make-checks > li')].map((li) => li.className.includes('nl-pass')) });
     }
     return runs;`,
  );
  finish({ ...result, errors });
} catch (error) {
  finish({ error: error.message, errors });
}
