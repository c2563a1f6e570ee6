/**
 * A still camera (utils/hold.ts): once nothing in a tile moves, the page says so and then sends
 * almost nothing; the inference host repeats the tile's analysis at its rate by itself, writes to
 * the page only when the overlay would change, and stops the moment the page stops: the video
 * paused, or the tab frozen. The built extension in Debian Chromium; subject 024's neutral photo
 * for 4 s, then their smiling photo (London set), as a video.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { freezePage, oneTileCall, overlayHtml, type Launched } from '../support/browser';
import { loggedResults, pingContent, type LoggedResult } from '../support/extension';
import type { PageMessages } from '../../utils/protocol';
import { stillChange } from '../support/grid';
import type { serveStatic } from '../../scripts/lib/static-server.mjs';
import { pollUntil } from '../../scripts/lib/poll.mjs';
import { HOLD_EXPIRY_MS } from '../../utils/hold';
import { SETTLE_MS, stillForMs } from '../../utils/scheduler';

const NAME = 'Still';
/** When the smile appears (media time, s), and the end of what the test watches (before the loop). */
const SMILE_AT = 4;
const WATCH_UNTIL = 11.5;

const titles = (html: string) => [...html.matchAll(/class="title">([^<]*)</g)].map((m) => m[1]!);

