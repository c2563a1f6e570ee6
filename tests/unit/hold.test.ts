import { describe, expect, it } from 'vitest';
import { HOLD_EXPIRY_MS, HOLD_PUSH_MIN_MS, HOLD_RENEW_MS, HoldTable, holdKey, renewalBatch, repeatFrame, type HoldRequest } from '../../utils/hold';
import { badgeKey, describeFace } from '../../components/badge';
import { DEFAULT_OVERLAY_CONTENTS } from '../../utils/settings';
import type { FaceResult } from '../../utils/types';

const request = (tileId: string, everyMs: number, at = 0): HoldRequest => ({ tabId: 4, tileId, name: tileId, everyMs, mediaTime: 10, capturedAt: at, lines: DEFAULT_OVERLAY_CONTENTS });

/** Run the table like the engine worker does, from `from` to `to` ms; the times each tile was repeated. */
function run(table: HoldTable, from: number, to: number, renew?: (now: number) => void): Map<string, number[]> {
  const repeats = new Map<string, number[]>();
  for (let now = from; now <= to; now++) {
    renew?.(now);
    for (const h of table.due(now)) repeats.set(h.tileId, [...(repeats.get(h.tileId) ?? []), now]);
  }
  return repeats;
}

describe('held still tiles (the host repeats them)', () => {
  it('repeats a held tile at its interval from the moment it is held, while the page renews the hold', () => {
    const table = new HoldTable();
    table.hold(request('a', 125), 0);
    // The page renews every 400 ms.
    const repeats = run(table, 0, 2000, (now) => now > 0 && now % 400 === 0 && table.hold(request('a', 125, now), now));
    expect(repeats.get('a')).toEqual(Array.from({ length: 17 }, (_, i) => i * 125));
  });

  it('stops when the page goes quiet: nothing after the expiry, and the hold is gone', () => {
    const table = new HoldTable();
    table.hold(request('a', 100), 0);
    const repeats = run(table, 0, 3000).get('a')!;
    expect(repeats.at(-1)).toBeLessThanOrEqual(HOLD_EXPIRY_MS);
    expect(repeats.length).toBe(Math.floor(HOLD_EXPIRY_MS / 100) + 1);
    expect(table.size).toBe(0);
    expect(table.wait(3000)).toBeNull();
  });

  it('stops at once when released (a new picture, or the page stopped analysing the tile)', () => {
    const table = new HoldTable();
    table.hold(request('a', 100), 0);
    table.hold(request('b', 100), 0);
    expect(run(table, 0, 250).get('a')).toEqual([0, 100, 200]);
    table.release(holdKey(4, 'a'));
    const after = run(table, 251, 600);
    expect(after.get('a')).toBeUndefined();
    expect(after.get('b')).toEqual([300, 400, 500, 600]);
  });

  it('follows a renewed interval at once, and a busy engine does not get a burst to catch up', () => {
    const table = new HoldTable();
    table.hold(request('a', 500), 0);
    expect(table.due(0)).toHaveLength(1);
    // Renewed at 100 ms with 100 ms: next due at 200, not at 500.
    table.hold(request('a', 100, 100), 100);
    expect(table.wait(100)).toBe(100);
    expect(table.due(199)).toHaveLength(0);
    expect(table.due(200)).toHaveLength(1);
    // The engine comes back 350 ms late: one repeat now, the next half an interval later at the soonest.
    table.hold(request('a', 100, 500), 500);
    expect(table.due(650)).toHaveLength(1);
    expect(table.due(650)).toHaveLength(0);
    expect(table.wait(650)).toBe(50);
  });

  it('writes a held tile’s overlay at most every HOLD_PUSH_MIN_MS, and never for a tile it does not hold', () => {
    const table = new HoldTable();
    const key = holdKey(4, 'a');
    expect(table.push(key, 0)).toBe(false);
    table.hold(request('a', 100), 0);
    // Every repeat changes the badge (the smoothing settling), one every 100 ms: the first, then the
    // first at least HOLD_PUSH_MIN_MS after the last push.
    const pushed = [0, 100, 200, 300, 400, 500, 600, 700].filter((t) => table.push(key, t));
    const expected: number[] = [];
    for (const t of [0, 100, 200, 300, 400, 500, 600, 700]) if (!expected.length || t - expected.at(-1)! >= HOLD_PUSH_MIN_MS) expected.push(t);
    expect(pushed).toEqual(expected);
    expect(pushed.length).toBeGreaterThan(1);
    expect(pushed.length).toBeLessThan(8);
    // A new hold after a release pushes its first change at once.
    table.release(key);
    table.hold(request('a', 100, 750), 750);
    expect(table.push(key, 750)).toBe(true);
  });

  it('makes the repeat a still frame at the new time, with the video played on', () => {
    const f = repeatFrame(request('a', 100, 1000), 1500);
    expect(f).toMatchObject({ tileId: 'a', capturedAt: 1500, unchanged: true, held: true, image: '', pageMs: 0 });
    expect(f.mediaTime).toBeCloseTo(10.5, 6);
  });
});

