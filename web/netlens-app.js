// The netlens app shell: hash routes over the static page in index.html.
//
// The home page, the menu and the footer are plain HTML and cost no WebAssembly. A tool's route
// loads that tool's module through netlens-embed.js (the same loader and the same cached files
// a documentation page uses) and renders it into the page, with its heading and URL parameters.
// Routes are URL fragments (#/decoder), so every page works on any static host, under any
// sub-path, from a copied dist/, with no rewrite rules.
import { loadTool, version, webAssemblyMissing } from './netlens-embed.js';

const home = document.getElementById('nl-home');
const rules = document.getElementById('nl-rules');
const notFound = document.getElementById('nl-not-found');
const toolRoot = document.getElementById('nl-tool');
document.getElementById('nl-version').textContent = version;

// The tools, from the static list (checked against the Rust tool list by a test).
const TOOLS = new Map(
  [...document.querySelectorAll('.nl-tool-entry a')].map((a) => [
    a.getAttribute('href'),
    { element: a.dataset.element, name: a.textContent },
  ]),
);

let mounted = []; // what the current route rendered (MountedElement handles)
let shown = 0; // bumped on every route change, so a module arriving late does not mount
let current = null; // the route shown: a change of parameters only (#/probe?…) keeps the tool

function routeOf(hash) {
  const path = hash.replace(/^#\/?/, '').split(/[?&]/)[0].replace(/\/+$/, '');
  return path === '' ? '#/' : `#/${path}`;
}

function sentence(element, text) {
  const p = document.createElement('p');
  p.className = 'nl-field-error';
  p.setAttribute('role', 'alert');
  p.textContent = text;
  element.replaceChildren(p);
}

async function mountInto(element, tag, mount, turn) {
  try {
    const tool = await loadTool(tag);
    if (turn === shown) mounted.push(mount(tool, element));
  } catch (error) {
    if (turn === shown) sentence(element, error.message);
  }
}

function show() {
  const route = routeOf(location.hash);
  if (route === current) return;
  current = route;
  const turn = ++shown;
  for (const handle of mounted) handle.destroy();
  mounted = [];
  const tool = TOOLS.get(route);
  home.hidden = route !== '#/';
  rules.hidden = route !== '#/rules';
  notFound.hidden = route === '#/' || route === '#/rules' || tool !== undefined;
  toolRoot.replaceChildren();
  for (const link of document.querySelectorAll('.nl-nav a')) {
    if (link.getAttribute('href') === route) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (tool) {
    document.title = `${tool.name} · netlens`;
    const loading = document.createElement('p');
    loading.className = 'nl-loading';
    loading.textContent = `Loading ${tool.name}…`;
    toolRoot.append(loading);
    mountInto(toolRoot, tool.element, (module, element) => module.mountElement(element, '', true), turn);
  } else if (route === '#/rules') {
    document.title = 'Rules · netlens';
    mountInto(document.getElementById('nl-chain-rules'), 'netlens-chain', (m, e) => m.mountRules(e), turn);
    mountInto(document.getElementById('nl-dnssd-rules'), 'netlens-dnssd', (m, e) => m.mountRules(e), turn);
  } else {
    document.title = route === '#/' ? 'netlens' : 'Not found · netlens';
  }
}

addEventListener('hashchange', show);
show();

// Without WebAssembly (Lockdown Mode) no tool can run: say so on every page, not only on a
// tool's (which says it too, where the tool would be).
const noWasm = webAssemblyMissing();
if (noWasm) {
  const note = document.createElement('p');
  note.className = 'nl-field-error nl-no-wasm';
  note.setAttribute('role', 'alert');
  note.textContent = noWasm;
  document.querySelector('main')?.prepend(note);
}

// Offline after one visit (sw.js). Service workers need http(s): not from file://.
if ('serviceWorker' in navigator && location.protocol.startsWith('http')) {
  navigator.serviceWorker.register('./sw.js').catch((error) => console.warn('netlens: offline use is not available:', error));
}
