import { describe, expect, it } from 'vitest';
import {
  CausalAffectFilter,
  centredSmooth,
  centredSmoothTimed,
  defaultWindows,
  interpolateGaps,
  PAPER_SIGMA,
  summariseTimeline,
  TrailingWindow,
} from '../../../models/temporal/smoothing';
import { AFFECTNET_CLASSES, type AffectClass, type TemporalSample } from '../../../models/temporal/types';

/** Probabilities with `main` at `p` and the rest spread evenly. */
function probsOf(main: AffectClass, p: number, second?: AffectClass, q = 0): number[] {
  const rest = (1 - p - q) / (AFFECTNET_CLASSES.length - (second ? 2 : 1));
  return AFFECTNET_CLASSES.map((c) => (c === main ? p : c === second ? q : rest));
}

const changes = (labels: readonly (string | null)[]) => labels.reduce((n, l, i) => (i > 0 && l !== labels[i - 1] ? n + 1 : n), 0);

describe('defaultWindows', () => {
  it('keeps the paper’s 2Δ+1 samples at the analysed rate', () => {
    const w = defaultWindows(10);
    expect(w.expressionWindowMs).toBeCloseTo(10_100, 9); // 101 samples at 10 fps
    expect(w.vaWindowMs).toBeCloseTo(2_100, 9); // 21 samples
    expect(w.expressionHalfWindowMs).toBeCloseTo(5_000, 9);
    expect(w.vaHalfWindowMs).toBeCloseTo(1_000, 9);
    expect(w.expressionLagMs).toBeCloseTo(5_000, 9);
    expect(w.sigmaMs2).toBeCloseTo(PAPER_SIGMA * 100 * 100, 0);
    expect(defaultWindows(30).expressionWindowMs).toBeCloseTo(3_366.667, 2);
  });

  it('rejects a meaningless rate', () => {
    expect(() => defaultWindows(0)).toThrow(RangeError);
    expect(() => defaultWindows(Number.NaN)).toThrow(RangeError);
  });

  it('holds exactly 2Δ+1 samples and reports lag Δ/fps once full', () => {
    const w = defaultWindows(10);
    const f = new CausalAffectFilter(w);
    for (let i = 0; i < 300; i++) f.push({ t: i * 100, face: true, probs: probsOf('Neutral', 0.6), valence: 0, arousal: 0 });
    const r = f.read();
    expect(r.samples).toEqual({ expression: 101, va: 21 });
    expect(r.lagMs.expression).toBeCloseTo(5_000, 6);
    expect(r.lagMs.va).toBeCloseTo(1_000, 6);
  });
});

describe('TrailingWindow', () => {
  it('box mean and lag over a time window, hand-computed', () => {
    const w = new TrailingWindow(1, 300);
    w.push(0, [1]);
    w.push(100, [2]);
    w.push(200, [3]);
    expect(w.mean()?.[0]).toBeCloseTo(2, 12);
    expect(w.lagMs()).toBeCloseTo(100, 12); // 200 − mean(0, 100, 200)
    w.push(300, [7]); // t = 0 is now 300 ms old: out
    expect(w.size).toBe(3);
    expect(w.mean()?.[0]).toBeCloseTo(4, 12); // (2 + 3 + 7) / 3
    expect(w.lagMs()).toBeCloseTo(100, 12);
    w.advance(450); // t = 100 leaves; the clock moves on without a sample
    expect(w.mean()?.[0]).toBeCloseTo(5, 12);
    expect(w.lagMs()).toBeCloseTo(200, 12); // 450 − mean(200, 300)
    w.advance(10_000);
    expect(w.mean()).toBeNull();
    expect(w.lagMs()).toBeNull();
  });

  it('Gaussian weights exp(−Δt²/σ) relative to the latest time', () => {
    const w = new TrailingWindow(1, 1000, { kind: 'gaussian', sigma: 10_000 });
    w.push(0, [0]);
    w.push(100, [1]);
    const e = Math.exp(-1); // weight of the sample 100 ms old: exp(−100²/10⁴)
    expect(w.mean()?.[0]).toBeCloseTo(1 / (1 + e), 12);
    expect(w.lagMs()).toBeCloseTo((100 * e) / (1 + e), 12);
    w.advance(200); // both get older: weights exp(−4) and exp(−1)
    const a = Math.exp(-4);
    expect(w.mean()?.[0]).toBeCloseTo(e / (a + e), 12);
  });

  it('a Gaussian with very large σ is the box mean', () => {
    const box = new TrailingWindow(2, 1000);
    const gauss = new TrailingWindow(2, 1000, { kind: 'gaussian', sigma: 1e15 });
    for (let i = 0; i < 20; i++) {
      const v = [Math.sin(i), Math.cos(3 * i)];
      box.push(i * 70, v);
      gauss.push(i * 70, v);
    }
    const b = box.mean() ?? [];
    const g = gauss.mean() ?? [];
    expect(g[0]).toBeCloseTo(b[0] ?? Number.NaN, 9);
    expect(g[1]).toBeCloseTo(b[1] ?? Number.NaN, 9);
    expect(gauss.lagMs()).toBeCloseTo(box.lagMs() ?? Number.NaN, 6);
  });

  it('never holds more than maxSamples, whatever the rate', () => {
    const w = new TrailingWindow(1, 10_000, undefined, 16);
    for (let i = 0; i < 100; i++) w.push(i, [i]);
    expect(w.size).toBe(16);
    expect(w.capacity).toBe(16);
    expect(w.overflowed).toBe(84);
    expect(w.mean()?.[0]).toBeCloseTo((84 + 99) / 2, 12); // the newest 16
  });

  it('shrinking the window applies at once', () => {
    const w = new TrailingWindow(1, 1000);
    for (let i = 0; i <= 9; i++) w.push(i * 100, [i]);
    expect(w.size).toBe(10);
    w.windowMs = 250; // keeps ages 0, 100, 200
    expect(w.size).toBe(3);
    expect(w.mean()?.[0]).toBeCloseTo(8, 12);
  });
});