describe('a still picture: the host repeats it, the page sends almost nothing', () => {
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Launched;
  let page: Page;
  const errors: string[] = [];
  /** The overlay's badge title, read every ~150 ms while the test watches (wall clock). */
  const seen: { at: number; title: string }[] = [];
  let log: LoggedResult[] = [];
  /** What the page sent and was pushed while the test watched (its counters, before and after). */
  let messages: PageMessages;

  const ours = async () => (await loggedResults(browser.serviceWorker)).filter((r) => r.name === NAME);
  const mediaTime = () => page.evaluate(() => document.querySelector('video')!.currentTime);

  beforeAll(async () => {
    ({ server, browser, page } = await oneTileCall(await stillChange(SMILE_AT, 8), NAME, errors));
    // Start again from the first second, with the models warm, and watch the overlay up to the loop.
    await page.evaluate(() => (document.querySelector('video')!.currentTime = 0));
    const before = (await pingContent(browser.serviceWorker)).messages!;
    const from = Date.now();
    while ((await mediaTime()) < WATCH_UNTIL) {
      seen.push({ at: Date.now(), title: titles(await overlayHtml(page))[0] ?? '' });
      await page.waitForTimeout(150);
    }
    const after = (await pingContent(browser.serviceWorker)).messages!;
    messages = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - before[k as keyof PageMessages]])) as unknown as PageMessages;
    // The log arrives in batches (every 0.5 s): wait for the last watched second.
    log = (await pollUntil(ours, (l) => l.some((r) => r.t > WATCH_UNTIL - 0.5 && r.at > from), 5000)).filter((r) => r.at > from && r.t < WATCH_UNTIL);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('goes on analysing the still smile at the tile’s rate, with a picture only every keep-alive', () => {
    // The smile, once settled: a second after it appeared, to the end of the watch.
    const smile = log.filter((r) => r.t > SMILE_AT + 1);
    const seconds = WATCH_UNTIL - SMILE_AT - 1;
    const held = smile.filter((r) => r.held);
    const pictures = smile.filter((r) => !r.reused);
    const gaps = smile.slice(1).map((r, i) => r.at - smile[i]!.at);
    console.log(`still smile, ${seconds} s: ${smile.length} frames, ${held.length} repeated by the host, ${pictures.length} pictures, ${smile.length - held.length - pictures.length} "unchanged" from the page; longest gap ${Math.max(...gaps)} ms`);
    expect(smile.length / seconds, 'frames a second').toBeGreaterThan(2);
    expect(held.length / smile.length, 'share of frames the host repeated by itself').toBeGreaterThan(0.6);
    // A picture every keep-alive (2 s), so the host never repeats a picture the page no longer shows.
    expect(pictures.length).toBeGreaterThanOrEqual(Math.floor(seconds / 2) - 1);
    expect(pictures.length).toBeLessThanOrEqual(Math.ceil(seconds / 2) + 2);
    expect(Math.max(...gaps), 'longest gap between two frames (ms)').toBeLessThan(1000);
    // Every repeat is the face read again, at its own time.
    expect(held.every((r) => r.faces.length === 1 && r.faces[0]!.probs && r.latency < 1000)).toBe(true);
    expect(new Set(held.map((r) => r.at)).size).toBe(held.length);
  });

  it('takes a picture that went still once more soon after, then every keep-alive, each read with the landmarker', () => {
    const pictures = log.filter((r) => !r.reused).sort((a, b) => a.at - b.at);
    const kinds = pictures.map((r, i) => `${r.t.toFixed(2)}s ${r.still ? 'still' : 'changed'}${r.light ? ' light' : ''}${i ? ` +${r.at - pictures[i - 1]!.at} ms` : ''}`);
    console.log(`pictures: ${kinds.join(', ')}`);
    // The page's clock stamps both (the picture's capture), a few ms after the check that let it go.
    const SLACK_MS = 30;
    pictures.forEach((r, i) => {
      if (!r.still || i === 0) return;
      const before = pictures[i - 1]!;
      expect(r.at - before.at, `${r.t.toFixed(2)} s: a still picture comes no sooner than its due time`).toBeGreaterThanOrEqual(stillForMs(!!before.still) - SLACK_MS);
      expect(r.light, 'a still picture is not read light').toBeFalsy();
      expect(r.stages.landmarks, 'a still picture goes through the landmarker').toBeGreaterThan(0);
    });
    // The smile: its picture (changed), then one more within a second, after SETTLE_MS.
    const smileAt = pictures.findIndex((r) => !r.still && r.t >= SMILE_AT - 0.1);
    const settle = pictures.slice(smileAt + 1).find((r) => r.still);
    expect(smileAt, 'the smile’s picture').toBeGreaterThanOrEqual(0);
    expect(settle, 'a still picture after the smile’s').toBeDefined();
    const lastChanged = pictures.filter((r) => !r.still && r.at < settle!.at).at(-1)!;
    expect(settle!.at - lastChanged.at, 'the smile read again once settled (ms)').toBeLessThan(SETTLE_MS + 1000);
    expect(settle!.faces[0]?.probs, 'the settled smile read').toBeDefined();
  });

  it('costs the page a message for a few of its frames, not one and a reply for each', () => {
    // The whole watch: the neutral photo, the change, the smile.
    const sent = messages.pictures + messages.unchanged + messages.holds + messages.releases;
    console.log(`watched ${WATCH_UNTIL} s: ${log.length} frames answered; the page sent ${sent} messages (${JSON.stringify(messages)})`);
    expect(messages.pictures).toBeGreaterThan(0);
    // Every picture the page sent is in the log: none lost behind a repeat stamped after it (one
    // may have gone after the last watched second).
    expect(log.filter((r) => !r.reused).length, 'pictures in the log').toBeGreaterThanOrEqual(messages.pictures - 1);
    expect(messages.holds).toBeGreaterThan(0);
    // Holds renew every 0.4 s (at the first check after it); a picture goes every 2 s and when the
    // picture changes. Sending "unchanged" for each still frame was one message (and an answer) per
    // frame; a slower machine's lower rate (5 frames/s) still leaves well under one.
    expect(sent / log.length, 'messages the page sent per frame answered').toBeLessThan(0.75);
    // The host writes to the page only when the overlay changes: fewer pushes than repeats.
    expect(messages.pushes).toBeLessThan(log.filter((r) => r.held).length);
  });

  it('shows the smoothing settle on the smile between two pictures (the host pushes what changes)', () => {
    // An answer to a picture redraws the overlay within a draw interval and a read (~400 ms): a
    // title that changed with no picture answered just before came from the host's push.
    const answered = log.filter((r) => !r.reused).map((r) => r.at + r.latency);
    const changes = seen.filter((s, i) => i > 0 && s.title !== seen[i - 1]!.title);
    const pushed = changes.filter((c) => !answered.some((t) => t <= c.at && t > c.at - 400));
    console.log(`overlay titles: ${changes.map((c) => c.title).join(' → ')}; ${pushed.length} of ${changes.length} changes with no picture answered just before`);
    expect(pushed.length, 'overlay changes pushed by the host').toBeGreaterThan(0);
    expect(seen.at(-1)!.title).toMatch(/^Happiness \d+%$/);
    expect(errors).toEqual([]);
  });

  it('stops repeating when the page stops: within the hold’s expiry for a frozen tab, at once for a paused video', async () => {
    // Wait until the host repeats the tile again (the loop's first seconds may change the picture).
    await pollUntil(ours, (l) => l.some((r) => r.held && r.at > Date.now() - 1500), 15_000, 250);
    // Frozen: the page's scripts stop, so it neither renews the hold nor releases it.
    const { frozenAt, resumedAt: thawedAt } = await freezePage(page, 3000);
    // Paused: the page releases the hold at its next check.
    await pollUntil(ours, (l) => l.some((r) => r.at > thawedAt), 10_000, 250);
    const pausedAt = Date.now();
    await page.evaluate(() => document.querySelector('video')!.pause());
    await page.waitForTimeout(2500);
    const all = await pollUntil(ours, (l) => l.some((r) => r.at > pausedAt - 1000), 3000);
    const frozen = all.filter((r) => r.at > frozenAt && r.at < thawedAt);
    console.log(`frozen 3 s: frames at +${frozen.map((r) => r.at - frozenAt).join(', +')} ms; after the pause: ${all.filter((r) => r.at > pausedAt).map((r) => `+${r.at - pausedAt}`).join(', ')} ms`);
    expect(frozen.filter((r) => r.at > frozenAt + HOLD_EXPIRY_MS + 250), 'frames made while the page was frozen, past the expiry').toEqual([]);
    expect(all.filter((r) => r.at > pausedAt + 1000), 'frames after the video paused').toEqual([]);
    expect(titles(await overlayHtml(page))).toEqual([]);
    expect(await overlayHtml(page)).toContain('paused');
  });

  it('keeps nothing of a tab once it is closed, though the host repeats its still tile for a moment after', async () => {
    // Held again: the host repeats the tile by itself, and goes on for up to the hold's expiry
    // after the page's last word — past the close. The background clears a closed tab's log and
    // ends its session; a repeat arriving after that must not log or start anything anew.
    await page.evaluate(() => document.querySelector('video')!.play());
    await pollUntil(ours, (l) => l.some((r) => r.held && r.at > Date.now() - 1000), 15_000, 250);
    const tab = (await loggedResults(browser.serviceWorker)).find((r) => r.name === NAME)!.tab;
    const closedAt = Date.now();
    await page.close();
    // Past the expiry, and the batches that carry its repeats (every 0.5 s).
    await new Promise((r) => setTimeout(r, HOLD_EXPIRY_MS + 2000));
    const left = (await loggedResults(browser.serviceWorker)).filter((r) => r.tab === tab);
    console.log(`closed tab ${tab}: ${left.length} frames logged after the close (at +${left.map((r) => r.at - closedAt).join(', +')} ms)`);
    expect(left, 'frames of the closed tab in the log').toEqual([]);
  });
});
