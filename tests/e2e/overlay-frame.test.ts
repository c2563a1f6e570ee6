/**
 * The overlay is drawn in the relay iframe over the page (utils/transport.ts RemoteOverlay), not on
 * the meeting page: its style, layout and paint run in the extension's process. The frame must be
 * invisible where it draws nothing — in a light and a dark page alike (Chrome paints an opaque
 * backdrop behind a frame whose colour scheme differs from its element's) — and it must never take
 * a click or the keyboard's focus from the meeting; and each badge it lays out stays on its own
 * tile, down to tiles narrower than its text. The built extension in Debian Chromium, a real face
 * video and a still photo.
 */
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CDPSession, Frame, Page } from 'playwright-core';
import { collectErrors, launchWithExtension, overlayHtml, relayFrames, waitForBadges, type Launched } from '../support/browser';
import { loggedResults } from '../support/extension';
import { gridTiles } from '../support/grid';
import { ROOT } from '../support/media';
import { pageMetrics } from '../../scripts/lib/page-metrics.mjs';
import { pollUntil } from '../../scripts/lib/poll.mjs';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { FACE_FRAME_MARGIN } from '../../utils/config';
import { contentRect, frameAround, placeBox } from '../../utils/geometry';

type Box = { x: number; y: number; w: number; h: number };

/**
 * What the relay draws, read through CDP from its rendered layout (viewport px): each face's frame
 * and badge, with the tile it is on (its key and its element's box), and for each of the badge's
 * lines whether its text runs past its width (ends in "…").
 */
