// netlens embed loader.
//
// Add one module script to any page and use the elements:
//
//   <script type="module" src="https://your.host/netlens/netlens-embed.js"></script>
//   <netlens-cert-decoder></netlens-cert-decoder>
//   <netlens-probe endpoint="wss://echo.example.com/ws"></netlens-probe>
//
// Text written inside an element (for example a PEM certificate) is its initial input. Each
// element renders in its own shadow root with its own stylesheet: the page's CSS does not reach
// in and ours does not leak out. Theme it with --netlens-* custom properties on the element.
// The wasm is loaded relative to this file, so the folder can be served from any host and path.
//
// The module also exports the JS API:
//
//   import { decodeCertificates, analyzeChain } from 'https://your.host/netlens/netlens-embed.js';
//   const report = await decodeCertificates(pemText);
//   const analysis = await analyzeChain(chainPem, { host: 'www.example.com' });
//
// (The build fills in the hashed file names below; see web/finish-embed.sh.)
import init, * as netlens from './__NETLENS_GLUE__';

function defineElement(tag) {
  // Custom element names are global to the page: if another copy of netlens defined this
  // element already, keep it rather than throw.
  if (customElements.get(tag)) return;
  customElements.define(
    tag,
    class extends HTMLElement {
      connectedCallback() {
        if (this._mounted) return;
        if (this._initialInput === undefined) this._initialInput = this.textContent ?? '';
        this._mounted = netlens.mountElement(this, tag, this._initialInput);
      }
      disconnectedCallback() {
        this._mounted?.destroy();
        this._mounted = null;
      }
    },
  );
}

/** Resolves to the wasm module's exports once netlens is loaded and its elements are defined. */
export const ready = init({ module_or_path: new URL('./__NETLENS_WASM__', import.meta.url) }).then(
  () => {
    // The probe's worker (and netlens.config.json) are beside this file, not beside the page.
    netlens.setAssetBase(new URL('./', import.meta.url).href);
    for (const tag of netlens.elementTags()) defineElement(tag);
    return netlens;
  },
);
ready.catch((error) => {
  console.error(
    'netlens: the WebAssembly module could not be loaded. Serve netlens-embed.js with its ' +
      '.wasm file beside it (as application/wasm), and allow wasm-unsafe-eval if the page sets a ' +
      'Content-Security-Policy.',
    error,
  );
});

/** Decodes certificates (string, Uint8Array or ArrayBuffer); see the README for the report schema. */
export async function decodeCertificates(input, options) {
  return (await ready).decodeCertificates(input, options);
}

/**
 * Analyzes a certificate chain; options: { host, at, anchors, builtinRoots, store (the root store
 * the rfc5280 verdict anchors on: 'mozilla', 'chrome' or 'apple'), anchorsArePublic, ctLogList }. Signatures are verified with the browser's WebCrypto where it can (pure Rust
 * otherwise), with the same results as `netlens chain --json`.
 */
export async function analyzeChain(input, options) {
  return (await ready).analyzeChainAsync(input, options);
}

/** The rule catalog. */
export async function ruleCatalog() {
  return (await ready).ruleCatalog();
}

/** Checks a DNS-SD service type (`_ipp._tcp`, subtypes in either form). */
export async function checkServiceType(serviceType) {
  return (await ready).checkServiceType(serviceType);
}

/** Checks a DNS-SD instance name (plain text). */
export async function checkInstanceName(name) {
  return (await ready).checkInstanceName(name);
}

/** Checks a full service instance name (`My\\032Printer._ipp._tcp.local.`). */
export async function checkServiceName(name) {
  return (await ready).checkServiceName(name);
}

/**
 * Parses and checks a TXT record; options: { format ("auto", "kv", "hex", "base64", "dns-sd",
 * "dns-sd-zone", "avahi", "avahi-rp", "dig"), instance, type, port }.
 */
export async function checkTxtRecord(input, options) {
  return (await ready).checkTxtRecord(input, options);
}

/** Checks Info.plist NSBonjourServices against the types an app uses (and its Multipeer type). */
export async function checkBonjourServices(plist, usedTypes = [], multipeer) {
  return (await ready).checkBonjourServices(plist, usedTypes, multipeer);
}

/** Explains a DNS-SD / NSNetService error code such as -65555, or null. */
export async function explainDnssdError(code) {
  return (await ready).explainDnssdError(code);
}

/** The DNS-SD rule catalog. */
export async function dnssdRuleCatalog() {
  return (await ready).dnssdRuleCatalog();
}

/** The netlens version of this build. */
export async function netlensVersion() {
  return (await ready).netlensVersion();
}
