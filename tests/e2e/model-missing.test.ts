/**
 * A build missing a file it needs — the landmarker weights, or one of the inference workers'
 * scripts: the tiles and the popup say what is wrong instead of failing silently; or BlazeFace's,
 * which only makes light pictures (utils/engine.ts): analysis goes on, the popup says why slower.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EXTENSION_DIR, launchWithExtension, overlayHtml, type Launched } from '../support/browser';
import { gridTiles } from '../support/grid';
import { ROOT } from '../support/media';
import { serveStatic } from '../../scripts/lib/static-server.mjs';

const CASES = [
  { file: 'models/face_landmarker.task', tile: /class="status"[^>]*>model missing: face_landmarker\.task</, popup: /Model missing: face_landmarker\.task/ },
  // An optimisation's file: analysis goes on (every picture through the landmarker), and the status says why it is slower.
  // The note comes with the affect model's "ready", after it compiled (over 10 s on a loaded CI machine).
  { file: 'models/blaze_face_short_range.tflite', tile: /class="badge"/, popup: /blaze_face_short_range\.tflite is missing: every picture goes through the landmarker/, popupWaitMs: 60_000 },
  {
    file: 'engine-worker.js',
    tile: /class="status"[^>]*>analysis unavailable: inference worker engine-worker\.js could not start/,
    popup: /inference worker engine-worker\.js could not start.*reinstall AffectLens/,
  },
  {
    file: 'engine-router.js',
    tile: /class="status"[^>]*>analysis unavailable: inference worker engine-router\.js could not start/,
    popup: /inference worker engine-router\.js could not start.*reinstall AffectLens/,
  },
];

describe.each(CASES)('a build without $file', ({ file, tile, popup: popupText, popupWaitMs = 10_000 }) => {
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Launched;
  let dir: string;

  beforeAll(async () => {
    const tiles = await gridTiles();
    server = await serveStatic({ '/pages/': join(ROOT, 'tests/pages'), '/media/': dirname(tiles[0]!.file) });
    dir = mkdtempSync(join(tmpdir(), 'affectlens-missing-'));
    cpSync(EXTENSION_DIR, dir, { recursive: true });
    rmSync(join(dir, file));
    browser = await launchWithExtension({ extensionDir: dir });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('says so on the tile and in the popup', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/pages/call.html?src=/media/top-right.webm&name=Carol`);
    await expect.poll(async () => tile.test(await overlayHtml(page)), { timeout: 20_000 }).toBe(true);
    const popup = await browser.context.newPage();
    await popup.goto(`chrome-extension://${browser.extensionId}/popup.html?tabId=1`);
    await expect.poll(() => popup.getByTestId('status').textContent(), { timeout: popupWaitMs }).toMatch(popupText);
  });
});
