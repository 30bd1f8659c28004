// The embed demo: a documentation-style page with two <netlens-cert-decoder> elements and a
// <netlens-chain> loaded by one module script. All work independently, styles are isolated both
// ways, and the module's JS API works.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_SUBJECTS, dropFiles, fixture, useSession } from './harness.mjs';

const session = useSession();

async function openDemo() {
  const page = await session.newPage();
  await page.goto(`${session.server.url}embed-demo.html`);
  // The second element decodes the certificate written inside it as soon as it upgrades.
  await page.locator('#decoder-root .nl-cert-card').waitFor();
  return page;
}

test('the embed demo shows two working decoders', async () => {
  const page = await openDemo();
  const check = page.locator('#decoder-check');
  const root = page.locator('#decoder-root');
  assert.deepEqual(await root.locator('.nl-cert-subject').allTextContents(), [DEMO_SUBJECTS[2]]);
  assert.equal(await check.locator('.nl-cert-card').count(), 0);

  // Paste a chain into the first: it decodes there and the second is untouched.
  await check.locator('textarea').fill(fixture('demo-chain.pem').toString());
  await check.locator('.nl-cert-card').nth(2).waitFor();
  assert.deepEqual(await check.locator('.nl-cert-subject').allTextContents(), DEMO_SUBJECTS);
  assert.equal(await root.locator('.nl-cert-card').count(), 1);

  // Dropping a file onto the second works inside its shadow root.
  await dropFiles(page, root.locator('.nl-dropzone'), [{ name: 'chain.p7b', bytes: fixture('demo-chain.p7b') }]);
  await root.locator('.nl-cert-card').nth(3).waitFor();
  assert.equal(await check.locator('.nl-cert-card').count(), 3);

  // No page heading inside embedded tools; the elements render in open shadow roots.
  assert.equal(await page.evaluate(() => document.querySelector('#decoder-check').shadowRoot.querySelector('h1')), null);
});

test('the embedded chain analysis shows its example and analyzes a pasted chain', async () => {
  const page = await openDemo();
  const chain = page.locator('#chain-check');
  // The leaf written inside the element, analyzed at its `at` moment for its `host`.
  await chain.locator('.nl-finding[data-rule="chain.missing-intermediate"]').waitFor();
  assert.equal(await chain.locator('.nl-verdict[data-profile="apple"] .nl-verdict-result').textContent(), 'FAIL');
  assert.match(await chain.locator('.nl-verdict-at').textContent(), /validated at 2026-06-01T00:00:00Z for www\.netlens\.test/);
  assert.equal(await page.evaluate(() => document.querySelector('#chain-check').shadowRoot.querySelector('h1')), null);

  // Leaf and intermediate, with the demo root as the reader's own anchor: Apple would trust it.
  const [leaf, intermediate, root] = fixture('demo-chain.pem').toString().split(/(?<=-----END CERTIFICATE-----\n)/);
  await chain.locator('#nl-chain-input').fill(leaf + intermediate);
  await chain.locator('#nl-chain-anchors').fill(root);
  await chain.locator('.nl-verdict.nl-pass[data-profile="apple"]').waitFor();
  // The decoders on the page are untouched.
  assert.equal(await page.locator('#decoder-root .nl-cert-card').count(), 1);
});

test('styles are isolated in both directions', async () => {
  const page = await openDemo();
  const styles = await page.evaluate(() => {
    const shadow = document.querySelector('#decoder-root').shadowRoot;
    const button = shadow.querySelector('.nl-button');
    const textarea = shadow.querySelector('textarea');
    const card = shadow.querySelector('.nl-cert-card');
    // An element of the host page that happens to use netlens' class names.
    const impostor = document.createElement('div');
    impostor.className = 'nl-cert-card nl-button';
    document.querySelector('article').append(impostor);
    const style = (el) => getComputedStyle(el);
    return {
      buttonTransform: style(button).textTransform,
      buttonBackground: style(button).backgroundColor,
      textareaBackground: style(textarea).backgroundColor,
      textareaFontSize: style(textarea).fontSize,
      embedFont: style(shadow.querySelector('.nl-embed')).fontFamily,
      cardBorder: style(card).borderTopWidth,
      pageButtonTransform: (() => {
        const b = document.createElement('button');
        document.body.append(b);
        return style(b).textTransform;
      })(),
      pageFont: style(document.body).fontFamily,
      impostorBorder: style(impostor).borderTopWidth,
      impostorBackground: style(impostor).backgroundColor,
    };
  });
  // The page's loud rules (uppercase red buttons, yellow 22px textareas, Georgia) stay outside.
  assert.equal(styles.buttonTransform, 'none');
  assert.notEqual(styles.buttonBackground, 'rgb(225, 29, 72)');
  assert.notEqual(styles.textareaBackground, 'rgb(255, 243, 176)');
  assert.notEqual(styles.textareaFontSize, '22px');
  assert.doesNotMatch(styles.embedFont, /Georgia/);
  assert.equal(styles.cardBorder, '1px');
  // And netlens' rules stay inside: the page keeps its own look, even for lookalike classes.
  assert.equal(styles.pageButtonTransform, 'uppercase');
  assert.match(styles.pageFont, /Georgia/);
  assert.equal(styles.impostorBorder, '0px');
  assert.equal(styles.impostorBackground, 'rgba(0, 0, 0, 0)');
});

