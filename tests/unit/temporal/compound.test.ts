import { describe, expect, it } from 'vitest';
import { argmax, COMPOUND_CLASSES, COMPOUND_PAIRS, compoundLabel, compoundProbs, pronouncedCompound } from '../../../models/temporal/compound';
import { CausalAffectFilter, centredSmooth, TrailingWindow } from '../../../models/temporal/smoothing';
import { AFFECTNET_CLASSES, type AffectClass } from '../../../models/temporal/types';

const probs = (entries: Partial<Record<AffectClass, number>>) => AFFECTNET_CLASSES.map((c) => entries[c] ?? 0);

describe('compound expressions (ABAW C-EXPR)', () => {
  it('lists the seven classes in ABAW order with their pairs', () => {
    expect(COMPOUND_CLASSES).toEqual([
      'Fearfully Surprised',
      'Happily Surprised',
      'Sadly Surprised',
      'Disgustedly Surprised',
      'Angrily Surprised',
      'Sadly Fearful',
      'Sadly Angry',
    ]);
    expect(COMPOUND_PAIRS['Sadly Angry']).toEqual(['Sadness', 'Anger']);
    expect(COMPOUND_PAIRS['Disgustedly Surprised']).toEqual(['Disgust', 'Surprise']);
  });

  it('each score is the arithmetic mean of its two basic probabilities (hand-computed)', () => {
    const p = probs({ Anger: 0.1, Contempt: 0.05, Disgust: 0.15, Fear: 0.2, Happiness: 0.05, Neutral: 0.1, Sadness: 0.05, Surprise: 0.3 });
    const expected = [0.25, 0.175, 0.175, 0.225, 0.2, 0.125, 0.075];
    const got = compoundProbs(p);
    expect(got).toHaveLength(7);
    expected.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 12));
    expect(compoundLabel(p)).toBe('Fearfully Surprised');
  });

  it('puts each score in its own slot: one-hot Surprise feeds exactly the five “Surprised” classes', () => {
    expect(compoundProbs(probs({ Surprise: 1 }))).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0, 0]);
    expect(compoundProbs(probs({ Sadness: 1 }))).toEqual([0, 0, 0.5, 0, 0, 0.5, 0.5]);
    expect(compoundProbs(probs({ Neutral: 1 }))).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(compoundProbs(probs({ Contempt: 1 }))).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('every class wins when its two expressions share the probability', () => {
    for (const c of COMPOUND_CLASSES) {
      const [a, b] = COMPOUND_PAIRS[c];
      expect(compoundLabel(probs({ [a]: 0.5, [b]: 0.5 }))).toBe(c);
    }
  });

  it('uses the arithmetic, not the geometric mean', () => {
    // Geometric mean of (0.8, 0) is 0; the arithmetic mean keeps 0.4.
    expect(compoundProbs(probs({ Happiness: 0.8, Neutral: 0.2 }))[1]).toBeCloseTo(0.4, 12);
  });

  it('rejects a vector of the wrong length', () => {
    expect(() => compoundProbs([0.5, 0.5])).toThrow(RangeError);
  });

  it('argmax takes the first of equal maxima and is −1 for nothing', () => {
    expect(argmax([0.2, 0.5, 0.5, 0.1])).toBe(1);
    expect(argmax([])).toBe(-1);
  });
});

describe('compound expressions over time', () => {
  const frames = Array.from({ length: 40 }, (_, i) => {
    const s = Math.abs(Math.sin(i * 0.7));
    return probs({ Fear: 0.5 * s, Surprise: 0.3, Sadness: 0.2 * (1 - s), Neutral: 0.2 + 0.5 * (1 - s) - 0.2 * (1 - s) });
  });

  it('smoothing the compound scores equals the compound of the smoothed probabilities (centred)', () => {
    const ofSmoothed = centredSmooth(frames, 5).map(compoundProbs);
    const smoothedOf = centredSmooth(frames.map(compoundProbs), 5);
    ofSmoothed.forEach((row, i) => row.forEach((v, d) => expect(smoothedOf[i]?.[d]).toBeCloseTo(v, 12)));
  });

  it('the live filter’s compounds equal a trailing window over per-frame compounds', () => {
    const f = new CausalAffectFilter({ expressionWindowMs: 700, vaWindowMs: 300 });
    const w = new TrailingWindow(7, 700);
    frames.forEach((p, i) => {
      f.push({ t: i * 100, face: true, probs: p });
      w.push(i * 100, compoundProbs(p));
      const live = f.read().compound ?? [];
      const direct = w.mean() ?? [];
      direct.forEach((v, d) => expect(live[d]).toBeCloseTo(v, 12));
    });
  });

  it('a one-frame compound spike does not change the smoothed compound label', () => {
    const f = new CausalAffectFilter({ expressionWindowMs: 1_000, vaWindowMs: 1_000 });
    const happySurprise = probs({ Happiness: 0.4, Surprise: 0.3, Neutral: 0.3 });
    const fearSpike = probs({ Fear: 0.6, Surprise: 0.3, Neutral: 0.1 });
    const labels: string[] = [];
    for (let i = 0; i < 30; i++) {
      const p = i === 15 ? fearSpike : happySurprise;
      f.push({ t: i * 100, face: true, probs: p });
      labels.push(f.read().compoundLabel ?? '');
    }
    expect(compoundLabel(fearSpike)).toBe('Fearfully Surprised');
    expect(new Set(labels)).toEqual(new Set(['Happily Surprised']));
  });
});

describe('pronounced compounds (what the overlay, side panel and summary name)', () => {
  it('needs both basic expressions, not one strong one', () => {
    // AffectNet order: Anger, Contempt, Disgust, Fear, Happiness, Neutral, Sadness, Surprise
    expect(pronouncedCompound([0, 0, 0, 0, 0.9, 0.1, 0, 0])).toBeNull(); // a smile alone scores 0.45
    expect(pronouncedCompound([0, 0, 0, 0, 0.5, 0, 0, 0.4])?.label).toBe('Happily Surprised');
    expect(pronouncedCompound([0, 0, 0, 0.3, 0, 0.2, 0.45, 0.05])?.label).toBe('Sadly Fearful');
    expect(pronouncedCompound([0, 0, 0, 0.05, 0, 0.9, 0.05, 0])).toBeNull(); // below the score
  });
});
