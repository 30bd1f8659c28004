// netlens service worker: after one visit, the app and every tool work with no network.
//
// The build (web/finish-build.mjs) fills in VERSION (a hash of every file) and FILES (every
// file of the build, tool modules included). A new build changes this file, so the browser
// installs the new worker on the next visit; it takes over at once and drops the old cache, and
// the page after that is the new version.
//
// Responses are returned exactly as cached: their headers (COOP/COEP, so the page stays
// cross-origin isolated offline; CSP; Content-Type for module scripts and wasm) are the server's.
// Only this origin's GET requests are answered; the probe's WebSockets never pass through here.
const VERSION = __NETLENS_SW_VERSION__;
const FILES = __NETLENS_SW_FILES__;
const CACHE = `netlens-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // cache: 'reload' bypasses the HTTP cache, so unhashed files are this build's.
      await cache.addAll(FILES.map((file) => new Request(file, { cache: 'reload' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('netlens-') && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

// The build's files by absolute URL: only they are answered from the cache. Anything else (a
// page of the host's own beside netlens, a favicon) goes to the network as if there were no
// service worker.
const PRECACHED = new Set(FILES.map((file) => new URL(file, self.registration.scope).href));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  // Every page of the app is index.html (routes are fragments; settings may be a query).
  const app = request.mode === 'navigate' && url.href === self.registration.scope;
  if (!app && !PRECACHED.has(url.href)) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const cached = app ? await cache.match('./index.html') : await cache.match(url.href);
      return cached ?? fetch(request);
    })(),
  );
});
