/** A build without the landmarker weights, or without the engine's worker script: the tiles say so instead of failing silently. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EXTENSION_DIR, launchWithExtension, overlayHtml, type Launched } from '../support/browser';
import { gridTiles } from '../support/grid';
import { ROOT } from '../support/media';
import { serveStatic } from '../../scripts/lib/static-server.mjs';

describe('missing model', () => {
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Launched;
  let dir: string;

  beforeAll(async () => {
    const tiles = await gridTiles();
    server = await serveStatic({ '/pages/': join(ROOT, 'tests/pages'), '/media/': dirname(tiles[0]!.file) });
    dir = mkdtempSync(join(tmpdir(), 'affectlens-nomodel-'));
    cpSync(EXTENSION_DIR, dir, { recursive: true });
    rmSync(join(dir, 'models', 'face_landmarker.task'));
    browser = await launchWithExtension({ extensionDir: dir });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows "model missing" on the tile and in the popup', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/pages/call.html?src=/media/top-right.webm&name=Carol`);
    await expect
      .poll(async () => /class="status"[^>]*>model missing: face_landmarker\.task</.test(await overlayHtml(page)), { timeout: 20_000 })
      .toBe(true);
    const popup = await browser.context.newPage();
    await popup.goto(`chrome-extension://${browser.extensionId}/popup.html?tabId=1`);
    await expect.poll(() => popup.getByTestId('status').textContent(), { timeout: 10_000 }).toMatch(/Model missing: face_landmarker\.task/);
  });
});

describe.each(['engine-worker.js', 'engine-router.js'])('missing inference worker script %s', (script) => {
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Launched;
  let dir: string;

  beforeAll(async () => {
    const tiles = await gridTiles();
    server = await serveStatic({ '/pages/': join(ROOT, 'tests/pages'), '/media/': dirname(tiles[0]!.file) });
    dir = mkdtempSync(join(tmpdir(), 'affectlens-noworker-'));
    cpSync(EXTENSION_DIR, dir, { recursive: true });
    rmSync(join(dir, script));
    browser = await launchWithExtension({ extensionDir: dir });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('says the inference worker could not start, on the tile and in the popup', async () => {
    const escaped = script.replace('.', '\\.');
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/pages/call.html?src=/media/top-right.webm&name=Carol`);
    await expect
      .poll(async () => new RegExp(`class="status"[^>]*>analysis unavailable: inference worker ${escaped} could not start`).test(await overlayHtml(page)), { timeout: 20_000 })
      .toBe(true);
    const popup = await browser.context.newPage();
    await popup.goto(`chrome-extension://${browser.extensionId}/popup.html?tabId=1`);
    await expect.poll(() => popup.getByTestId('status').textContent(), { timeout: 10_000 }).toMatch(new RegExp(`inference worker ${escaped} could not start.*reinstall AffectLens`));
  });
});