describe('CausalAffectFilter', () => {
  const windows = { expressionWindowMs: 500, vaWindowMs: 300 };

  it('skips frames without a face instead of averaging zeros, and empties after a long absence', () => {
    const f = new CausalAffectFilter(windows);
    const p = probsOf('Happiness', 0.8);
    f.push({ t: 0, face: true, probs: p });
    f.push({ t: 100, face: true, probs: p });
    f.push({ t: 200, face: false });
    f.push({ t: 300, face: false });
    const r = f.read();
    expect(r.samples.expression).toBe(2);
    r.probs?.forEach((v, i) => expect(v).toBeCloseTo(p[i] ?? Number.NaN, 12));
    expect(r.label).toBe('Happiness');
    expect(r.lagMs.expression).toBeCloseTo(250, 12); // 300 − mean(0, 100)
    expect(r.t).toBe(300);
    f.push({ t: 5_000, face: false });
    const gone = f.read();
    expect(gone.probs).toBeNull();
    expect(gone.label).toBeNull();
    expect(gone.compound).toBeNull();
  });

  it('smooths expression and V/A over their own windows', () => {
    const f = new CausalAffectFilter(windows);
    const vals = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    vals.forEach((v, i) => f.push({ t: i * 100, face: true, probs: probsOf('Neutral', v), valence: v, arousal: -v }));
    const r = f.read();
    expect(r.samples).toEqual({ expression: 5, va: 3 }); // ages < 500 ms and < 300 ms
    expect(r.probs?.[AFFECTNET_CLASSES.indexOf('Neutral')]).toBeCloseTo((0.2 + 0.3 + 0.4 + 0.5 + 0.6) / 5, 12);
    expect(r.valence).toBeCloseTo(0.5, 12); // mean(0.4, 0.5, 0.6)
    expect(r.arousal).toBeCloseTo(-0.5, 12);
    expect(r.lagMs.va).toBeCloseTo(100, 12);
    expect(r.lagMs.expression).toBeCloseTo(200, 12);
  });

  it('passes AUs through unsmoothed', () => {
    const f = new CausalAffectFilter(windows);
    const a1 = Array.from({ length: 12 }, () => 0.1);
    const a2 = Array.from({ length: 12 }, (_, i) => i / 12);
    f.push({ t: 0, face: true, aus: a1 });
    f.push({ t: 100, face: true, aus: a2 });
    expect(f.read().aus).toEqual(a2);
    f.push({ t: 200, face: false });
    expect(f.read().aus).toBeNull();
  });

  it('averages probabilities, not labels', () => {
    // Three frames barely Anger, two strongly Sadness: a vote of labels says Anger, the mean of
    // the probabilities says Sadness.
    const f = new CausalAffectFilter({ expressionWindowMs: 10_000, vaWindowMs: 10_000 });
    const weakAnger = probsOf('Anger', 0.4, 'Sadness', 0.35);
    const strongSad = probsOf('Sadness', 0.9, 'Anger', 0.05);
    [weakAnger, weakAnger, weakAnger, strongSad, strongSad].forEach((p, i) => f.push({ t: i * 100, face: true, probs: p }));
    const r = f.read();
    expect(r.label).toBe('Sadness');
    expect(r.probs?.[AFFECTNET_CLASSES.indexOf('Sadness')]).toBeCloseTo((3 * 0.35 + 2 * 0.9) / 5, 12);
  });

  it('removes single-frame flicker but follows a real change after half the window', () => {
    const f = new CausalAffectFilter({ expressionWindowMs: 2_100, vaWindowMs: 2_100 }); // 21 samples at 10 fps
    const raw: AffectClass[] = [];
    const smoothed: (AffectClass | null)[] = [];
    for (let i = 0; i < 200; i++) {
      // Neutral with a one-frame Surprise blip every 7th frame, then Happiness from frame 100 on.
      const p =
        i < 100 ? (i % 7 === 3 ? probsOf('Surprise', 0.6, 'Neutral', 0.3) : probsOf('Neutral', 0.7, 'Surprise', 0.1)) : probsOf('Happiness', 0.7, 'Neutral', 0.1);
      raw.push(AFFECTNET_CLASSES[p.indexOf(Math.max(...p))] ?? 'Neutral');
      f.push({ t: i * 100, face: true, probs: p });
      smoothed.push(f.read().label);
    }
    expect(changes(raw)).toBeGreaterThanOrEqual(28);
    expect(changes(smoothed)).toBe(1);
    // Happiness wins once 11 of the 21 samples are Happiness: frame 110.
    expect(smoothed[109]).toBe('Neutral');
    expect(smoothed[110]).toBe('Happiness');
  });

  it('drops out-of-order frames and resets on a clock that restarted', () => {
    const f = new CausalAffectFilter(windows);
    expect(f.push({ t: 1_000, face: true, probs: probsOf('Neutral', 0.5) })).toBe(true);
    expect(f.push({ t: 950, face: true, probs: probsOf('Anger', 0.9) })).toBe(false);
    expect(f.dropped).toBe(1);
    expect(f.read().label).toBe('Neutral');
    expect(f.push({ t: Number.NaN, face: true })).toBe(false);
    // 990 ms back is within the 2 s reset threshold: still an out-of-order frame.
    expect(f.push({ t: 10, face: true, probs: probsOf('Anger', 0.9) })).toBe(false);
    expect(f.dropped).toBe(3);
    expect(f.resets).toBe(0);
    expect(f.read().samples.expression).toBe(1);
  });

  it('treats a large backward jump as a restarted capture clock', () => {
    const f = new CausalAffectFilter(windows);
    f.push({ t: 100_000, face: true, probs: probsOf('Neutral', 0.5) });
    expect(f.push({ t: 5, face: true, probs: probsOf('Anger', 0.9) })).toBe(true);
    expect(f.resets).toBe(1);
    expect(f.read().label).toBe('Anger');
    expect(f.read().samples.expression).toBe(1);
  });

  it('ignores malformed probabilities and V/A without dropping the frame', () => {
    const f = new CausalAffectFilter(windows);
    f.push({ t: 0, face: true, probs: [0.5, 0.5], valence: Number.NaN, arousal: 0 });
    f.push({ t: 100, face: true, probs: probsOf('Fear', 0.9), valence: 0.2, arousal: 0.4 });
    const r = f.read();
    expect(r.samples).toEqual({ expression: 1, va: 1 });
    expect(r.label).toBe('Fear');
  });

  it('a 3-hour stream at 10 fps keeps its windows at their size (O(1), bounded memory)', () => {
    const w = defaultWindows(10);
    const f = new CausalAffectFilter(w);
    const n = 3 * 3600 * 10;
    let maxSamples = 0;
    let maxCapacity = 0;
    const lastNeutral: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = probsOf('Neutral', 0.3 + 0.6 * Math.abs(Math.sin(i * 0.37)));
      // One minute in every ten the face is gone (not the last one, compared below).
      const face = Math.floor(i / 600) % 10 !== 4;
      f.push({ t: i * 100, face, probs: p, valence: Math.sin(i), arousal: Math.cos(i) });
      const m = f.memory;
      maxSamples = Math.max(maxSamples, m.samples);
      maxCapacity = Math.max(maxCapacity, m.capacity);
      if (i >= n - 101) lastNeutral.push(p[AFFECTNET_CLASSES.indexOf('Neutral')] ?? 0);
    }
    expect(maxSamples).toBe(101 + 21);
    expect(maxCapacity).toBeLessThanOrEqual(128 + 64); // ring buffers grown by doubling from 64
    // Running sums over 108 000 samples have not drifted from the direct mean of the last 101.
    const direct = lastNeutral.reduce((a, b) => a + b, 0) / lastNeutral.length;
    expect(f.read().probs?.[AFFECTNET_CLASSES.indexOf('Neutral')]).toBeCloseTo(direct, 12);
  });
});

