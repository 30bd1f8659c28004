// The first script of every page the WebKit end-to-end runs load (scripts/serve.py --test-hooks
// puts it there; e2e/webkit-driver.mjs inserts it into pages opened from file://). WebDriver
// cannot watch a page from outside the way Playwright does, so the page watches itself:
//
// - every console error, uncaught exception, unhandled rejection, resource that failed to
//   load, Content-Security-Policy violation and worker error is reported to the server that
//   served the page (kept for the test, which fails on any), or kept in the page (file://);
// - downloads (an <a download> of a blob: URL clicked) are kept in the page instead of saved,
//   so a test reads what a user would have saved;
// - the text last written to the clipboard is kept, because WebDriver gives a test no way to
//   read the system clipboard.
//
// It changes nothing else a page does.
(() => {
  if (window.__netlensTest) return;
  const state = { violations: [], downloads: [], clipboard: null };
  window.__netlensTest = state;

  const served = location.protocol === 'http:' || location.protocol === 'https:';
  const report = (text) => {
    const entry = `${text} (on ${location.href})`;
    if (!served) {
      state.violations.push(entry);
      return;
    }
    // Synchronous, so the report is on the server before the test asks for it.
    try {
      const request = new XMLHttpRequest();
      request.open('POST', '/__netlens-test/report', false);
      request.send(entry);
    } catch {
      state.violations.push(entry);
    }
  };
  const describe = (value) => (value instanceof Error ? `${value.name}: ${value.message}` : String(value));

  const consoleError = console.error.bind(console);
  console.error = (...args) => {
    report(`console error: ${args.map(describe).join(' ')}`);
    consoleError(...args);
  };
  window.addEventListener(
    'error',
    (event) => {
      const target = event.target;
      if (target && target !== window && target.localName) {
        report(`failed to load ${target.localName} ${target.src || target.href || ''}`);
      } else {
        report(`uncaught exception: ${event.message}`);
      }
    },
    true,
  );
  window.addEventListener('unhandledrejection', (event) => report(`unhandled rejection: ${describe(event.reason)}`));
  document.addEventListener('securitypolicyviolation', (event) =>
    report(`CSP: ${event.violatedDirective} blocked ${event.blockedURI}`),
  );
  const PageWorker = window.Worker;
  if (PageWorker) {
    // A worker's error counts until the page terminates it (what happens after is the page's
    // own decision, and WebKit reports a module import it cancels as an error).
    window.Worker = class extends PageWorker {
      constructor(...args) {
        super(...args);
        // After the page's own handlers: an error the page cancels (see the probe's leaving a
        // page) is its decision too.
        this.addEventListener('error', (event) =>
          setTimeout(() => this.terminated || event.defaultPrevented || report(`worker error: ${event.message}`)),
        );
      }
      terminate() {
        this.terminated = true;
        super.terminate();
      }
    };
  }

  // Downloads: the Blob behind each blob: URL, read when its link is clicked.
  const blobs = new Map();
  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = function (object) {
    const url = createObjectURL.call(URL, object);
    if (object instanceof Blob) blobs.set(url, object);
    return url;
  };
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    const blob = this.hasAttribute('download') && blobs.get(this.href);
    if (!blob) return click.call(this);
    const download = { name: this.getAttribute('download') || 'download', base64: null };
    state.downloads.push(download);
    blob.arrayBuffer().then((buffer) => {
      let binary = '';
      const bytes = new Uint8Array(buffer);
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      download.base64 = btoa(binary);
    });
  };

  const clipboard = navigator.clipboard;
  if (clipboard?.writeText) {
    const writeText = clipboard.writeText.bind(clipboard);
    clipboard.writeText = (text) => {
      state.clipboard = String(text);
      return writeText(text);
    };
  }
})();
