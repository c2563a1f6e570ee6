#!/usr/bin/env node
// `npm run demo [-- video files…]`: build the extension, serve the local call page, and open
// Debian's Chromium with AffectLens loaded. Tiles play your webcam plus the given video files
// (default: ../shared/data/video/* when present). Without a display it runs headless for a few
// seconds and saves a screenshot instead.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, chromiumArgs } from './lib/chromium.mjs';
import { serveStatic } from './lib/static-server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const headless = !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;

let files = args.filter((a) => !a.startsWith('--')).map((f) => resolve(f));
if (!files.length) {
  const shared = resolve(root, '..', 'shared', 'data', 'video');
  if (existsSync(shared)) files = readdirSync(shared).filter((f) => /\.(mp4|webm|mov)$/i.test(f)).map((f) => join(shared, f));
}
for (const f of files) if (!existsSync(f)) throw new Error(`no such video file: ${f}`);

if (!args.includes('--no-build')) execFileSync('npx', ['wxt', 'build'], { cwd: root, stdio: 'inherit' });
const extensionDir = join(root, '.output', 'chrome-mv3');

const routes = { '/pages/': join(root, 'tests', 'pages') };
files.forEach((f, i) => (routes[`/files/${i}/`] = dirname(f)));
const server = await serveStatic(routes);
const query = [
  'webcam=1',
  ...files.map((f, i) => `src=/files/${i}/${encodeURIComponent(basename(f))}&name=${encodeURIComponent(basename(f))}`),
].join('&');
const url = `${server.url}/pages/call.html?${query}`;

const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'affectlens-demo-')), {
  executablePath: CHROMIUM,
  headless,
  viewport: null,
  args: chromiumArgs(extensionDir, {
    // Headless has no camera: Chromium's fake one stands in, and its permission prompt is skipped.
    extraArgs: headless ? ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--window-size=1280,900'] : [],
  }),
});
const page = await context.newPage();
await page.goto(url);
console.log(`AffectLens demo: ${url}`);
if (headless) {
  await page.waitForTimeout(Number(process.env.AFFECTLENS_DEMO_SECONDS ?? 12) * 1000);
  const shot = join(root, 'demo-screenshot.png');
  await page.screenshot({ path: shot });
  console.log(`No display: ran headless and saved ${shot}`);
  await context.close();
  await server.close();
} else {
  console.log('Close the browser window to stop.');
  context.on('close', () => void server.close().then(() => process.exit(0)));
}