test('the page theme reaches the elements through --netlens-* properties', async () => {
  const page = await openDemo();
  const accent = await page.evaluate(() => {
    const shadow = document.querySelector('#decoder-check').shadowRoot;
    return getComputedStyle(shadow.querySelector('.nl-button')).backgroundColor;
  });
  assert.equal(accent, 'rgb(91, 63, 196)'); // --netlens-accent: #5b3fc4 set by the demo page
});

test('netlens-embed.js exports the JS API', async () => {
  const page = await openDemo();
  const labels = await page.evaluate(async (pem) => {
    const netlens = await import('./netlens-embed.js');
    const report = await netlens.decodeCertificates(new TextEncoder().encode(pem));
    const [leaf, intermediate, root] = pem.split(/(?<=-----END CERTIFICATE-----\n)/);
    const analysis = await netlens.analyzeChain(leaf + intermediate, {
      anchors: root,
      host: 'www.netlens.test',
      at: '2026-06-01T00:00:00Z',
      builtinRoots: false,
    });
    const rules = await netlens.ruleCatalog();
    return {
      labels: report.certificates.map((c) => c.label),
      version: await netlens.netlensVersion(),
      verdicts: analysis.verdicts,
      fixed: analysis.fixed_chain.certificates,
      ruleCount: rules.length,
      hasRule: rules.some((r) => r.id === 'apple.ct-insufficient-scts'),
    };
  }, fixture('demo-chain.pem').toString());
  assert.deepEqual(labels.labels, ['www.netlens.test', 'Netlens Test Issuing CA 1', 'Netlens Test Root CA']);
  assert.deepEqual(labels.verdicts, { apple: 'pass', rfc5280: 'pass' });
  assert.deepEqual(labels.fixed, [0, 1]);
  assert.ok(labels.ruleCount >= 30 && labels.hasRule);
  assert.match(labels.version, /^\d+\.\d+\.\d+/);
});

test('elements added later, removed and re-added keep working', async () => {
  const page = await openDemo();
  const count = await page.evaluate(async (pem) => {
    const element = document.createElement('netlens-cert-decoder');
    element.textContent = pem;
    document.querySelector('article').append(element);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const first = element.shadowRoot.querySelectorAll('.nl-cert-card').length;
    element.remove();
    const emptied = element.shadowRoot.childElementCount;
    document.querySelector('article').append(element);
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { first, emptied, again: element.shadowRoot.querySelectorAll('.nl-cert-card').length };
  }, fixture('demo-chain.pem').toString());
  assert.deepEqual(count, { first: 3, emptied: 0, again: 3 });
});

test('the embedded <netlens-dnssd> checks the type and TXT record written on it', async () => {
  const page = await openDemo();
  const dnssd = page.locator('#dnssd-check');
  await dnssd.locator('.nl-txt-table tbody tr').first().waitFor();
  assert.deepEqual(await dnssd.locator('.nl-txt-key').allTextContents(), ['txtvers', 'path']);
  assert.equal(await dnssd.locator('#nl-dnssd-type').inputValue(), '_acme-agent._tcp');
  await dnssd.locator('.nl-finding[data-rule="service.unregistered"]').waitFor();
  assert.deepEqual(await page.evaluate(async () => (await import('./netlens-embed.js')).checkServiceType('_ipp._tcp').then((r) => r.forms.normalized)), '_ipp._tcp');
});
