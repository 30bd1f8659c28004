// Renders web/icons/netlens.svg to the PNG icons the web app manifest lists (installability
// needs 192 and 512 px PNGs), with Debian's Chromium. Deterministic; commit the output.
//   node scripts/icons.mjs
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ICONS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'web', 'icons');
const svg = readFileSync(path.join(ICONS, 'netlens.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  for (const [name, size, padding] of [
    ['netlens-192.png', 192, 0],
    ['netlens-512.png', 512, 0],
    // Maskable: the launcher may crop to a circle; keep the mark inside the 80 % safe zone.
    ['netlens-maskable-512.png', 512, 0.1],
  ]) {
    await page.setViewportSize({ width: size, height: size });
    const inner = Math.round(size * (1 - 2 * padding));
    await page.setContent(
      `<html><body style="margin:0;background:#1f5fd6;display:grid;place-items:center;width:${size}px;height:${size}px">` +
        `<div style="width:${inner}px;height:${inner}px">${svg.replace('<svg ', `<svg width="${inner}" height="${inner}" `)}</div></body></html>`,
    );
    await page.screenshot({ path: path.join(ICONS, name), omitBackground: padding === 0 });
    console.log(`web/icons/${name}`);
  }
} finally {
  await browser.close();
}
