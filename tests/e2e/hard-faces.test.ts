/**
 * Pictures real calls have and clean test photos do not: several people in one tile, grayscale
 * video, a face cut by the frame edge, a face too small to read. The built extension in Debian
 * Chromium, the local call page, real faces (tests/support/grid.ts says how each video is made).
 */
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchWithExtension, overlayHtml, waitForBadges, type Launched } from '../support/browser';
import { loggedResults, type LoggedResult } from '../support/extension';
import { callUrl, hardTiles, type HardTile } from '../support/grid';
import { ROOT } from '../support/media';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { pollUntil } from '../../scripts/lib/poll.mjs';
import { KEEPALIVE_MS } from '../../utils/scheduler';

const AU12 = 6; // index in AU_NAMES
const HAPPINESS = 4; // index in AffectNet order
const argmax = (p: number[]) => p.indexOf(Math.max(...p));

describe('hard pictures in Chromium', () => {
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Launched;
  let page: Page;
  let tiles: HardTile[];
  let log: LoggedResult[] = [];
  let overlay = '';
  /** Overlay snapshots taken across the clips' loop that said "waiting for video". */
  const acrossLoop: string[] = [];
  const of = (key: string) => log.filter((r) => r.name === tiles.find((t) => t.key === key)!.name);

  beforeAll(async () => {
    tiles = await hardTiles();
    server = await serveStatic({ '/pages/': join(ROOT, 'tests/pages'), '/media/': dirname(tiles[0]!.file) });
    browser = await launchWithExtension();
    page = await browser.context.newPage();
    await page.goto(callUrl(server.url, tiles));
    // Warm the models on a first pass, then analyse the grayscale tile's whole 12 s timeline once.
    await page.waitForFunction(() => [...document.querySelectorAll('video')].every((v) => v.currentTime > 3), undefined, { timeout: 60_000, polling: 500 });
    await waitForBadges(page, 1, 40_000);
    await page.evaluate(() => document.querySelectorAll('video').forEach((v) => (v.currentTime = 0)));
    // The overlay mid-clip, then every quarter second across the clips' loops (the tiny one's at 6
    // and 12 s, the others' at 12 s).
    await page.waitForTimeout(3000);
    overlay = await overlayHtml(page);
    await page.waitForTimeout(1500);
    const until = Date.now() + 9000;
    while (Date.now() < until) {
      const html = await overlayHtml(page);
      if (html.includes('waiting for video')) acrossLoop.push(html);
      await page.waitForTimeout(250);
    }
    await page.waitForTimeout(1500); // the background flushes its log once a second
    log = await loggedResults(browser.serviceWorker);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('finds several people in one meeting-room tile and keeps each one’s identity', () => {
    const frames = of('room');
    expect(frames.length).toBeGreaterThan(10);
    const counts = frames.map((r) => r.faces.length);
    const most = Math.max(...counts);
    const ids = new Set(frames.flatMap((r) => r.faces.map((f) => f.participantId)));
    console.log(`meeting room: ${frames.length} frames, faces per frame ${Math.min(...counts)}–${most}, ${ids.size} participant ids: ${[...ids].join(', ')}`);
    // The photo has five people; the short-range detector finds two or three of them (three on some
    // runs, two on CI's machine), so "several" is asserted, not a count.
    expect(most).toBeGreaterThanOrEqual(2);
    // Several faces in most frames, each with its own id and its own reading.
    expect(counts.filter((n) => n >= 2).length / frames.length).toBeGreaterThan(0.8);
    for (const r of frames) expect(new Set(r.faces.map((f) => f.participantId)).size).toBe(r.faces.length);
    // A still picture: tracking must not mint new people frame after frame.
    expect(ids.size).toBeLessThanOrEqual(most + 1);
    // The same person keeps the same id: the face nearest each id's first position is that id.
    for (const id of ids) {
      const seen = frames.flatMap((r) => r.faces.filter((f) => f.participantId === id).map((f) => f.boxNorm.x + f.boxNorm.w / 2));
      expect(Math.max(...seen) - Math.min(...seen), `${id} drifts across the picture`).toBeLessThan(0.05);
    }
  });

  it('reads grayscale video: faces, AU12 and Happiness in the happy segment', () => {
    const frames = of('gray');
    expect(frames.length).toBeGreaterThan(20);
    const withFace = frames.filter((r) => r.faces.length === 1);
    expect(withFace.length / frames.length).toBeGreaterThan(0.9);
    const happy = withFace.filter((r) => r.t > 4.5 && r.t < 7.5);
    const neutral = withFace.filter((r) => r.t < 3.5 || r.t > 8.5);
    expect(happy.length).toBeGreaterThan(3);
    expect(neutral.length).toBeGreaterThan(3);
    const mean = (rs: LoggedResult[]) => rs.reduce((s, r) => s + r.faces[0]!.aus[AU12]!, 0) / rs.length;
    console.log(`grayscale: AU12 happy ${mean(happy).toFixed(2)} vs neutral ${mean(neutral).toFixed(2)}`);
    expect(mean(happy)).toBeGreaterThan(mean(neutral) + 0.2);
    const happyTop = happy.filter((r) => r.faces[0]!.probs && argmax(r.faces[0]!.probs) === HAPPINESS).length;
    expect(happyTop / happy.length).toBeGreaterThan(0.8);
  });

  it('reads a face cut by the frame edge', () => {
    const frames = of('edge');
    expect(frames.length).toBeGreaterThan(10);
    const faces = frames.flatMap((r) => r.faces);
    expect(faces.length / frames.length).toBeGreaterThan(0.9);
    const box = faces[0]!.boxNorm;
    expect(box.x).toBe(0); // the box is clamped to the picture: the face really runs off the edge
    const hits = faces.filter((f) => f.probs && argmax(f.probs) === HAPPINESS).length;
    expect(hits / faces.length).toBeGreaterThan(0.8);
  });

  it('says a face is too small to read instead of guessing its expression', () => {
    const frames = of('tiny');
    expect(frames.length).toBeGreaterThan(10);
    const faces = frames.flatMap((r) => r.faces);
    expect(faces.length / frames.length).toBeGreaterThan(0.9);
    for (const f of faces) {
      expect(f.tooSmallPx).toBeGreaterThan(0);
      expect(f.tooSmallPx).toBeLessThan(32);
      expect(f.probs).toBeUndefined();
    }
    expect(overlay).toContain('Face too small for expressions');
  });

  it('keeps each tile’s reading while a looping clip seeks back to its start', () => {
    // The video has no frame for a moment at its loop point: a tile says "waiting for video" only
    // when that lasts, not at every loop.
    expect(acrossLoop).toEqual([]);
  });

  it('says "no face" on a camera left on with nobody in it', () => {
    const frames = of('desk');
    expect(frames.length).toBeGreaterThan(5);
    expect(frames.filter((r) => r.faces.length > 0)).toEqual([]);
    expect(tileHtml(overlay, tiles.find((t) => t.key === 'desk')!.name)).toContain('no face');
  });

  it('takes its "paused" back as soon as the video plays on, though the picture did not change', async () => {
    // The desk: a still picture with no face, so its change check looks at the whole frame before
    // and after a status. Held (analysed, then repeated by the host), paused and played on right
    // after a picture — well within the keep-alive, when an unchanged check would only hold it
    // again — it must show its reading at once, not keep saying "paused" until a picture is due.
    const desk = tiles.findIndex((t) => t.key === 'desk');
    const name = tiles[desk]!.name;
    const ours = async () => (await loggedResults(browser.serviceWorker)).filter((r) => r.name === name);
    const video = (what: 'pause' | 'play') => page.evaluate(([i, w]) => document.querySelectorAll('video')[i as number]![w as 'pause' | 'play'](), [desk, what]);
    const shown = async () => tileHtml(await overlayHtml(page), name);
    // Up to three tries: the log reaches the test in batches, so the pause may come too late after
    // the picture (past the keep-alive, the next picture is due anyway and proves nothing).
    let pictureAt = 0;
    let resumedAt = 0;
    let html = '';
    let shownAfter = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      const start = Date.now();
      await pollUntil(ours, (l) => l.some((r) => r.held && r.at > start), 10_000, 250);
      const heldAt = Date.now();
      const pictures = await pollUntil(ours, (l) => l.some((r) => !r.reused && !r.held && r.at > heldAt), 5000, 100);
      pictureAt = Math.max(...pictures.filter((r) => !r.reused && !r.held).map((r) => r.at));
      await video('pause');
      expect(await pollUntil(shown, (h) => h.includes('paused'), 3000, 100)).toContain('paused');
      await video('play');
      resumedAt = Date.now();
      html = await pollUntil(shown, (h) => h.includes('no face'), 1500, 100);
      shownAfter = Date.now() - resumedAt;
      if (resumedAt - pictureAt < KEEPALIVE_MS - 300) break;
    }
    const after = (await pollUntil(ours, (l) => l.some((r) => r.at > resumedAt), 3000)).filter((r) => r.at > resumedAt);
    console.log(`desk: played on ${resumedAt - pictureAt} ms after its last picture; its reading back within ${shownAfter} ms; frames after: ${after.map((r) => (r.held ? 'held' : r.reused ? 'unchanged' : 'picture')).join(', ')}`);
    expect(resumedAt - pictureAt, 'played on within the keep-alive').toBeLessThan(KEEPALIVE_MS - 300);
    // Its first frame is a picture (whose answer takes the word back), not the hold again.
    expect(after[0]!.reused || after[0]!.held, `first frame after play: ${JSON.stringify(after[0])}`).toBeFalsy();
    expect(html).toContain('no face');
    expect(html).not.toContain('paused');
  });
});

/** One tile's part of the overlay's HTML (up to the next tile's). */
function tileHtml(html: string, name: string): string {
  const at = html.indexOf(`data-tile="name:${name}"`);
  if (at < 0) return '';
  const next = html.indexOf('class="tile"', at);
  return html.slice(at, next < 0 ? undefined : next);
}
