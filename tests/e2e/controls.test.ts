/**
 * Bad input and user control, in the built extension: every tile says what is wrong and recovers;
 * the popup's switches work and survive the service worker being stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { dirname, join } from 'node:path';
import { collectErrors, launchWithExtension, overlayHtml, type Launched } from '../support/browser';
import { loggedResults, openPopup, stopServiceWorkers, tabIdOf } from '../support/extension';
import { gridTiles, noFaceVideo } from '../support/grid';
import { ROOT } from '../support/media';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { pollUntil } from '../../scripts/lib/poll.mjs';

interface TileState {
  /** The participant key the overlay tile is drawn for (e.g. `name:Paused`). */
  key: string;
  status: string | null;
  badges: number;
}

/** Text of each visible tile's status pill and its number of badges, in the overlay's order. */
async function tileStates(page: Page): Promise<TileState[]> {
  const html = await overlayHtml(page);
  return html
    .split('class="tile"')
    .slice(1)
    .map((t) => ({
      key: /data-tile="([^"]*)"/.exec(t)?.[1] ?? '',
      status: /class="status"[^>]*>([^<]*)</.exec(t)?.[1]?.replace(/&#39;|&apos;/g, "'") ?? null,
      badges: t.split('class="badge"').length - 1,
      hidden: /^[^>]*display: none/.test(t),
    }))
    .filter((t) => !t.hidden)
    .map(({ key, status, badges }) => ({ key, status, badges }));
}

/** The tile of the participant named `name` (overlay order follows first render, not the page). */
const byName = (tiles: TileState[], name: string) => tiles.find((t) => t.key.endsWith(`:${name}`));

async function waitForTiles(page: Page, check: (tiles: TileState[]) => boolean, what: string) {
  const last = await pollUntil(() => tileStates(page), check, 20_000);
  if (!check(last)) throw new Error(`timed out waiting for ${what}; overlay tiles: ${JSON.stringify(last)}`);
  return last;
}