describe('interpolateGaps', () => {
  it('fills gaps linearly and copies at the ends', () => {
    const t = [0, 100, 200, 300, 400, 500];
    const out = interpolateGaps(t, [null, [1, 0], null, undefined, [4, 3], null]);
    expect(out).not.toBeNull();
    const expected = [
      [1, 0],
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 3],
      [4, 3],
    ];
    out?.forEach((row, i) => row.forEach((v, d) => expect(v).toBeCloseTo(expected[i]?.[d] ?? Number.NaN, 12)));
  });

  it('interpolates in time, not in index', () => {
    const out = interpolateGaps([0, 100, 400], [[0], null, [3]]);
    expect(out?.[1]?.[0]).toBeCloseTo(0.75, 12);
  });

  it('returns null without any detection and rejects mismatched lengths', () => {
    expect(interpolateGaps([0, 1], [null, null])).toBeNull();
    expect(() => interpolateGaps([0], [[1], [2]])).toThrow(RangeError);
  });
});

describe('centred filter', () => {
  const ramp = [[0], [3], [6], [9], [12]];

  it('box ±Δ in samples, clipped at the ends', () => {
    const out = centredSmooth(ramp, 1).map((r) => r[0]);
    [1.5, 3, 6, 9, 10.5].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 12));
    expect(centredSmooth(ramp, 0)).toEqual(ramp);
  });

  it('Gaussian ±Δ with weights exp(−(j−i)²/σ)', () => {
    const e = Math.exp(-1);
    const out = centredSmooth(ramp, 1, { kind: 'gaussian', sigma: 1 }).map((r) => r[0]);
    expect(out[0]).toBeCloseTo((3 * e) / (1 + e), 12);
    expect(out[2]).toBeCloseTo(6, 12);
    expect(out[4]).toBeCloseTo((9 * e + 12) / (1 + e), 12);
  });

  it('the paper’s σ = 1e5 with Δ = 50 is practically the box filter', () => {
    const values = Array.from({ length: 300 }, (_, i) => [Math.sin(i * 0.3), (i % 11) / 10]);
    const box = centredSmooth(values, 50);
    const paper = centredSmooth(values, 50, { kind: 'gaussian', sigma: PAPER_SIGMA });
    let maxDiff = 0;
    box.forEach((r, i) => r.forEach((v, d) => (maxDiff = Math.max(maxDiff, Math.abs(v - (paper[i]?.[d] ?? 0))))));
    expect(maxDiff).toBeLessThan(5e-3);
    expect(maxDiff).toBeGreaterThan(0);
  });

  it('time-based variant with an uneven rate', () => {
    const out = centredSmoothTimed([0, 100, 200, 400], [[0], [1], [2], [3]], 100).map((r) => r[0]);
    [0.5, 1, 1.5, 3].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 12));
    const g = centredSmoothTimed([0, 100], [[0], [1]], 100, { kind: 'gaussian', sigma: 10_000 }).map((r) => r[0]);
    expect(g[0]).toBeCloseTo(Math.exp(-1) / (1 + Math.exp(-1)), 12);
    expect(() => centredSmoothTimed([1, 0], [[0], [1]], 10)).toThrow(RangeError);
  });

  it('time-based at a uniform rate equals the sample-based filter', () => {
    const values = Array.from({ length: 120 }, (_, i) => [Math.cos(i * 0.2)]);
    const t = values.map((_, i) => i * 100);
    const a = centredSmooth(values, 10);
    const b = centredSmoothTimed(t, values, 1000);
    a.forEach((r, i) => expect(b[i]?.[0]).toBeCloseTo(r[0] ?? Number.NaN, 12));
  });
});

