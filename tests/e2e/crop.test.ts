/**
 * Pictures of the part around the faces (utils/raw-frame.ts `partAround`, `cropRect`): between two
 * pictures of the whole frame (at least every WHOLE_FRAME_EVERY_MS), the page copies and sends only
 * the part of a tile's frame around the faces found last; the host analyses it at the whole frame's
 * scale and places what it finds back in the frame. The built extension in Debian Chromium; the
 * actress clip (640×360, Pexels, a talking, moving face) as one tile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { oneTileCall, type Launched } from '../support/browser';
import { loggedResults, pingContent, type LoggedResult } from '../support/extension';
import type { PageMessages } from '../../utils/protocol';
import { media } from '../support/media';
import type { serveStatic } from '../../scripts/lib/static-server.mjs';
import { pollUntil } from '../../scripts/lib/poll.mjs';
import { WHOLE_FRAME_EVERY_MS } from '../../utils/raw-frame';

const NAME = 'Actress';
const WATCH_S = 10;
/** The clip's whole frame as copied (640×360 I420). */
const WHOLE_BYTES = 640 * 360 * 1.5;

type Box = LoggedResult['faces'][number]['boxNorm'];
const centre = (b: Box) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });

describe('pictures of the part around the faces', () => {
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Launched;
  let page: Page;
  const errors: string[] = [];
  let pictures: LoggedResult[] = [];
  let messages: PageMessages;

  beforeAll(async () => {
    ({ server, browser, page } = await oneTileCall(await media('video/WolfgangLanger_Pexels.mp4'), NAME, errors));
    const before = (await pingContent(browser.serviceWorker)).messages!;
    const from = Date.now();
    await page.waitForTimeout(WATCH_S * 1000);
    const to = Date.now();
    const after = (await pingContent(browser.serviceWorker)).messages!;
    messages = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - before[k as keyof PageMessages]])) as unknown as PageMessages;
    const ours = async () => (await loggedResults(browser.serviceWorker)).filter((r) => r.name === NAME);
    // The log arrives in batches (every 0.5 s): wait for the end of the watch.
    const log = await pollUntil(ours, (l) => l.some((r) => r.at >= to - 300), 5000);
    pictures = log.filter((r) => r.at > from && r.at <= to && !r.reused && !r.held).sort((a, b) => a.t - b.t);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('sends the part around the face between pictures of the whole frame, and the whole frame at least every second', () => {
    const whole = pictures.filter((r) => !r.cropped);
    const parts = pictures.filter((r) => r.cropped);
    const gaps = whole.slice(1).map((r, i) => r.at - whole[i]!.at);
    const meanBytes = messages.pictureBytes / messages.pictures;
    console.log(
      `${WATCH_S} s: ${pictures.length} pictures, ${parts.length} of the part around the face; whole frames every ${gaps.join(', ')} ms; ` +
        `${messages.pictures} pictures sent, ${Math.round(meanBytes / 1000)} kB each on average (the whole frame ${WHOLE_BYTES / 1000} kB)`,
    );
    expect(pictures.length / WATCH_S, 'pictures a second').toBeGreaterThan(4);
    expect(parts.length / pictures.length, 'share of pictures that were the part around the face').toBeGreaterThan(0.5);
    expect(whole.length).toBeGreaterThanOrEqual(Math.floor((WATCH_S * 1000) / WHOLE_FRAME_EVERY_MS / 2));
    // Some slack for the scheduling: a tile's pictures come every ~125 ms, and the engine may drop one.
    expect(Math.max(...gaps), 'longest time between two pictures of the whole frame').toBeLessThan(WHOLE_FRAME_EVERY_MS + 800);
    // A close-up (the face a third of the frame's width, two thirds of its height): the part is about
    // half the frame, and a picture in 8 is the whole frame.
    expect(meanBytes, 'bytes copied and sent per picture').toBeLessThan(0.7 * WHOLE_BYTES);
  });

  it('finds the face in the part as in the whole frame, at the same place in the frame', () => {
    const whole = pictures.filter((r) => !r.cropped);
    const parts = pictures.filter((r) => r.cropped);
    const oneFace = (rs: LoggedResult[]) => rs.filter((r) => r.faces.length === 1).length / rs.length;
    expect(oneFace(parts), 'parts with the face found').toBeGreaterThan(0.95);
    expect(oneFace(whole), 'whole frames with the face found').toBeGreaterThan(0.95);
    // Each part against the whole frame nearest in the clip's time (within 0.3 s: the head moves):
    // the box where it was, at the size it was.
    const pairs = parts
      .filter((p) => p.faces.length === 1)
      .map((p) => ({ p, w: whole.filter((w) => w.faces.length === 1).sort((a, b) => Math.abs(a.t - p.t) - Math.abs(b.t - p.t))[0] }))
      .filter((x): x is { p: LoggedResult; w: LoggedResult } => !!x.w && Math.abs(x.w.t - x.p.t) <= 0.3);
    expect(pairs.length).toBeGreaterThan(5);
    const shifts = pairs.map(({ p, w }) => {
      const a = p.faces[0]!.boxNorm;
      const b = w.faces[0]!.boxNorm;
      return { moved: Math.hypot(centre(a).x - centre(b).x, centre(a).y - centre(b).y) / b.w, size: a.w / b.w };
    });
    const worst = { moved: Math.max(...shifts.map((s) => s.moved)), size: [Math.min(...shifts.map((s) => s.size)), Math.max(...shifts.map((s) => s.size))] };
    console.log(`${pairs.length} parts against the whole frame nearest in time: centre moved at most ${worst.moved.toFixed(2)} face widths, size ×${worst.size.map((v) => v.toFixed(2)).join('–')}`);
    expect(worst.moved).toBeLessThan(0.25);
    expect(worst.size[0]).toBeGreaterThan(0.85);
    expect(worst.size[1]).toBeLessThan(1.18);
  });

  it('reads the same expression from the part as from the whole frame', () => {
    // Nearest neighbours in the clip's time again: the expression probabilities differ by little.
    const whole = pictures.filter((r) => !r.cropped && r.faces[0]?.probs);
    const diffs = pictures
      .filter((r) => r.cropped && r.faces[0]?.probs)
      .map((p) => ({ p, w: [...whole].sort((a, b) => Math.abs(a.t - p.t) - Math.abs(b.t - p.t))[0] }))
      .filter((x): x is { p: LoggedResult; w: LoggedResult } => !!x.w && Math.abs(x.w.t - x.p.t) <= 0.3)
      .map(({ p, w }) => p.faces[0]!.probs!.reduce((s, v, i) => s + Math.abs(v - w.faces[0]!.probs![i]!), 0) / 2);
    diffs.sort((a, b) => a - b);
    const median = diffs[Math.floor(diffs.length / 2)]!;
    console.log(`expression probabilities, part vs nearest whole frame: total variation median ${median.toFixed(3)}, max ${diffs[diffs.length - 1]!.toFixed(3)} over ${diffs.length} pairs`);
    expect(diffs.length).toBeGreaterThan(5);
    expect(median).toBeLessThan(0.15);
  });

  it('shows no error on the page', () => {
    expect(errors).toEqual([]);
  });
});