describe('bad input and controls', () => {
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Launched;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const tiles = await gridTiles();
    noFaceVideo();
    server = await serveStatic({ '/pages/': join(ROOT, 'tests/pages'), '/media/': dirname(tiles[0]!.file) });
    browser = await launchWithExtension();
    page = await browser.context.newPage();
    collectErrors(page, errors);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a page with no video stays quiet', async () => {
    await page.goto(`${server.url}/pages/call.html`);
    await page.waitForTimeout(2500);
    expect(await tileStates(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('each bad tile shows its status, and a paused tile recovers when it plays', async () => {
    const crossOrigin = `http://localhost:${server.port}/media/top-right.webm`;
    await page.goto(`${server.url}/pages/call.html?src=/media/no-face.webm&name=NoFace`);
    await page.evaluate((xo) => {
      const grid = document.getElementById('grid')!;
      const add = (title: string, setup: (v: HTMLVideoElement) => void) => {
        const fig = document.createElement('figure');
        const v = document.createElement('video');
        v.muted = true;
        v.title = title;
        fig.append(v);
        grid.append(fig);
        setup(v);
      };
      add('Paused', (v) => {
        v.src = '/media/top-right.webm';
        v.preload = 'auto';
      });
      add('Empty', () => {}); // 0×0: no source at all
      add('CrossOrigin', (v) => {
        v.src = xo;
        v.loop = true;
        void v.play();
      });
      add('Ended', (v) => {
        v.src = '/media/bottom-left.webm';
        v.addEventListener('loadedmetadata', () => {
          v.currentTime = v.duration - 0.2;
          void v.play();
        }, { once: true });
      });
    }, crossOrigin);
    const states = (await waitForTiles(
      page,
      (t) =>
        t.length === 5 &&
        byName(t, 'NoFace')?.status === 'no face' &&
        byName(t, 'Paused')?.status === 'paused' &&
        byName(t, 'Empty')?.status === 'waiting for video' &&
        byName(t, 'CrossOrigin')?.status === "can't read this video (cross-origin)" &&
        byName(t, 'Ended')?.status === 'video ended',
      'a status on every bad tile',
    )) as TileState[];
    expect(states.map((s) => s.badges)).toEqual([0, 0, 0, 0, 0]);

    await page.evaluate(() => {
      const v = [...document.querySelectorAll('video')].find((x) => x.title === 'Paused')!;
      v.loop = true;
      void v.play();
    });
    await waitForTiles(page, (t) => byName(t, 'Paused')?.status === null && byName(t, 'Paused')?.badges === 1, 'the paused tile to recover with a badge');
    expect(errors).toEqual([]);
  });

  it('the popup turns the overlay and analysis off and on, and the state survives a stopped service worker', async () => {
    await page.goto(`${server.url}/pages/call.html?src=/media/top-right.webm&name=Alice`);
    await waitForTiles(page, (t) => t[0]?.badges === 1, 'a badge');
    await page.waitForTimeout(1200); // the log is flushed once a second
    const tabId = await tabIdOf(browser.serviceWorker, 'Alice');

    let popup = await openPopup(browser.context, browser.extensionId, tabId);
    await popup.getByRole('switch', { name: 'Show overlay' }).uncheck();
    await expect.poll(async () => /class="layer"[^>]*display: none/.test(await overlayHtml(page)), { timeout: 5000 }).toBe(true);
    await stopServiceWorkers(popup);
    await popup.close();
    popup = await openPopup(browser.context, browser.extensionId, tabId);
    expect(await popup.getByRole('switch', { name: 'Show overlay' }).isChecked()).toBe(false);
    expect(await popup.getByRole('switch', { name: 'Analyse this tab' }).isChecked()).toBe(true);
    await expect.poll(() => popup.getByTestId('status').textContent(), { timeout: 10_000 }).toMatch(/Model ready/);

    // Analysis off: no more results are logged for this tab.
    await popup.getByRole('switch', { name: 'Analyse this tab' }).uncheck();
    await page.waitForTimeout(1500);
    const before = (await loggedResults(browser.context.serviceWorkers()[0] ?? (await browser.context.waitForEvent('serviceworker')))).filter((r) => r.name === 'Alice').length;
    await page.waitForTimeout(2500);
    const sw = browser.context.serviceWorkers()[0] ?? (await browser.context.waitForEvent('serviceworker'));
    expect((await loggedResults(sw)).filter((r) => r.name === 'Alice').length).toBe(before);
    await expect.poll(() => popup.getByTestId('status').textContent()).toMatch(/off for this tab/);

    // And on again: results flow, the overlay comes back with a badge.
    await popup.getByRole('switch', { name: 'Analyse this tab' }).check();
    await popup.getByRole('switch', { name: 'Show overlay' }).check();
    await waitForTiles(page, (t) => t[0]?.badges === 1, 'the badge back after turning analysis on');
    await page.waitForTimeout(1500);
    expect((await loggedResults(sw)).filter((r) => r.name === 'Alice').length).toBeGreaterThan(before);
    expect(errors).toEqual([]);
  });

  it('badge lines switched on the options page change on an open call at once (the page does not watch storage: the background tells it)', async () => {
    await page.goto(`${server.url}/pages/call.html?src=/media/top-right.webm&name=Alice`);
    // The expression line ("Neutral 97%") and the AU line ("No smile · AU… 0.12 · …").
    const lines = async () => {
      const html = await overlayHtml(page);
      return { expression: /(Neutral|Happiness|Sadness|Surprise|Fear|Disgust|Anger|Contempt) \d+%/.test(html), aus: /smile/i.test(html) };
    };
    await expect.poll(lines, { timeout: 20_000 }).toEqual({ expression: true, aus: true });
    const options = await browser.context.newPage();
    await options.goto(`chrome-extension://${browser.extensionId}/options.html`);
    const aus = options.getByRole('switch', { name: 'Smile and action units' });
    await aus.uncheck();
    await expect.poll(lines, { timeout: 5000 }).toEqual({ expression: true, aus: false });
    await aus.check();
    await expect.poll(lines, { timeout: 5000 }).toEqual({ expression: true, aus: true });
    await options.close();
    expect(errors).toEqual([]);
  });

  it('recovers by itself when the offscreen document is closed', async () => {
    await page.goto(`${server.url}/pages/call.html?src=/media/top-right.webm&name=Bob`);
    await waitForTiles(page, (t) => t[0]?.badges === 1, 'a badge');
    const sw = browser.context.serviceWorkers()[0] ?? (await browser.context.waitForEvent('serviceworker'));
    await sw.evaluate(async () => {
      const { chrome } = globalThis as unknown as { chrome: { offscreen: { closeDocument(): Promise<void> } } };
      await chrome.offscreen.closeDocument();
    });
    // Without the document no frame is answered; the content script asks for a new one.
    await waitForTiles(page, (t) => t[0]?.badges === 0, 'the tile to notice the engine is gone');
    await waitForTiles(page, (t) => t[0]?.badges === 1 && t[0]?.status === null, 'badges back after the document was recreated');
    expect(errors).toEqual([]);
  });
});
