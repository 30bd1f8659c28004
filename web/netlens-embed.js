// netlens embed loader.
//
// Add one module script to any page and use the elements:
//
//   <script type="module" src="https://your.host/netlens/netlens-embed.js"></script>
//   <netlens-cert-decoder></netlens-cert-decoder>
//   <netlens-probe endpoint="wss://echo.example.com/ws"></netlens-probe>
//
// Every element is defined at once, but each tool is its own WebAssembly module, downloaded the
// first time one of its elements appears on the page (and shared by all of them): a page with
// one <netlens-dnssd> never downloads the chain analysis. Text written inside an element (for
// example a PEM certificate) is its initial input. Each element renders in its own shadow root:
// the page's CSS does not reach in and ours does not leak out. Theme it with --netlens-* custom
// properties on the element. Everything is loaded relative to this file, so the folder can be
// served from any host and path, including another origin than the page's (it needs
// Access-Control-Allow-Origin; see the README).
//
// The module also exports the JS API; each function loads only its tool:
//
//   import { decodeCertificates, analyzeChain } from 'https://your.host/netlens/netlens-embed.js';
//   const report = await decodeCertificates(pemText);
//   const analysis = await analyzeChain(chainPem, { host: 'www.example.com' });
//
// The build fills in the tool modules' content-hashed file names below (web/finish-build.mjs).
const TOOLS = __NETLENS_TOOLS__;
/** The netlens version of this build. */
export const version = __NETLENS_VERSION__;

// netlens-offline.html (the single-file build, web/single-file.mjs) carries every module inline
// and sets this before importing the loader (from a blob: URL); it hands out glue and wasm.
const INLINE = globalThis.__NETLENS_INLINE__;
const BASE = INLINE ? new URL(location.href) : new URL('./', import.meta.url);
const loading = new Map();

/** The oldest browsers netlens runs in (README, "Browsers"; crates/netlens-floor). */
const FLOOR = 'Safari 16.4 (iOS and iPadOS 16.4), Chrome 96, Firefox 115';

/**
 * Why this browser cannot run any netlens tool, as a sentence for the reader, or null. Lockdown
 * Mode (iPhone, iPad, Mac) and some managed browsers remove WebAssembly altogether.
 */
export function webAssemblyMissing() {
  if (typeof WebAssembly === 'object' && WebAssembly !== null && typeof WebAssembly.compile === 'function') return null;
  return (
    'netlens needs WebAssembly, which this browser has turned off. In Lockdown Mode (iPhone, iPad, Mac), ' +
    'add this site as an exception: Settings › Privacy & Security › Lockdown Mode › Configure Web Browsing. ' +
    'Elsewhere, allow WebAssembly for this site or open it in another browser.'
  );
}
// Every module but the verification module, which no element shows.
const elements = Object.keys(TOOLS).filter((tag) => TOOLS[tag].element !== false);

/**
 * Loads the module of `tag`'s tool once (every element and API call of that tool shares it) and
 * resolves to its exports. A failure is reported once on the console with what to check, and the
 * promise rejects with an Error whose message is a sentence for the reader.
 */
