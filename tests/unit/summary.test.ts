import { describe, expect, it } from 'vitest';
import { ParticipantSeries, POINT_FIELDS } from '../../utils/session-series';
import { CSV_COLUMNS, summariseParticipant, summariseRoom, toCsv } from '../../utils/summary';

// AffectNet order: Anger, Contempt, Disgust, Fear, Happiness, Neutral, Sadness, Surprise
const HAPPY = [0, 0, 0, 0, 0.9, 0.1, 0, 0];
const NEUTRAL = [0, 0, 0, 0, 0.1, 0.9, 0, 0];
const SAD = [0, 0, 0, 0, 0, 0.05, 0.95, 0];
const T0 = Date.UTC(2026, 10, 29, 10, 0, 0);

function series(frames: { t: number; probs?: number[]; valence?: number; face?: boolean }[]) {
  const s = new ParticipantSeries();
  for (const f of frames) s.add({ t: T0 + f.t, face: f.face ?? true, probs: f.probs, valence: f.valence ?? 0, arousal: 0.1, engagement: 0.7, aus: new Array(12).fill(0.1), smoothProbs: f.probs ?? null, smoothValence: f.valence ?? 0, smoothArousal: 0.1 });
  return s.snapshot();
}
const every = (from: number, to: number, step: number) => Array.from({ length: Math.round((to - from) / step) }, (_, i) => from + i * step);

describe('session summary', () => {
  it('counts time per expression with the centred filter, and ignores a one-bucket blip', () => {
    const snap = series([
      ...every(0, 10_000, 125).map((t) => ({ t, probs: t === 5000 || t === 5125 ? SAD : HAPPY, valence: 0.6 })),
      ...every(10_000, 20_000, 125).map((t) => ({ t, probs: NEUTRAL, valence: 0 })),
    ]);
    const s = summariseParticipant('a#1', 'Alice', snap.points, snap.resolutionMs);
    expect(s.expressionS.Happiness).toBeCloseTo(10, 0);
    expect(s.expressionS.Neutral).toBeCloseTo(10, 0);
    expect(s.expressionS.Sadness).toBe(0); // raw Sadness for 0.25 s; smoothed away
    expect(s.presentS).toBeCloseTo(20, 5);
    expect(s.valence!.max).toBeCloseTo(0.6, 2);
    expect(s.valence!.min).toBeCloseTo(0, 2);
    expect(s.moments.map((m) => m.kind)).toEqual(expect.arrayContaining(['most positive', 'longest expression']));
    expect(s.moments.find((m) => m.kind === 'longest expression')!.text).toMatch(/Happiness for 1\d s/);
  });

  it('interpolates the smoothed values across buckets without a face, but counts only face time', () => {
    const snap = series([...every(0, 2000, 250).map((t) => ({ t, probs: HAPPY })), ...every(2000, 4000, 250).map((t) => ({ t, face: false })), ...every(4000, 6000, 250).map((t) => ({ t, probs: HAPPY }))]);
    const s = summariseParticipant('a#1', 'Alice', snap.points, snap.resolutionMs);
    expect(s.presentS).toBeCloseTo(4, 5);
    expect(s.analysedS).toBeCloseTo(6, 5);
    expect(s.expressionS.Happiness).toBeCloseTo(4, 5);
  });

  it('handles a participant present for one second, and a room with nobody', () => {
    const snap = series(every(0, 1000, 250).map((t) => ({ t, probs: NEUTRAL })));
    const s = summariseParticipant('b#1', 'Bob', snap.points, snap.resolutionMs);
    expect(s.expressionS.Neutral).toBeCloseTo(1, 5);
    expect(s.moments).toEqual([]);
    const empty = summariseRoom([], []);
    expect(empty.participants).toBe(0);
    expect(empty.valence).toBeNull();
    expect(Object.values(empty.expressionShare).every((v) => v === 0)).toBe(true);
  });

  it('pools the room: shares of face time and a mean timeline', () => {
    const a = series(every(0, 4000, 250).map((t) => ({ t, probs: HAPPY, valence: 0.8 })));
    const b = series(every(0, 4000, 250).map((t) => ({ t, probs: NEUTRAL, valence: 0 })));
    const room = summariseRoom([summariseParticipant('a', 'A', a.points, 250), summariseParticipant('b', 'B', b.points, 250)], [250, 250]);
    expect(room.expressionShare.Happiness).toBeCloseTo(0.5, 5);
    expect(room.valence!.mean).toBeCloseTo(0.4, 2);
  });

  it('exports one CSV row per participant per time step, with documented columns', () => {
    const snap = series(every(0, 3000, 125).map((t) => ({ t, probs: HAPPY, valence: 0.5 })));
    const s = summariseParticipant('a#1', 'Alice, "Al"', snap.points, snap.resolutionMs);
    const csv = toCsv({ id: 'sess', call: 'https://meet.example/x', startedAt: T0 }, [{ meta: { id: 'a#1', name: 'Alice, "Al"', resolutionMs: snap.resolutionMs }, points: snap.points, summary: s }]);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(1 + snap.points.length);
    expect(lines[1]).toContain('"Alice, ""Al"""');
    expect(CSV_COLUMNS.length).toBe(7 + POINT_FIELDS.length - 1 + 4);
    const row = lines[1]!.replace('"Alice, ""Al"""', 'NAME').split(',');
    expect(row).toHaveLength(CSV_COLUMNS.length);
    expect(row[CSV_COLUMNS.indexOf('frames')]).toBe('2');
    expect(row[CSV_COLUMNS.indexOf('summary_label')]).toBe('Happiness');
    expect(row[CSV_COLUMNS.indexOf('time_iso')]).toBe('2026-11-29T10:00:00.000Z');
  });
});
