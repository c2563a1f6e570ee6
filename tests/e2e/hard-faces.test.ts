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
    await page.waitForTimeout(12_500);
    overlay = await overlayHtml(page);
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
});
