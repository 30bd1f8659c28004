// The JavaScript netlens ships within the browser floor (crates/netlens-floor: Safari 16.4,
// Chrome 96, Firefox 115 ESR): every file parses as ECMAScript 2022, the syntax all of them run.
// Newer syntax (import attributes, RegExp `v` flag, decorators…) fails here by name and place.
// APIs are not checked: a newer API needs a feature test where it is used.
//
//   node scripts/floor-js.mjs DIR     # every .js / .mjs and inline <script> under DIR (dist/)

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'acorn';

/** The syntax the floor's browsers all run. */
export const FLOOR_ECMA_VERSION = 2022;

/** Parses `code` as the floor allows; returns null, or a sentence saying what is newer. */
export function checkJs(code, { module = true } = {}) {
  try {
    parse(code, { ecmaVersion: FLOOR_ECMA_VERSION, sourceType: module ? 'module' : 'script' });
    return null;
  } catch (e) {
    return `${e.message}: syntax newer than ECMAScript ${FLOOR_ECMA_VERSION}, which the browser floor runs`;
  }
}

/** Every script under `dir`: [name, code, isModule]. Inline JSON and import maps are data. */
export function shippedScripts(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const file = path.join(d, name);
      if (statSync(file).isDirectory()) {
        walk(file);
      } else if (/\.(m?js)$/.test(name)) {
        out.push([path.relative(dir, file), readFileSync(file, 'utf8'), true]);
      } else if (name.endsWith('.html')) {
        const html = readFileSync(file, 'utf8');
        let n = 0;
        for (const m of html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)) {
          const attrs = m[1];
          if (/type="(application\/json|importmap)"/.test(attrs) || m[2].trim() === '') continue;
          n += 1;
          out.push([`${path.relative(dir, file)} (inline script ${n})`, m[2], /type="module"/.test(attrs)]);
        }
      }
    }
  };
  walk(dir);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node scripts/floor-js.mjs DIR (the release build, e.g. dist)');
    process.exit(2);
  }
  const scripts = shippedScripts(dir);
  let above = 0;
  for (const [name, code, module] of scripts) {
    const why = checkJs(code, { module });
    if (why) {
      above += 1;
      console.log(`  ABOVE  ${name}: ${why}`);
    } else {
      console.log(`  ok     ${name}`);
    }
  }
  if (scripts.length === 0) {
    console.error(`floor-js.mjs: no JavaScript under ${dir} (build first: make build)`);
    process.exit(2);
  }
  console.log(`floor: ${scripts.length - above} of ${scripts.length} JavaScript files parse as ECMAScript ${FLOOR_ECMA_VERSION}`);
  process.exit(above > 0 ? 1 : 0);
}
