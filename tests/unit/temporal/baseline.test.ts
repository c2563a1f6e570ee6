import { describe, expect, it } from 'vitest';
import { BASELINE_CONFIG, PersonalBaseline, SlidingQuantiles } from '../../../models/temporal/baseline';
import { AU_NAMES, type TemporalSample } from '../../../models/temporal/types';

const AU12 = AU_NAMES.indexOf('AU12');
/** Deterministic noise in [−1, 1]. */
const noise = (i: number) => Math.sin(i * 12.9898) * 0.5 + Math.sin(i * 78.233) * 0.5;

function auSample(t: number, au12: number, face = true): TemporalSample {
  const aus = new Array<number>(12).fill(0.05);
  aus[AU12] = au12;
  return { t, face, aus };
}

describe('SlidingQuantiles', () => {
  it('median, quantiles and MAD, hand-computed', () => {
    const q = new SlidingQuantiles(10);
    [5, 1, 4, 2, 3].forEach((x) => q.push(x));
    expect(q.quantile(0.5)).toBe(3);
    expect(q.mad()).toBe(1); // |x − 3| = 2, 2, 1, 1, 0
    q.push(10);
    expect(q.quantile(0.5)).toBe(3.5);
    expect(q.quantile(0.25)).toBe(2.25); // 1, 2, 3, 4, 5, 10 at position 1.25
    expect(q.mad()).toBe(1.5); // |x − 3.5| = 0.5, 0.5, 1.5, 1.5, 2.5, 6.5
  });

  it('slides: the oldest value leaves', () => {
    const q = new SlidingQuantiles(3);
    [1, 2, 3, 10].forEach((x) => q.push(x));
    expect(q.length).toBe(3);
    expect(q.quantile(0)).toBe(2);
    expect(q.quantile(0.5)).toBe(3);
    expect(q.quantile(1)).toBe(10);
  });

  it('matches a brute-force median/MAD on a long noisy stream', () => {
    const q = new SlidingQuantiles(51);
    const all: number[] = [];
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
    };
    for (let i = 0; i < 700; i++) {
      const x = Math.round(noise(i) * 20) / 10; // many ties
      q.push(x);
      all.push(x);
      if (i % 37 === 0 || i > 690) {
        const win = all.slice(-51);
        const m = median(win);
        expect(q.quantile(0.5)).toBeCloseTo(m, 12);
        expect(q.mad()).toBeCloseTo(median(win.map((v) => Math.abs(v - m))), 12);
      }
    }
  });
});

