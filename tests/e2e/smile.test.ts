/**
 * A smile reads as a smile even where the personal baseline has taken it for the person's rest
 * (models/temporal/participant.ts `smileOf`). Subject 038 (London set) smiles for the first 8 s, so
 * her baseline forms on her smile; she is neutral for 4 s, then smiles again. Read against the
 * baseline alone, that second smile was her resting face and not a smile; AU12 above the absolute
 * threshold on frames the expression model reads as Happiness is one. Her neutral face stays no
 * smile throughout. The built extension in Debian Chromium, the photos as a still camera.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { oneTileCall, type Launched } from '../support/browser';
import { loggedResults, type LoggedResult } from '../support/extension';
import { stillSequence } from '../support/grid';
import type { serveStatic } from '../../scripts/lib/static-server.mjs';
import { pollUntil } from '../../scripts/lib/poll.mjs';

const NAME = 'Smiler';
/** Media time (s) of the parts: smile, neutral, smile; the test watches to before the loop. */
const NEUTRAL_AT = 8;
const SMILE_AGAIN_AT = 12;
const WATCH_UNTIL = 17.5;

describe('a smile after a call that began smiling', () => {
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Launched;
  let page: Page;
  const errors: string[] = [];
  let log: LoggedResult[] = [];

  beforeAll(async () => {
    const clip = await stillSequence('038', [
      ['happy', NEUTRAL_AT],
      ['neutral', SMILE_AGAIN_AT - NEUTRAL_AT],
      ['happy', 6],
    ]);
    ({ server, browser, page } = await oneTileCall(clip, NAME, errors));
    // From the start again with the models warm, so her baseline forms on the first smile.
    await page.evaluate(() => (document.querySelector('video')!.currentTime = 0));
    const from = Date.now();
    await page.waitForFunction((until) => document.querySelector('video')!.currentTime >= until, WATCH_UNTIL, { timeout: 60_000, polling: 250 });
    const ours = async () => (await loggedResults(browser.serviceWorker)).filter((r) => r.name === NAME && r.at > from && r.t < WATCH_UNTIL);
    // The log arrives in batches (every 0.5 s): wait for the last watched second.
    log = await pollUntil(ours, (l) => l.some((r) => r.t > WATCH_UNTIL - 0.5), 5000);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('reads her second smile as a smile, and her neutral face as none', () => {
    const within = (from: number, to: number) => log.filter((r) => r.faces.length === 1 && r.t > from + 0.5 && r.t < to - 0.3);
    const share = (rs: LoggedResult[]) => rs.filter((r) => r.faces[0]!.live?.smile).length / rs.length;
    const first = within(0, NEUTRAL_AT);
    const neutral = within(NEUTRAL_AT, SMILE_AGAIN_AT);
    const again = within(SMILE_AGAIN_AT, WATCH_UNTIL);
    console.log(
      `subject 038: smile read on ${share(first).toFixed(2)} of ${first.length} frames of her first smile, ${share(neutral).toFixed(2)} of ${neutral.length} neutral, ${share(again).toFixed(2)} of ${again.length} of her second smile (baseline formed on ${again.filter((r) => r.faces[0]!.live?.baselineFormed).length})`,
    );
    expect(again.length, 'frames of her second smile').toBeGreaterThan(10);
    // The baseline formed during her first smile: it is what her second is read against.
    expect(again.every((r) => r.faces[0]!.live?.baselineFormed), 'baseline formed').toBe(true);
    expect(share(again), 'her second smile read as a smile').toBeGreaterThan(0.8);
    expect(neutral.length, 'neutral frames').toBeGreaterThan(5);
    expect(share(neutral), 'her neutral face read as a smile').toBeLessThan(0.1);
    expect(errors).toEqual([]);
  });
});