export function loadTool(tag) {
  const tool = TOOLS[tag];
  if (!tool) return Promise.reject(new Error(`netlens: this build has no <${tag}> (it has ${elements.join(', ')}).`));
  const missing = webAssemblyMissing();
  if (missing) {
    // The browser's setting, not a fault: said on the page, noted (not as an error) here.
    console.warn(`netlens: the ${tool.name} cannot run: ${missing}`);
    return Promise.reject(new Error(missing));
  }
  if (!loading.has(tool.js)) {
    loading.set(
      tool.js,
      (async () => {
        const glueUrl = INLINE ? INLINE.glue(tag) : new URL(tool.js, BASE).href;
        const glue = await import(glueUrl);
        const module = INLINE ? await WebAssembly.compile(await INLINE.wasm(tag)) : await compile(new URL(tool.wasm, BASE));
        await glue.default({ module_or_path: module });
        if (INLINE) await INLINE.prepare(tag, glue);
        // netlens.config.json and the IANA descriptions are beside this file, not the page.
        else glue.setAssetBase?.(BASE.href);
        // The probe's worker instantiates the same module: compiled once, handed over.
        glue.setWorkerModule?.(module, glueUrl);
        // The chain module checks what WebCrypto does not confirm in the verification module,
        // loaded the first time that happens.
        glue.setSignatureVerifier?.(async (requests) => (await loadTool('netlens-verify')).verifySignatures(requests));
        // The decoder and the chain page open a PKCS#12 file in the PKCS#12 reader, loaded the
        // first time one is opened.
        glue.setPkcs12Opener?.(async (bytes, password) => (await loadTool('netlens-pkcs12')).openPkcs12(bytes, password));
        return glue;
      })().catch((error) => {
        loading.delete(tool.js); // a later element may retry (e.g. once the network is back)
        if (error instanceof WebAssembly.CompileError || error instanceof WebAssembly.LinkError) {
          console.error(`netlens: this browser's WebAssembly engine refused the ${tool.name} module.`, error);
          throw new Error(
            `This browser cannot run the ${tool.name}: its WebAssembly engine refused the module. ` +
              `netlens runs in ${FLOOR} and later: update the browser, or open this page in another one.`,
          );
        }
        console.error(
          `netlens: the ${tool.name} module could not be loaded from ${BASE.href}. Serve the ` +
            'whole netlens folder (the .wasm files as application/wasm) with ' +
            'Access-Control-Allow-Origin when the page is on another origin, and allow ' +
            "'wasm-unsafe-eval' if the page sets a Content-Security-Policy.",
          error,
        );
        throw new Error(`The ${tool.name} could not be loaded: check the network connection and reload the page.`);
      }),
    );
  }
  return loading.get(tool.js);
}

/** Compiles the wasm at `url` (streaming when the host sends application/wasm). */
async function compile(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.headers.get('Content-Type')?.startsWith('application/wasm')
    ? WebAssembly.compileStreaming(response)
    : WebAssembly.compile(await response.arrayBuffer());
}

/** Shows a sentence in place of an element whose tool did not load (no stack trace). */
function showFailure(element, message) {
  const shadow = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
  const note = document.createElement('p');
  note.setAttribute('role', 'alert');
  note.textContent = message;
  shadow.replaceChildren(note);
}

function defineElement(tag) {
  // Custom element names are global to the page: if another copy of netlens defined this
  // element already, keep it rather than throw.
  if (customElements.get(tag)) return;
  customElements.define(
    tag,
    class extends HTMLElement {
      async connectedCallback() {
        if (this._mounted || this._mounting) return;
        if (this._initialInput === undefined) this._initialInput = this.textContent ?? '';
        this._mounting = true;
        try {
          const tool = await loadTool(tag);
          // Removed (or moved and mounted again) while the module loaded: nothing to do.
          if (this.isConnected && !this._mounted) this._mounted = tool.mountElement(this, this._initialInput, false);
        } catch (error) {
          showFailure(this, error.message);
        } finally {
          this._mounting = false;
        }
      }
      disconnectedCallback() {
        this._mounted?.destroy();
        this._mounted = null;
      }
    },
  );
}

for (const tag of elements) defineElement(tag);

const call = (tag, name) => async (...args) => (await loadTool(tag))[name](...args);
// The DNS-SD module fetches the IANA descriptions of the types it is asked about, on demand
// (a small chunk each); the API returns complete reports.
const dnssd = (name) => async (...args) => {
  const tool = await loadTool('netlens-dnssd');
  const text = args.filter((a) => typeof a === 'string').join(' ');
  const names = new Set([...text.matchAll(/_([a-z0-9-]{1,15})\._(?:tcp|udp)\b/gi)].map((m) => m[1]));
  for (const service of [...names].slice(0, 16)) await tool.loadIanaDescription(service);
  return tool[name](...args);
};

/** Decodes certificates (string, Uint8Array or ArrayBuffer); see the README for the report schema. */
export const decodeCertificates = call('netlens-cert-decoder', 'decodeCertificates');

