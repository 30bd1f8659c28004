// The DNS-SD tool, built for release, in Chromium: an invalid service type shows its RFC clauses
// as you type, a pasted `avahi-browse -rp` transcript is decoded key by key with the byte view,
// the Info.plist fragment is copied, and the JS API matches the CLI's schema.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadedUrls, pasteInto, readClipboard, runCli, useSession } from './harness.mjs';

const session = useSession({ clipboard: true });
const capture = (name) => readFileSync(new URL(`../crates/netlens-dnssd/tests/captures/${name}`, import.meta.url), 'utf8');

async function openTool() {
  const page = await session.newPage();
  await page.goto(`${session.server.url}#/dnssd`);
  await page.locator('h1', { hasText: 'DNS-SD / Bonjour validator' }).waitFor();
  return page;
}

const finding = (page, rule) => page.locator(`.nl-finding[data-rule="${rule}"]`);

describe('DNS-SD tool', () => {
  test('an invalid service type shows each violation with its RFC clause, live', async () => {
    const page = await openTool();
    await page.locator('#nl-dnssd-type').pressSequentially('_My_Service._sctp');
    await finding(page, 'service.name-invalid-char').waitFor();
    assert.match(await finding(page, 'service.name-invalid-char').locator('.nl-clause').textContent(), /RFC 6335 §5\.1/);
    assert.match(await finding(page, 'service.bad-transport').locator('.nl-clause').textContent(), /RFC 6763 §7/);
    assert.match(await finding(page, 'service.bad-transport').locator('.nl-message').textContent(), /SCTP included, uses _udp/);
    // Expanding a finding shows what each implementation does.
    await finding(page, 'service.name-invalid-char').locator('summary').click();
    assert.match(await finding(page, 'service.name-invalid-char').locator('.nl-fields').textContent(), /mDNSResponder \(Apple\)accepts/);

    // Fixing it clears the errors and offers the forms to copy.
    await page.locator('#nl-dnssd-type').fill('_my-service._tcp');
    await page.locator('.nl-dnssd-type-result .nl-forms').waitFor();
    assert.equal(await page.locator('.nl-dnssd-type-result .nl-finding.nl-sev-error').count(), 0);
    assert.match(await page.locator('.nl-dnssd-type-result .nl-forms').textContent(), /_my-service\._tcp\.local\./);
  });

  test('IANA descriptions and NFC come from outside the wasm, with the CLI\'s answers', async () => {
    const page = await openTool();
    await page.locator('#nl-dnssd-type').fill('_ipp._tcp');
    // The description file is fetched once, after the tool is up; the registration then shows it.
    await page.locator('.nl-registration', { hasText: 'IANA: registered (tcp, udp) — ' }).waitFor();
    const cli = JSON.parse((await runCli(['dnssd', 'type', '--json', '_ipp._tcp'])).stdout);
    assert.equal(await page.locator('.nl-registration').textContent(), `IANA: registered (tcp, udp) — ${cli.registration.description}`);
    const api = await page.evaluate(async () => {
      const netlens = await import('./netlens-embed.js');
      return { type: await netlens.checkServiceType('_ipp._tcp'), instance: await netlens.checkInstanceName('Cafe\u0301') };
    });
    assert.deepEqual(api.type, cli);
    // NFC by the browser's String.prototype.normalize, as the CLI's tables do it.
    const cliInstance = JSON.parse((await runCli(['dnssd', 'instance', '--json', 'Cafe\u0301'])).stdout);
    assert.deepEqual(api.instance, cliInstance);
    assert.equal(api.instance.nfc, 'Caf\u00e9');
    // The description comes from its chunk of the registry: one small file, not the whole one
    // (the page and the JS API asked for the same type: the chunk is fetched once).
    const fetched = (await loadedUrls(page)).map((url) => new URL(url).pathname);
    const tables = fetched.filter((p) => p.endsWith('.tsv'));
    assert.equal(tables.length, 1, `${tables}`);
    assert.match(tables[0], /^\/iana-descriptions\/[0-9a-f]{2}\.tsv$/);
  });

  test('a pasted avahi-browse -rp transcript is decoded key by key', async () => {
    const page = await openTool();
    await pasteInto(page, page.locator('#nl-dnssd-txt'), capture('avahi-rpk.txt'));
    await page.locator('.nl-txt-table tbody tr').first().waitFor();
    assert.match(await page.locator('.nl-txt-format').textContent(), /avahi-browse -rp \/ -rpk output \(detected\)/);
    const rows = await page.locator('.nl-txt-table tbody tr').evaluateAll((rows) =>
      rows.map((r) => [r.querySelector('.nl-txt-key').textContent, r.querySelector('.nl-txt-value').textContent, r.classList.contains('nl-ignored')]),
    );
    assert.deepEqual(rows, [
      ['txtvers', '1', false],
      ['rp', 'ipp/print', false],
      ['note', 'Café', false],
      ['semi', 'a;b', false],
      ['PATH', '/x', false],
      ['path', '/y', true],
    ]);
    await finding(page, 'txt.duplicate-key').waitFor();
    // The byte view highlights each length byte.
    const lengths = await page.locator('.nl-bytes .nl-len').allTextContents();
    assert.deepEqual(lengths, ['09', '0C', '0A', '08', '07', '07']);
    // The correct forms leave the ignored duplicate out.
    const hex = await page.locator('.nl-txt-forms dd code').first().textContent();
    assert.ok(hex.startsWith('09 74 78 74 76 65 72 73 3D 31 0C') && hex.endsWith('07 50 41 54 48 3D 2F 78'), hex);
  });

  test('real avahi-browse output (strings printed last first) reads in wire order, with no false txtvers finding', async () => {
    const page = await openTool();
    // Captured from avahi-daemon 0.8 by scripts/dnssd-daemons.py: on the wire txtvers=1 is first.
    await pasteInto(page, page.locator('#nl-dnssd-txt'), capture('real/avahi-0.8-rpk-dupes.txt'));
    await page.locator('.nl-txt-table tbody tr').first().waitFor();
    const keys = await page.locator('.nl-txt-table tbody tr .nl-txt-key').allTextContents();
    assert.deepEqual(keys, ['txtvers', 'path', 'PATH', 'path', 'Key', 'key']);
    const ignored = await page.locator('.nl-txt-table tbody tr').evaluateAll((rows) => rows.map((r) => r.classList.contains('nl-ignored')));
    // RFC 6763 §6.4: the first of each key counts (path=/first, Key=1).
    assert.deepEqual(ignored, [false, false, true, true, false, true]);
    await finding(page, 'txt.duplicate-key').first().waitFor();
    assert.equal(await finding(page, 'txt.txtvers-not-first').count(), 0);
    assert.match(await page.locator('.nl-dnssd').textContent(), /last first/);
  });

  test('Info.plist: a missing type is an error and the fixed fragment is copied', async () => {
    const page = await openTool();
    await page.locator('#nl-dnssd-type').fill('_ipp._tcp');
    await page.locator('#nl-dnssd-plist').fill('<key>NSBonjourServices</key>\n<array>\n  <string>_http._tcp.local.</string>\n</array>');
    await page.locator('#nl-dnssd-multipeer').fill('my-game');
    await finding(page, 'apple.plist-missing-type').waitFor();
    await finding(page, 'apple.plist-entry-has-domain').waitFor();
    await finding(page, 'apple.multipeer-needs-both').waitFor();
    await page.locator('button', { hasText: 'Copy Info.plist fragment' }).click();
    await page.locator('button', { hasText: 'Copied' }).waitFor();
    const copied = await readClipboard(page);
    assert.equal(
      copied,
      '<key>NSLocalNetworkUsageDescription</key>\n<string>Finds and connects to devices on your local network.</string>\n' +
        '<key>NSBonjourServices</key>\n<array>\n\t<string>_http._tcp</string>\n\t<string>_ipp._tcp</string>\n' +
        '\t<string>_my-game._tcp</string>\n\t<string>_my-game._udp</string>\n</array>\n',
    );
    await page.locator('#nl-dnssd-error').fill('-65555');
    assert.match(await page.locator('.nl-error-code').textContent(), /kDNSServiceErr_NoAuth/);
  });

  test('the JS API gives the CLI schema', async () => {
    const page = await openTool();
    const result = await page.evaluate(async (text) => {
      const api = await (await import('./netlens-embed.js')).loadTool('netlens-dnssd');
      return {
        type: api.checkServiceType('_22._udp').findings.map((f) => f.rule),
        txt: api.checkTxtRecord(text, { format: 'dns-sd' }),
        bad: api.checkTxtRecord('09 74 78', {}).error,
        code: api.explainDnssdError(-65570).name,
      };
    }, capture('dns-sd-L.txt'));
    assert.deepEqual(result.type, ['service.name-no-letter']);
    assert.equal(result.txt.format, 'dns-sd');
    assert.equal(result.txt.strings.length, 8);
    assert.equal(result.txt.service.instance, 'My Printer');
    assert.deepEqual(result.bad, { line: 1, column: 1, message: 'the length byte at offset 0 says 9 bytes follow, but only 2 do' });
    assert.equal(result.code, 'kDNSServiceErr_PolicyDenied');
  });
});
