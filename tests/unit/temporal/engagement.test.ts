import { describe, expect, it } from 'vitest';
import {
  combineEngagement,
  ENGAGEMENT_CONFIG,
  EngagementTracker,
  eyesScore,
  falloff,
  frontalScore,
  headPoseFromMatrix,
  type EngagementComponents,
} from '../../../models/temporal/engagement';
import type { TemporalSample } from '../../../models/temporal/types';

const rad = (deg: number) => (deg * Math.PI) / 180;
type M3 = [[number, number, number], [number, number, number], [number, number, number]];
const rotY = (deg: number): M3 => {
  const c = Math.cos(rad(deg));
  const s = Math.sin(rad(deg));
  return [
    [c, 0, s],
    [0, 1, 0],
    [-s, 0, c],
  ];
};
const rotX = (deg: number): M3 => {
  const c = Math.cos(rad(deg));
  const s = Math.sin(rad(deg));
  return [
    [1, 0, 0],
    [0, c, -s],
    [0, s, c],
  ];
};
const rotZ = (deg: number): M3 => {
  const c = Math.cos(rad(deg));
  const s = Math.sin(rad(deg));
  return [
    [c, -s, 0],
    [s, c, 0],
    [0, 0, 1],
  ];
};
const at = (m: M3, r: number, c: number) => m[r]?.[c] ?? Number.NaN;
const mul = (a: M3, b: M3): M3 =>
  [0, 1, 2].map((r) => [0, 1, 2].map((c) => [0, 1, 2].reduce((s, k) => s + at(a, r, k) * at(b, k, c), 0))) as M3;
/** A 4×4 column-major MediaPipe-style matrix: rotation × scale, plus a translation. */
const matrix = (r: M3, scale = 1, tz = -40): number[] => {
  const m: number[] = [];
  for (let c = 0; c < 3; c++) m.push(at(r, 0, c) * scale, at(r, 1, c) * scale, at(r, 2, c) * scale, 0);
  m.push(1.5, -2, tz, 1);
  return m;
};

describe('head pose from the facial transformation matrix', () => {
  it('reads a known 30° yaw', () => {
    const p = headPoseFromMatrix(matrix(rotY(30)));
    expect(p?.yawDeg).toBeCloseTo(30, 9);
    expect(p?.pitchDeg).toBeCloseTo(0, 9);
    expect(p?.rollDeg).toBeCloseTo(0, 9);
    expect(headPoseFromMatrix(matrix(rotY(-30)))?.yawDeg).toBeCloseTo(-30, 9);
  });

  it('separates yaw, pitch and roll and ignores scale and translation', () => {
    const id = headPoseFromMatrix(matrix(rotY(0)));
    expect(id?.yawDeg).toBeCloseTo(0, 12);
    expect(id?.pitchDeg).toBeCloseTo(0, 12);
    expect(id?.rollDeg).toBeCloseTo(0, 12);
    expect(headPoseFromMatrix(matrix(rotX(20)))?.pitchDeg).toBeCloseTo(20, 9);
    expect(headPoseFromMatrix(matrix(rotZ(15)))?.rollDeg).toBeCloseTo(15, 9);
    const both = headPoseFromMatrix(matrix(mul(rotY(30), rotX(10)), 3.2, -55));
    expect(both?.yawDeg).toBeCloseTo(30, 9);
    expect(both?.pitchDeg).toBeCloseTo(10, 9);
  });

  it('returns null for a malformed matrix', () => {
    expect(headPoseFromMatrix([1, 0, 0])).toBeNull();
    expect(headPoseFromMatrix(new Array<number>(16).fill(0))).toBeNull();
    expect(headPoseFromMatrix(matrix(rotY(10)).map((v, i) => (i === 5 ? Number.NaN : v)))).toBeNull();
  });

  it('frontal: 1 up to 20°, 0 from 45°, linear between, and lower the further the head turns', () => {
    const f = (yawDeg: number, pitchDeg = 0) => frontalScore({ yawDeg, pitchDeg, rollDeg: 0 });
    expect(f(0)).toBe(1);
    expect(f(-20)).toBe(1);
    expect(f(32.5)).toBeCloseTo(0.5, 12);
    expect(f(-45)).toBe(0);
    expect(f(32.5, 32.5)).toBeCloseTo(0.25, 12); // yaw and pitch factors multiply
    let prev = Infinity;
    for (let yaw = 0; yaw <= 60; yaw += 2.5) {
      const v = frontalScore(headPoseFromMatrix(matrix(rotY(yaw))) ?? { yawDeg: NaN, pitchDeg: NaN, rollDeg: 0 });
      expect(v).toBeLessThanOrEqual(prev);
      if (yaw > 20 && yaw <= 45) expect(v).toBeLessThan(prev);
      prev = v;
    }
    expect(falloff(5, { full: 0, zero: 10 })).toBeCloseTo(0.5, 12);
  });
});