/**
 * Analyzes a certificate chain; options: { host, at, anchors, builtinRoots, store (the root store
 * the rfc5280 verdict anchors on: 'mozilla', 'chrome' or 'apple'), anchorsArePublic, ctLogList }.
 * Signatures are verified with the browser's WebCrypto where it can (pure Rust otherwise), with
 * the same results as `netlens chain --json`.
 */
export const analyzeChain = call('netlens-chain', 'analyzeChainAsync');

/** The chain rule catalog. */
export const ruleCatalog = call('netlens-chain', 'ruleCatalog');

/** Checks a DNS-SD service type (`_ipp._tcp`, subtypes in either form). */
export const checkServiceType = dnssd('checkServiceType');

/** Checks a DNS-SD instance name (plain text). */
export const checkInstanceName = dnssd('checkInstanceName');

/** Checks a full service instance name (`My\\032Printer._ipp._tcp.local.`). */
export const checkServiceName = dnssd('checkServiceName');

/**
 * Parses and checks a TXT record; options: { format ("auto", "kv", "hex", "base64", "dns-sd",
 * "dns-sd-zone", "avahi", "avahi-rp", "dig", "zeroconf"), instance, type, port }.
 */
export const checkTxtRecord = dnssd('checkTxtRecord');

/** Checks Info.plist NSBonjourServices against the types an app uses (and its Multipeer type). */
export const checkBonjourServices = (plist, usedTypes = [], multipeer) =>
  dnssd('checkBonjourServices')(plist, usedTypes, multipeer);

/** Explains a DNS-SD / NSNetService error code such as -65555, or null. */
export const explainDnssdError = dnssd('explainDnssdError');

/** The DNS-SD rule catalog. */
export const dnssdRuleCatalog = dnssd('dnssdRuleCatalog');

/**
 * Makes a test CA and identities (WebCrypto keys and signatures, checked by netlens' chain
 * analysis); options: { names, keyType, caKeyType, days, caDays, caName, constraints, clients,
 * fixtures, profile, pkcs12, password, at, keys, caCertificate, caKey }. Resolves to { ca,
 * checks, passed, password, files: [{ path, kind, description, bytes }], zip, toBeSigned }.
 */
export const makeCertificates = call('netlens-make', 'makeCertificates');

/** Explains TLS error codes and console lines (the report of `netlens tls error --json`). */
export const explainTlsError = call('netlens-apptls', 'explainTlsError');

/**
 * Lints an Info.plist's NSAppTransportSecurity dictionary (a string, or a binary plist as a
 * Uint8Array or ArrayBuffer); options: { host }. Rejects with a sentence when the input is not one.
 */
export const lintAtsDictionary = (input, options = {}) => call('netlens-apptls', 'lintAtsDictionary')(input, options);

/** The pins of a chain, what to pin and the fragments to paste; options: { host }. */
export const pinsFromChain = (chain, options = {}) => call('netlens-apptls', 'pinsFromChain')(chain, options);

/** Checks a pin set (NSPinnedDomains or one pin per line) against a chain; options: { next, host }. */
export const checkPins = (pinSet, chain, options = {}) => call('netlens-apptls', 'checkPins')(pinSet, chain, options);

/** The app.* rule catalog (ATS dictionary and pin rules). */
export const appRuleCatalog = call('netlens-apptls', 'appRuleCatalog');

/** The netlens version of this build. */
export const netlensVersion = async () => version;

/** Resolves once the elements are defined (at once: tool modules load when elements appear). */
export const ready = Promise.resolve({
  decodeCertificates,
  analyzeChain,
  ruleCatalog,
  checkServiceType,
  checkInstanceName,
  checkServiceName,
  checkTxtRecord,
  checkBonjourServices,
  explainDnssdError,
  dnssdRuleCatalog,
  makeCertificates,
  explainTlsError,
  lintAtsDictionary,
  pinsFromChain,
  checkPins,
  appRuleCatalog,
  netlensVersion,
  loadTool,
});