describe('badge key (is a repeat worth a write to the page?)', () => {
  const face = (over: Partial<FaceResult> = {}, live: Partial<NonNullable<FaceResult['live']>> = {}): FaceResult => ({
    participantId: 't#1',
    boxNorm: { x: 0.3, y: 0.2, w: 0.3, h: 0.4 },
    aus: new Array<number>(12).fill(0.1),
    active: new Array<boolean>(12).fill(false),
    smile: true,
    affect: { probs: [0.05, 0.02, 0.05, 0.02, 0.8, 0.02, 0.02, 0.02], valence: 0.5, arousal: 0.1, backend: 'b', vaSource: 'model' } as FaceResult['affect'],
    live: {
      label: 'Happiness',
      probs: [0.05, 0.02, 0.05, 0.02, 0.8, 0.02, 0.02, 0.02],
      valence: 0.5,
      arousal: 0.1,
      compound: null,
      engagement: { index: 0.7, components: {} },
      smile: true,
      baselineFormed: true,
      lagMs: 0,
      ...live,
    } as FaceResult['live'],
    ...over,
  });
  // Probabilities in the models' order (Anger, Contempt, Disgust, Fear, Happiness, Neutral, Sadness, Surprise).
  const key = (f: FaceResult, show = DEFAULT_OVERLAY_CONTENTS) => badgeKey([f], show);

  it('is the same when the shown text and dot are the same, and differs when they change', () => {
    expect(describeFace(face(), DEFAULT_OVERLAY_CONTENTS).title).toBe('Happiness 80%');
    // A probability settling within the shown percent, a valence within the dot's step: same key.
    expect(key(face({}, { probs: [0.05, 0.02, 0.05, 0.02, 0.801, 0.02, 0.02, 0.019], valence: 0.501 }))).toBe(key(face()));
    // The shown percent, the engagement, the dot, the box: a new key.
    expect(key(face({}, { probs: [0.05, 0.02, 0.06, 0.02, 0.79, 0.02, 0.02, 0.02] }))).not.toBe(key(face()));
    expect(key(face({}, { engagement: { index: 0.69, components: {} } as NonNullable<FaceResult['live']>['engagement'] }))).not.toBe(key(face()));
    expect(key(face({}, { valence: 0.6 }))).not.toBe(key(face()));
    expect(key(face({ boxNorm: { x: 0.31, y: 0.2, w: 0.3, h: 0.4 } }))).not.toBe(key(face()));
    expect(badgeKey([], DEFAULT_OVERLAY_CONTENTS)).not.toBe(key(face()));
  });

  it('ignores what the user hid from the badge', () => {
    const noEngagement = { ...DEFAULT_OVERLAY_CONTENTS, engagement: false };
    expect(key(face({}, { engagement: { index: 0.2, components: {} } as NonNullable<FaceResult['live']>['engagement'] }), noEngagement)).toBe(key(face(), noEngagement));
  });
});

describe("holds renewed together (a page's still tiles)", () => {
  it("renews a page's still tiles together: about one message every HOLD_RENEW_MS, each tile's hold renewed in time", () => {
    // Ten held tiles checked every 125 ms, at staggered times, as a page's timers run; each check
    // renews its tile's hold when due (entrypoints/content renewHolds), taking along the others
    // that are half due.
    const tiles = Array.from({ length: 10 }, (_, i) => ({ id: i, heldAt: 0, phase: i * 12, renewedAt: [] as number[] }));
    let messages = 0;
    let steady = 0;
    const table = new HoldTable();
    for (let now = 0; now <= 10_000; now++) {
      for (const tile of tiles) {
        if ((now - tile.phase) % 125 !== 0 || now < tile.phase || now - tile.heldAt < HOLD_RENEW_MS) continue;
        const batch = renewalBatch(tiles, tile, now);
        expect(batch).toContain(tile);
        messages++;
        if (now >= 1000) steady++;
        for (const t of batch) {
          t.heldAt = now;
          t.renewedAt.push(now);
          table.hold(request(String(t.id), 125, now), now);
        }
      }
      table.due(now);
    }
    // One per tile would be ~220 (a renewal every 400–500 ms each). The first ten start each
    // tile's hold; from then on the renewals go together.
    console.log(`10 held tiles, 10 s: ${messages} hold messages, ${steady} after the first second`);
    expect(steady).toBeLessThanOrEqual(Math.ceil(9000 / HOLD_RENEW_MS) + 1);
    for (const t of tiles) {
      const gaps = t.renewedAt.slice(1).map((x, i) => x - t.renewedAt[i]!);
      expect(Math.max(...gaps), `tile ${t.id}: longest time between two renewals`).toBeLessThan(HOLD_EXPIRY_MS);
      expect(Math.min(...gaps), `tile ${t.id}: shortest`).toBeGreaterThanOrEqual(HOLD_RENEW_MS / 2);
    }
    // No hold expired meanwhile: every tile is still held.
    expect(table.size).toBe(10);
  });

  it('renews only held tiles along with the one due (not one released, not one held a moment ago)', () => {
    const a = { heldAt: 1000 };
    const released = { heldAt: 0 };
    const fresh = { heldAt: 1300 };
    const halfDue = { heldAt: 1000 + HOLD_RENEW_MS / 2 - 100 };
    const now = 1000 + HOLD_RENEW_MS;
    expect(renewalBatch([a, released, fresh, halfDue], a, now)).toEqual([a, halfDue]);
    // A tile not held yet starts its hold, alone when no other is due.
    expect(renewalBatch([released, fresh], released, now)).toEqual([released]);
  });
});
