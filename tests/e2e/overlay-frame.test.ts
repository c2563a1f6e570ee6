/**
 * The overlay is drawn in the relay iframe over the page (utils/transport.ts RemoteOverlay), not on
 * the meeting page: its style, layout and paint run in the extension's process. The frame must be
 * invisible where it draws nothing — in a light and a dark page alike (Chrome paints an opaque
 * backdrop behind a frame whose colour scheme differs from its element's) — and it must never take
 * a click or the keyboard's focus from the meeting. The built extension in Debian Chromium, a real
 * face video.
 */
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CDPSession, Page } from 'playwright-core';
import { collectErrors, launchWithExtension, overlayHtml, relayFrames, waitForBadges, type Launched } from '../support/browser';
import { loggedResults } from '../support/extension';
import { gridTiles } from '../support/grid';
import { ROOT } from '../support/media';
import { pageMetrics } from '../../scripts/lib/page-metrics.mjs';
import { serveStatic } from '../../scripts/lib/static-server.mjs';

/** The colour of the page's pixel at (x, y) in a screenshot of the tab as shown (overlay frame included). */
async function pixelAt(page: Page, x: number, y: number): Promise<[number, number, number]> {
  const png = (await page.screenshot({ clip: { x, y, width: 1, height: 1 } })).toString('base64');
  return page.evaluate(async (data) => {
    const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${data}`)).blob());
    const canvas = new OffscreenCanvas(1, 1);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
    return [r!, g!, b!] as [number, number, number];
  }, png);
}

describe('the overlay drawn in the relay iframe', () => {
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Launched;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const tiles = await gridTiles();
    server = await serveStatic({ '/pages/': join(ROOT, 'tests/pages'), '/media/': dirname(tiles[0]!.file) });
    browser = await launchWithExtension();
    page = await browser.context.newPage();
    collectErrors(page, errors);
    // The actress's tile: her face moves all the time, so results keep coming.
    const actress = tiles.find((t) => t.name.startsWith('Actress'))!;
    await page.goto(`${server.url}/pages/call.html?src=/media/${actress.key}.webm&name=Ann`);
    expect(await waitForBadges(page, 1), 'a badge').toBe(1);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws the badges in the relay iframe, and nothing on the page: the page lays nothing out for it', async () => {
    const [relay] = relayFrames(page);
    expect(relay, 'the relay iframe').toBeDefined();
    expect(await page.evaluate(() => document.querySelectorAll('affectlens-overlay').length), 'overlay elements on the page').toBe(0);
    expect(await overlayHtml(page)).toContain('class="badge"');
    // Results keep coming (a moving face): the relay's document lays the overlay out at each draw,
    // the page's not at all (its layout reads find nothing to lay out). Measured once the models
    // are warm (the affect model compiles after the first badges).
    await page.waitForTimeout(3000);
    const sessions: [string, CDPSession][] = [
      ['page', await browser.context.newCDPSession(page)],
      ['relay', await browser.context.newCDPSession(relay!)],
    ];
    for (const [, s] of sessions) await s.send('Performance.enable');
    const read = async () => Object.fromEntries(await Promise.all(sessions.map(async ([name, s]) => [name, (await pageMetrics(s)).LayoutCount ?? NaN] as const)));
    const from = Date.now();
    const a = await read();
    await page.waitForTimeout(5000);
    const b = await read();
    const to = Date.now();
    await page.waitForTimeout(1500); // the log is written in batches
    const results = (await loggedResults(browser.serviceWorker)).filter((r) => r.at >= from && r.at < to && r.faces.length > 0).length;
    const layouts = { page: b.page! - a.page!, relay: b.relay! - a.relay! };
    console.log(`5 s: ${results} results with a face; layouts on the page ${layouts.page}, in the relay ${layouts.relay}`);
    expect(results, 'results with a face').toBeGreaterThan(10);
    expect(layouts.relay, 'the relay lays the overlay out').toBeGreaterThan(4);
    expect(layouts.page, 'the page lays out for the overlay').toBeLessThanOrEqual(2);
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`is transparent where it draws nothing, on a page in the ${scheme} colour scheme`, async () => {
      await page.evaluate((s) => {
        document.documentElement.style.colorScheme = s;
        document.body.style.background = 'rgb(40, 160, 90)';
      }, scheme);
      await page.waitForTimeout(300);
      // The page's corner (its background; no tile, no overlay there) reads as the page's colour.
      const [r, g, b] = await pixelAt(page, 4, 4);
      expect([r, g, b], `the page's background through the frame (${scheme})`).toEqual([40, 160, 90]);
    });
  }

  it("takes no click and no focus from the meeting, and covers the whole page", async () => {
    const buttonAt = await page.evaluate(() => {
      const button = document.createElement('button');
      button.textContent = 'Leave call';
      button.style.cssText = 'position: fixed; left: 20px; bottom: 20px; width: 120px; height: 40px; z-index: 10;';
      button.dataset.clicks = '0';
      button.addEventListener('click', () => (button.dataset.clicks = String(Number(button.dataset.clicks) + 1)));
      document.body.append(button);
      const r = button.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    });
    // The relay's frame lies over the button (the whole viewport), yet the click reaches the button.
    const relay = relayFrames(page)[0]!;
    const frameBox = await (await relay.frameElement()).boundingBox();
    const viewport = page.viewportSize()!;
    expect(frameBox, 'the frame covers the viewport').toEqual({ x: 0, y: 0, width: viewport.width, height: viewport.height });
    await page.mouse.click(buttonAt.x, buttonAt.y);
    expect(await page.evaluate(() => document.querySelector('button')!.dataset.clicks), 'clicks on the button').toBe('1');
    // Tabbing through the page never lands in the frame.
    const focused: string[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      focused.push(await page.evaluate(() => document.activeElement?.localName ?? 'none'));
    }
    expect(focused, 'focused elements while tabbing').not.toContain('affectlens-relay');
    expect(errors).toEqual([]);
  });
});
