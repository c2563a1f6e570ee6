/**
 * A single-page meeting app changes its layout all the time (grid / speaker / pinned, tiles
 * re-created, people renamed). After 50 such changes the content script must hold exactly what the
 * page shows now — no leftover tiles, timers, overlay elements, frame grabbers or page listeners —
 * and still analyse every tile.
 */
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchWithExtension, waitForBadges, type Launched } from '../support/browser';
import { callUrl, gridTiles } from '../support/grid';
import { ROOT } from '../support/media';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { pingContent } from '../support/extension';

type Held = { tiles: number; timers: number; overlayTiles: number; grabbers: number };

/** What the content script of the call tab holds. */
async function held(b: Launched): Promise<Held> {
  return (await pingContent(b.serviceWorker)).held!;
}

/**
 * Listeners on window and document, as DevTools counts them, in the page's world and in the
 * content script's isolated world (where AffectLens's listeners live).
 */
async function pageListeners(page: Page): Promise<{ page: number; extension: number }> {
  const cdp = await page.context().newCDPSession(page);
  const contexts: { id: number; name: string; auxData?: { type?: string; isDefault?: boolean } }[] = [];
  cdp.on('Runtime.executionContextCreated', (e: { context: (typeof contexts)[number] }) => contexts.push(e.context));
  try {
    await cdp.send('Runtime.enable');
    const count = async (contextId: number | undefined) => {
      let n = 0;
      for (const expression of ['window', 'document']) {
        const { result } = await cdp.send('Runtime.evaluate', { expression, ...(contextId !== undefined ? { contextId } : {}) });
        const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId! });
        n += listeners.length;
      }
      return n;
    };
    const isolated = contexts.find((c) => c.auxData?.type === 'isolated' && c.name === 'AffectLens');
    if (!isolated) throw new Error(`no AffectLens content-script world among ${contexts.map((c) => c.name || c.auxData?.type).join(', ')}`);
    return { page: await count(undefined), extension: await count(isolated.id) };
  } finally {
    await cdp.detach();
  }
}

describe('50 layout changes', () => {
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Launched;
  let page: Page;

  beforeAll(async () => {
    const tiles = await gridTiles();
    server = await serveStatic({ '/pages/': join(ROOT, 'tests/pages'), '/media/': dirname(tiles[0]!.file) });
    browser = await launchWithExtension();
    page = await browser.context.newPage();
    await page.goto(callUrl(server.url, tiles));
    await waitForBadges(page, 4);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('holds only what the page shows, and keeps analysing every tile', async () => {
    const listenersBefore = await pageListeners(page);
    const before = await held(browser);
    expect(before.tiles).toBe(4);
    for (let i = 0; i < 50; i++) {
      await page.evaluate((step) => {
        const grid = document.getElementById('grid')!;
        const figures = [...grid.querySelectorAll('figure')];
        switch (step % 5) {
          case 0: // speaker view: one big tile, the others in a strip
            grid.style.setProperty('--cols', '1');
            break;
          case 1: // back to the grid, in reverse order
            grid.style.setProperty('--cols', '2');
            figures.reverse().forEach((f) => grid.append(f));
            break;
          case 2: {
            // a tile re-created by the app: a new <video> for the same person
            const f = figures[step % figures.length]!;
            const old = f.querySelector('video')!;
            const video = old.cloneNode() as HTMLVideoElement;
            video.muted = true;
            video.autoplay = true;
            video.loop = true;
            old.replaceWith(video);
            void video.play();
            break;
          }
          case 3: {
            // someone renamed, and renamed back two steps later
            const f = figures[0]!;
            const cap = f.querySelector('figcaption')!;
            const video = f.querySelector('video')!;
            const renamed = cap.textContent!.endsWith(' (away)') ? cap.textContent!.slice(0, -7) : `${cap.textContent} (away)`;
            cap.textContent = renamed;
            video.title = renamed;
            break;
          }
          case 4: {
            // a tile leaves and comes back
            const f = figures[figures.length - 1]!;
            f.remove(); // (removing a media element pauses it; the app plays it again)
            setTimeout(() => {
              grid.append(f);
              void f.querySelector('video')!.play();
            }, 60);
            break;
          }
        }
      }, i);
      await page.waitForTimeout(150);
    }
    // Let the page settle, then everything the content script holds must match the four tiles.
    await page.waitForTimeout(3000);
    const after = await held(browser);
    const listenersAfter = await pageListeners(page);
    console.log(`held before ${JSON.stringify(before)}, after ${JSON.stringify(after)}; window+document listeners ${JSON.stringify(listenersBefore)} → ${JSON.stringify(listenersAfter)}`);
    expect(after.tiles).toBe(4);
    expect(after.overlayTiles).toBeLessThanOrEqual(4);
    expect(after.grabbers).toBeLessThanOrEqual(4);
    expect(after.timers).toBeLessThanOrEqual(4);
    expect(listenersBefore.extension).toBeGreaterThan(0); // scroll, resize, visibilitychange
    expect(listenersAfter).toEqual(listenersBefore);
    expect(await waitForBadges(page, 4, 15_000)).toBe(4);
  });
});