describe('eyes open and towards the screen', () => {
  it('hand-computed values', () => {
    expect(eyesScore({})).toBe(1);
    expect(eyesScore({ eyeBlinkLeft: 1, eyeBlinkRight: 1 })).toBe(0);
    expect(eyesScore({ eyeBlinkLeft: 0.5, eyeBlinkRight: 0.6 })).toBeCloseTo(0.5, 12); // blink 0.55 on 0.35→0.75
    expect(eyesScore({ eyeLookOutLeft: 0.55, eyeLookInRight: 0.55 })).toBeCloseTo(0.5, 12); // looking sideways
    expect(eyesScore({ eyeLookInLeft: 0.55, eyeLookOutRight: 0.55 })).toBeCloseTo(0.5, 12); // the other side
    expect(eyesScore({ eyeLookDownLeft: 0.7, eyeLookDownRight: 0.7 })).toBeCloseTo(0.5, 12); // 0.5→0.9
    expect(eyesScore({ eyeLookUpLeft: 0.75, eyeLookUpRight: 0.75 })).toBe(0);
  });

  it('goes down as the eyes close', () => {
    let prev = Infinity;
    for (let b = 0; b <= 1; b += 0.05) {
      const v = eyesScore({ eyeBlinkLeft: b, eyeBlinkRight: b });
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(prev);
      prev = v;
    }
    expect(prev).toBe(0);
  });
});

describe('combineEngagement', () => {
  const full: EngagementComponents = { presence: 0.8, frontal: 1, eyes: 0.5, expressivity: 0, arousal: 0.5 };

  it('presence × weighted mean of the face components (hand-computed)', () => {
    const { frontal, eyes, expressivity, arousal } = ENGAGEMENT_CONFIG.weights;
    const expected = (0.8 * (frontal * 1 + eyes * 0.5 + expressivity * 0 + arousal * 0.5)) / (frontal + eyes + expressivity + arousal);
    expect(combineEngagement(full)).toBeCloseTo(expected, 12);
    expect(combineEngagement({ ...full, eyes: null, expressivity: null, arousal: null })).toBeCloseTo(0.8, 12);
    expect(combineEngagement({ presence: 0.6, frontal: null, eyes: null, expressivity: null, arousal: null })).toBeCloseTo(0.6, 12);
    expect(combineEngagement({ ...full, presence: 0 })).toBe(0);
    expect(combineEngagement({ ...full, presence: null })).toBeNull();
  });

  it('is non-decreasing in every component, strictly where it has weight', () => {
    const keys = ['presence', 'frontal', 'eyes', 'expressivity', 'arousal'] as const;
    const bases: EngagementComponents[] = [
      full,
      { presence: 0.3, frontal: 0.2, eyes: 0.9, expressivity: 0.4, arousal: 0.1 },
      { presence: 1, frontal: 0, eyes: 0, expressivity: 1, arousal: null },
    ];
    for (const base of bases) {
      for (const k of keys) {
        if (base[k] === null) continue;
        let prev = -Infinity;
        for (let v = 0; v <= 1.0001; v += 0.1) {
          const idx = combineEngagement({ ...base, [k]: v }) ?? Number.NaN;
          expect(idx).toBeGreaterThanOrEqual(0);
          expect(idx).toBeLessThanOrEqual(1);
          expect(idx).toBeGreaterThan(prev);
          prev = idx;
        }
      }
    }
  });
});