describe('PersonalBaseline', () => {
  it('forms after enough samples over enough time, sampled at most every 200 ms', () => {
    const b = new PersonalBaseline();
    let formedAt = -1;
    for (let t = 0; t <= 8_000; t += 100) {
      b.push(auSample(t, 0.3));
      b.push({ t: t + 50, face: false }); // frames without a face are ignored
      if (formedAt < 0 && b.formed('aus')) formedAt = t;
    }
    // 25 samples at 0, 200, …, 4 800 span only 4.8 s; the 26th, at 5 000 ms, forms it.
    expect(formedAt).toBe(5_000);
    expect(b.progress('aus').samples).toBe(41);
    expect(b.formed('expression')).toBe(false); // no probabilities seen
    expect(BASELINE_CONFIG.formAfterSamples).toBe(25);
  });

  it('reads nothing active before it has formed', () => {
    const b = new PersonalBaseline();
    for (let t = 0; t < 2_000; t += 100) b.push(auSample(t, 0));
    const r = b.readAu('AU12', 0.9);
    expect(r?.formed).toBe(false);
    expect(r?.active).toBe(false);
    expect(new PersonalBaseline().readAu('AU12', 0.5)).toBeNull();
  });

  it('neutral AU12 0.5 then a smile to 0.9 reads as smiling; staying at 0.5 does not', () => {
    const smiler = new PersonalBaseline();
    const steady = new PersonalBaseline();
    for (let i = 0; i < 300; i++) {
      const v = 0.5 + 0.01 * noise(i); // 30 s of their neutral face
      smiler.push(auSample(i * 100, v));
      steady.push(auSample(i * 100, v));
    }
    const smile = smiler.readAu('AU12', 0.9);
    expect(smile?.formed).toBe(true);
    expect(smile?.baseline).toBeCloseTo(0.5, 1);
    expect(smile?.active).toBe(true);
    expect(smile?.ratio).toBeCloseTo(0.8, 1);
    for (let i = 300; i < 400; i++) {
      const r = steady.readAu('AU12', 0.5 + 0.01 * noise(i));
      steady.push(auSample(i * 100, 0.5 + 0.01 * noise(i)));
      expect(r?.active).toBe(false);
      expect(r?.ratio ?? 1).toBeLessThan(0.05);
    }
  });

  it('a resting mouthSmile of 0.52 is not a smile; a 0.04 smile over a neutral 0.00 is', () => {
    const highRest = new PersonalBaseline();
    const flatRest = new PersonalBaseline();
    for (let i = 0; i < 200; i++) {
      highRest.push(auSample(i * 100, 0.52 + 0.02 * noise(i)));
      flatRest.push(auSample(i * 100, Math.max(0, 0.002 * noise(i))));
    }
    // An absolute AU12 threshold (0.4 in models/aus.ts) gets both wrong; the baseline gets both right.
    expect(highRest.readAu('AU12', 0.53)?.active).toBe(false);
    expect(flatRest.readAu('AU12', 0.04)?.active).toBe(true);
    expect(flatRest.readAu('AU12', 0.04)?.z ?? 0).toBeGreaterThan(BASELINE_CONFIG.zThreshold);
    expect(flatRest.readAu('AU12', 0.01)?.active).toBe(false); // within minDelta of rest
  });

  it('survives expressions in less than half of the window (robust, unlike a mean)', () => {
    const b = new PersonalBaseline();
    for (let i = 0; i < 600; i++) {
      // 40 % of the time smiling at 0.9, otherwise resting at 0.1.
      b.push(auSample(i * 100, i % 10 < 4 ? 0.9 : 0.1));
    }
    const r = b.readAu('AU12', 0.9);
    expect(r?.baseline).toBeCloseTo(0.1, 12);
    expect(r?.active).toBe(true);
    expect(b.readAu('AU12', 0.1)?.active).toBe(false);
  });

  it('reads expression scores relative to the person’s own rest', () => {
    // A face the model reads as sad at rest: Sadness 0.5, Neutral 0.4.
    const rest = [0.02, 0.02, 0.02, 0.02, 0.02, 0.4, 0.5, 0];
    const b = new PersonalBaseline();
    for (let i = 0; i < 100; i++) {
      const j = 0.01 * noise(i);
      b.push({ t: i * 200, face: true, probs: rest.map((p, k) => (k === 5 ? p + j : k === 6 ? p - j : p)) });
    }
    expect(b.formed('expression')).toBe(true);
    expect(b.relativeLabel(rest)).toBe('Neutral'); // absolute argmax would say Sadness
    expect(b.relativeLabel([0.02, 0.02, 0.02, 0.02, 0.5, 0.1, 0.32, 0])).toBe('Happiness');
    expect(b.readExpression('Sadness', 0.5)?.active).toBe(false);
    expect(new PersonalBaseline().relativeLabel(rest)).toBeNull();
  });

  it('keeps a bounded window and forgets an old resting level', () => {
    const b = new PersonalBaseline({ ...BASELINE_CONFIG, windowSize: 100 });
    for (let i = 0; i < 5_000; i++) b.push(auSample(i * 200, i < 2_500 ? 0.4 : 0.1));
    expect(b.readAu('AU12', 0.1)?.baseline).toBeCloseTo(0.1, 12);
    expect(b.progress('aus').samples).toBe(5_000);
    const readings = b.readAus(new Array<number>(12).fill(0.05));
    expect(readings).toHaveLength(12);
    expect(readings[0]?.baseline).toBeCloseTo(0.05, 12);
  });

  it('ignores malformed input and restarts its rate limit when the clock restarts', () => {
    const b = new PersonalBaseline();
    expect(b.push({ t: 0, face: true, aus: [0.1] })).toBe(false);
    expect(b.push({ t: 0, face: true, aus: new Array<number>(12).fill(Number.NaN) })).toBe(false);
    expect(b.push(auSample(1_000, 0.2))).toBe(true);
    expect(b.push(auSample(1_100, 0.2))).toBe(false); // within 200 ms
    expect(b.push(auSample(10, 0.2))).toBe(true); // clock went back: new capture clock
    b.reset();
    expect(b.progress('aus')).toEqual({ samples: 0, spanMs: 0, formed: false });
  });
});