async function drawnFaces(browser: Launched, relay: Frame): Promise<{ tile: string; tileBox: Box; box: Box; inside: boolean; badge: Box; cutLines: number }[]> {
  const cdp = await browser.context.newCDPSession(relay);
  try {
    type Node = { nodeId: number; attributes?: string[]; shadowRoots?: Node[]; children?: Node[] };
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: Node };
    const attr = (n: Node, name: string) => {
      const a = n.attributes ?? [];
      const i = a.indexOf(name);
      return i >= 0 && i % 2 === 0 ? a[i + 1] : undefined;
    };
    const boxOf = async (nodeId: number): Promise<Box> => {
      const { model } = (await cdp.send('DOM.getBoxModel', { nodeId })) as { model: { border: number[] } };
      const [x1, y1, , , x3, y3] = model.border as [number, number, number, number, number, number];
      return { x: x1, y: y1, w: x3 - x1, h: y3 - y1 };
    };
    const cut = async (nodeId: number): Promise<boolean> => {
      const { object } = (await cdp.send('DOM.resolveNode', { nodeId })) as { object: { objectId: string } };
      const { result } = (await cdp.send('Runtime.callFunctionOn', { objectId: object.objectId, functionDeclaration: 'function () { return this.scrollWidth > this.clientWidth; }', returnByValue: true })) as { result: { value: boolean } };
      return result.value;
    };
    const out = [];
    const tiles: Node[] = [];
    const walk = (n: Node) => {
      if (attr(n, 'class') === 'tile') tiles.push(n);
      for (const c of [...(n.children ?? []), ...(n.shadowRoots ?? [])]) walk(c);
    };
    walk(root);
    for (const t of tiles) {
      const tileBox = await boxOf(t.nodeId);
      for (const boxNode of (t.children ?? []).filter((c) => /^box\b/.test(attr(c, 'class') ?? ''))) {
        const inBox: Node[] = [];
        const collect = (n: Node) => {
          inBox.push(n);
          for (const c of n.children ?? []) collect(c);
        };
        collect(boxNode);
        const badge = inBox.find((n) => attr(n, 'class') === 'badge');
        if (!badge) continue;
        let cutLines = 0;
        for (const line of inBox.filter((n) => /^(title|detail)\b/.test(attr(n, 'class') ?? ''))) if (await cut(line.nodeId)) cutLines += 1;
        out.push({ tile: attr(t, 'data-tile') ?? '', tileBox, box: await boxOf(boxNode.nodeId), inside: /\binside\b/.test(attr(boxNode, 'class') ?? ''), badge: await boxOf(badge.nodeId), cutLines });
      }
    }
    return out;
  } finally {
    await cdp.detach();
  }
}

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
    // The actress's tile: her face moves all the time, so results keep coming; and a still photo's.
    await page.goto(`${server.url}/pages/call.html?src=/media/top-left.webm&name=Ann&src=/media/top-right.webm&name=Carol`);
    expect(await waitForBadges(page, 2), 'badges').toBe(2);
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

  it("frames each face where the page shows it (the page says where the tile is, the relay places the face's box in it)", async () => {
    // The still photo's: its frame is where one of its latest readings found the face (the log
    // has them all; the overlay drew one of them), to the pixel.
    const drawn = (await drawnFaces(browser, relayFrames(page)[0]!)).filter((f) => f.tile.endsWith('Carol')).map((f) => f.box);
    const video = await page.evaluate(() => {
      const v = [...document.querySelectorAll('video')].find((x) => x.title === 'Carol')!;
      const r = v.getBoundingClientRect();
      return { box: { x: r.left, y: r.top, w: r.width, h: r.height }, vw: v.videoWidth, vh: v.videoHeight, fit: getComputedStyle(v).objectFit };
    });
    expect(drawn, "one frame on Carol's tile").toHaveLength(1);
    await page.waitForTimeout(1500); // the log is written in batches: the reading drawn is in it now
    const readings = (await loggedResults(browser.serviceWorker)).filter((r) => r.name === 'Carol' && r.faces.length === 1).slice(-20);
    expect(readings.length, "Carol's readings").toBeGreaterThan(0);
    const offBy = readings.map((r) => {
      const want = frameAround(placeBox(r.faces[0]!.boxNorm, contentRect(video.box, video.vw, video.vh, video.fit), video.box)!, FACE_FRAME_MARGIN);
      return Math.max(...(['x', 'y', 'w', 'h'] as const).map((k) => Math.abs(drawn[0]![k] - want[k])));
    });
    console.log(`Carol's frame ${JSON.stringify(drawn[0])}: off by ${offBy.map((d) => d.toFixed(1)).join(', ')} px from her last ${readings.length} readings`);
    // A px for rounding (the frame's margin is whole pixels; the layout's subpixels).
    expect(Math.min(...offBy), "px off the nearest reading's frame").toBeLessThan(1.5);
  });

  it('keeps each badge on its own tile, growing from the frame edge nearer the tile’s middle; a badge too wide for a narrow tile ends its lines in "…"', async () => {
    const relay = relayFrames(page)[0]!;
    const viewport = page.viewportSize()!;
    /** Where each drawn badge is, against its tile (4 px in from each side) and its frame. */
    const check = (faces: Awaited<ReturnType<typeof drawnFaces>>) =>
      faces.map(({ tile, tileBox: t, box, inside, badge: b, cutLines }) => {
        const laneX = t.x + 4;
        const laneEnd = t.x + t.w - 4;
        // In the tile's right half the badge ends at the frame's right edge (4 px in from it inside
        // the frame; the lane's end at most), else starts at its left edge; either way pushed back
        // within the lane when too wide.
        const fromRight = box.x + box.w / 2 > t.x + t.w / 2;
        const inset = inside ? 4 : 0;
        const anchored = fromRight
          ? near(b.x + b.w, Math.min(Math.min(box.x + box.w, t.x + t.w) - inset, laneEnd)) || near(b.x, laneX)
          : near(b.x, Math.max(Math.max(box.x, t.x) + inset, laneX)) || near(b.x + b.w, laneEnd);
        return {
          tile: tile.split(':').pop(),
          inLane: b.x >= laneX - 0.5 && b.x + b.w <= laneEnd + 0.5,
          inTile: b.y >= t.y - 0.5 && b.y + b.h <= t.y + t.h + 0.5,
          anchored,
          // A line runs past the badge only when the badge fills its lane.
          cutOnlyWhenFull: cutLines === 0 || near(b.w, laneEnd - laneX),
          cutLines,
        };
      });
    const near = (a: number, b: number) => Math.abs(a - b) <= 1;
    const ok = (c: ReturnType<typeof check>[number]) => c.inLane && c.inTile && c.anchored && c.cutOnlyWhenFull;
    try {
      const wide = check(await drawnFaces(browser, relay));
      expect(wide, 'two badges drawn').toHaveLength(2);
      expect(wide.filter((c) => !ok(c)), `badges at ${viewport.width} px`).toEqual([]);
      // Two tiles side by side in a window 340 px wide: ~155 px each, narrower than a badge with
      // its action units. The page re-lays the tiles out; the overlay follows at its next check.
      await page.setViewportSize({ width: 340, height: viewport.height });
      const narrow = await pollUntil(
        async () => check(await drawnFaces(browser, relay)),
        (c) => c.length === 2 && c.every(ok) && c.some((x) => x.cutLines > 0),
        10_000,
        250,
      );
      console.log(`badges in 340-px window: ${JSON.stringify(narrow)}`);
      expect(narrow, 'two badges drawn').toHaveLength(2);
      expect(narrow.filter((c) => !ok(c)), 'badges at 340 px').toEqual([]);
      expect(narrow.filter((c) => c.cutLines > 0).length, 'badges whose lines end in "…" (too wide for the tile)').toBeGreaterThan(0);
    } finally {
      await page.setViewportSize(viewport);
    }
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
