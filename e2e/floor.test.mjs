// The browser floor's JavaScript check (scripts/floor-js.mjs) catches syntax newer than the
// floor, and passes what the floor runs. `make test` runs it on dist/ in its `floor` step, with
// the wasm check (crates/netlens-floor).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FLOOR_ECMA_VERSION, checkJs } from '../scripts/floor-js.mjs';
import { oncePerSuite } from './harness.mjs';

test('ECMAScript 2022 syntax is within the floor', { skip: oncePerSuite }, () => {
  assert.equal(FLOOR_ECMA_VERSION, 2022);
  const modern = `
    class Counter { #n = 0; static { Counter.zero = new Counter(); } has(o) { return #n in o; } }
    const x = globalThis.y ?? 1; let z; z ||= x; export const re = /(?<=a)b/d;
    await Promise.resolve(z?.toString());`;
  assert.equal(checkJs(modern), null);
});

test('syntax newer than the floor is caught, by name and place', { skip: oncePerSuite }, () => {
  const newer = {
    'import attributes (ES2025)': `import data from './x.json' with { type: 'json' };`,
    'RegExp v flag (ES2024)': `export const letters = /[\\p{L}--[a-z]]/v;`,
    'hashbang (ES2023)': `#!/usr/bin/env node\nexport {};`,
  };
  for (const [what, code] of Object.entries(newer)) {
    const why = checkJs(code);
    assert.ok(why, `${what} was not caught`);
    assert.match(why, /ECMAScript 2022/, what);
  }
});