describe('summariseTimeline', () => {
  const N = AFFECTNET_CLASSES.indexOf('Neutral');
  const H = AFFECTNET_CLASSES.indexOf('Happiness');
  const only = (pairs: [number, number][]) => {
    const p = new Array<number>(8).fill(0);
    for (const [i, v] of pairs) p[i] = v;
    return p;
  };

  it('interpolates the gap, smooths ±Δ, then takes the argmax', () => {
    const samples: TemporalSample[] = [
      { t: 0, face: true, probs: only([[N, 1]]), valence: 0, arousal: 0 },
      { t: 100, face: false },
      { t: 200, face: true, probs: only([[H, 0.9], [N, 0.1]]), valence: 0.6, arousal: 0.3 },
      { t: 300, face: true, probs: only([[N, 1]]), valence: 0, arousal: 0 },
      { t: 400, face: true, probs: only([[N, 1]]), valence: 0, arousal: 0 },
    ];
    // Delivered out of order: the summary sorts by time.
    const s = summariseTimeline([samples[0], samples[3], samples[1], samples[2], samples[4]] as TemporalSample[], {
      unit: 'samples',
      expressionDelta: 1,
      vaDelta: 1,
    });
    expect(s.t).toEqual([0, 100, 200, 300, 400]);
    expect(s.face).toEqual([true, false, true, true, true]);
    expect(s.rawLabels).toEqual(['Neutral', null, 'Happiness', 'Neutral', 'Neutral']);
    // Frame 1 is interpolated to N 0.55 / H 0.45; then ±1 box means:
    const expectedN = [(1 + 0.55) / 2, (1 + 0.55 + 0.1) / 3, (0.55 + 0.1 + 1) / 3, (0.1 + 1 + 1) / 3, 1];
    expectedN.forEach((v, i) => expect(s.probs?.[i]?.[N]).toBeCloseTo(v, 12));
    expect(s.probs?.[2]?.[H]).toBeCloseTo((0.45 + 0.9 + 0) / 3, 12);
    expect(s.labels).toEqual(['Neutral', 'Neutral', 'Neutral', 'Neutral', 'Neutral']);
    // Valence: frame 1 interpolated to 0.3.
    expect(s.valence?.[1]).toBeCloseTo((0 + 0.3 + 0.6) / 3, 12);
    expect(s.arousal?.[4]).toBeCloseTo(0, 12);
    expect(s.compound?.[0]).toHaveLength(7);
    expect(s.compoundLabels).toHaveLength(5);
  });

  it('flickering raw labels become one stable label over a long timeline', () => {
    const samples: TemporalSample[] = Array.from({ length: 600 }, (_, i) => ({
      t: i * 33,
      face: i % 50 !== 7, // occasional lost detections
      probs: i % 5 === 0 ? probsOf('Sadness', 0.5, 'Neutral', 0.4) : probsOf('Neutral', 0.55, 'Sadness', 0.3),
    }));
    const s = summariseTimeline(samples);
    expect(changes(s.rawLabels.filter((l) => l !== null))).toBeGreaterThan(100);
    expect(new Set(s.labels)).toEqual(new Set(['Neutral']));
  });

  it('the ms variant equals the sample variant at a uniform rate', () => {
    const w = defaultWindows(10);
    const samples: TemporalSample[] = Array.from({ length: 300 }, (_, i) => ({
      t: i * 100,
      face: i % 13 !== 0,
      probs: probsOf(i % 3 === 0 ? 'Fear' : 'Surprise', 0.5 + 0.1 * Math.sin(i)),
      valence: Math.sin(i / 10),
      arousal: Math.cos(i / 10),
    }));
    const a = summariseTimeline(samples);
    const b = summariseTimeline(samples, { unit: 'ms', expressionHalfWindowMs: w.expressionHalfWindowMs, vaHalfWindowMs: w.vaHalfWindowMs });
    a.probs?.forEach((row, i) => row.forEach((v, d) => expect(b.probs?.[i]?.[d]).toBeCloseTo(v, 9)));
    a.valence?.forEach((v, i) => expect(b.valence?.[i]).toBeCloseTo(v, 9));
    expect(b.labels).toEqual(a.labels);
  });

  it('a timeline without any face has no smoothed values', () => {
    const s = summariseTimeline([{ t: 0, face: false }, { t: 100, face: false }]);
    expect(s.probs).toBeNull();
    expect(s.labels).toBeNull();
    expect(s.valence).toBeNull();
    expect(s.rawLabels).toEqual([null, null]);
  });
});