describe('EngagementTracker', () => {
  const frontalFace = matrix(rotY(0));
  const face = (t: number, over: Partial<TemporalSample> = {}): TemporalSample => ({
    t,
    face: true,
    matrix: frontalFace,
    blendshapes: { eyeBlinkLeft: 0.1, eyeBlinkRight: 0.1 },
    probs: [0, 0, 0, 0, 0.2, 0.8, 0, 0],
    aus: new Array<number>(12).fill(0.1),
    valence: 0,
    arousal: 0,
    ...over,
  });

  it('presence is the share of the window’s samples with a face', () => {
    const tr = new EngagementTracker();
    for (let i = 0; i < 10; i++) tr.push(i % 5 < 2 ? { t: i * 100, face: false } : face(i * 100));
    const r = tr.read();
    expect(r.samples).toBe(10);
    expect(r.components.presence).toBeCloseTo(0.6, 12);
    expect(r.components.frontal).toBe(1);
    expect(r.components.eyes).toBe(1);
    expect(r.components.arousal).toBeCloseTo(0.5, 12);
    expect(r.components.expressivity).toBeCloseTo(0, 6); // the same face every frame
    expect(r.index).toBeCloseTo(combineEngagement(r.components) ?? Number.NaN, 12);
  });

  it('turning the head away lowers the frontal component and the index', () => {
    const tr = new EngagementTracker();
    let t = 0;
    for (; t < 10_000; t += 100) tr.push(face(t));
    const before = tr.read();
    for (const yaw of [25, 35, 45, 60]) {
      const m = matrix(rotY(yaw));
      const end = t + 10_000;
      for (; t < end; t += 100) tr.push(face(t, { matrix: m }));
      const r = tr.read();
      expect(r.headPose?.yawDeg).toBeCloseTo(yaw, 9);
      expect(r.components.frontal).toBeCloseTo(falloff(yaw, ENGAGEMENT_CONFIG.yawDeg), 9);
    }
    const after = tr.read();
    expect(before.components.frontal).toBe(1);
    expect(after.components.frontal).toBeCloseTo(0, 12);
    expect(after.index ?? 1).toBeLessThan(before.index ?? 0);
  });

  it('expressivity rises with changing expressions and AUs, arousal maps [−1, 1] to [0, 1]', () => {
    const still = new EngagementTracker();
    const lively = new EngagementTracker();
    for (let i = 0; i < 100; i++) {
      still.push(face(i * 100, { arousal: -1 }));
      const a = i % 2 ? 0.8 : 0.1;
      lively.push(
        face(i * 100, { arousal: 1, probs: i % 2 ? [0, 0, 0, 0, 0.9, 0.1, 0, 0] : [0, 0, 0, 0, 0.1, 0.9, 0, 0], aus: new Array<number>(12).fill(a) }),
      );
    }
    const s = still.read();
    const l = lively.read();
    expect(s.components.expressivity).toBeCloseTo(0, 6);
    // Probabilities: √(0.4² + 0.4²) ≈ 0.57 ≫ 0.2; AUs: std 0.35 ≫ 0.08. Both capped at 1.
    expect(l.components.expressivity).toBeCloseTo(1, 12);
    expect(s.components.arousal).toBe(0);
    expect(l.components.arousal).toBe(1);
    expect(l.index ?? 0).toBeGreaterThan(s.index ?? 1);
  });

  it('expressivity, hand-computed: spread of the probability vector and mean AU std', () => {
    const tr = new EngagementTracker();
    for (let i = 0; i < 100; i++) {
      const odd = i % 2 === 1;
      tr.push(
        face(i * 100, {
          probs: odd ? [0, 0, 0, 0, 0.3, 0.7, 0, 0] : [0, 0, 0, 0, 0.2, 0.8, 0, 0],
          aus: new Array<number>(12).fill(odd ? 0.14 : 0.1),
        }),
      );
    }
    const probsPart = Math.sqrt(2 * 0.05 ** 2) / ENGAGEMENT_CONFIG.expressivityRef.probsSpread; // ≈ 0.354
    const ausPart = 0.02 / ENGAGEMENT_CONFIG.expressivityRef.ausStd; // 0.25
    expect(tr.read().components.expressivity).toBeCloseTo((probsPart + ausPart) / 2, 9);
  });

  it('closing the eyes lowers the eyes component', () => {
    const open = new EngagementTracker();
    const shut = new EngagementTracker();
    for (let i = 0; i < 50; i++) {
      open.push(face(i * 100));
      shut.push(face(i * 100, { blendshapes: { eyeBlinkLeft: 0.9, eyeBlinkRight: 0.9 } }));
    }
    expect(open.read().components.eyes).toBe(1);
    expect(shut.read().components.eyes).toBe(0);
    expect(shut.read().index ?? 1).toBeLessThan(open.read().index ?? 0);
  });

  it('every component stays in 0..1 on an erratic stream; missing signals are null', () => {
    const tr = new EngagementTracker();
    for (let i = 0; i < 500; i++) {
      const r = (k: number) => Math.abs(Math.sin(i * k));
      tr.push(
        i % 9 === 0
          ? { t: i * 50, face: false }
          : face(i * 50, {
              matrix: matrix(mul(rotY(90 * Math.sin(i)), rotX(40 * Math.cos(i * 1.3)))),
              blendshapes: { eyeBlinkLeft: r(1.1), eyeLookOutLeft: r(0.7), eyeLookInRight: r(0.3), eyeLookDownLeft: r(2.1) },
              arousal: Math.sin(i * 0.77) * 1.5,
              probs: [r(1), r(2), r(3), r(4), r(5), r(6), r(7), r(8)],
              aus: Array.from({ length: 12 }, (_, k) => r(k + 0.5)),
            }),
      );
      const c = tr.read().components;
      if (i === 0) continue; // the first sample has no face: only presence is known
      for (const v of Object.values(c)) {
        expect(v).not.toBeNull();
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
    const bare = new EngagementTracker();
    bare.push({ t: 0, face: true });
    const b = bare.read();
    expect(b.components).toEqual({ presence: 1, frontal: null, eyes: null, expressivity: null, arousal: null });
    expect(b.index).toBe(1);
    expect(new EngagementTracker().read().index).toBeNull();
  });

  it('someone gone for longer than the window reads 0', () => {
    const tr = new EngagementTracker();
    for (let t = 0; t < 5_000; t += 100) tr.push(face(t));
    for (let t = 5_000; t < 25_000; t += 100) tr.push({ t, face: false });
    const r = tr.read();
    expect(r.components.presence).toBe(0);
    expect(r.components.frontal).toBeNull();
    expect(r.headPose).toBeNull();
    expect(r.index).toBe(0);
  });

  it('drops out-of-order samples', () => {
    const tr = new EngagementTracker();
    expect(tr.push(face(1_000))).toBe(true);
    expect(tr.push({ t: 900, face: false })).toBe(false);
    expect(tr.read().components.presence).toBe(1);
  });

  it('a 3-hour stream at 10 fps keeps bounded memory', () => {
    const tr = new EngagementTracker();
    let maxCap = 0;
    for (let i = 0; i < 3 * 3600 * 10; i++) {
      tr.push(i % 17 === 0 ? { t: i * 100, face: false } : face(i * 100));
      if (i % 1000 === 0) maxCap = Math.max(maxCap, tr.capacity);
    }
    // Six windows of 10 s at 10 fps: ≤ 100 samples each, ring buffers of 128 slots.
    expect(tr.size).toBeLessThanOrEqual(6 * 100);
    expect(maxCap).toBeLessThanOrEqual(6 * 128);
  });
});
