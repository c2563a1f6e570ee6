/**
 * Model output → {@link AffectResult}: softmax over the expression logits only, classes mapped onto
 * AffectNet's 8, valence/arousal clamped (HSEmotion) or estimated from the expression (7-class models).
 */
import { AFFECTNET_CLASSES, type AffectBackendSpec, type AffectClass, type AffectResult } from './types';

/** Numerically stable softmax of `values[start .. start+count)`. */
export function softmax(values: ArrayLike<number>, start = 0, count = values.length - start): number[] {
  let max = -Infinity;
  for (let i = 0; i < count; i++) max = Math.max(max, values[start + i] as number);
  const exps: number[] = [];
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const e = Math.exp((values[start + i] as number) - max);
    exps.push(e);
    sum += e;
  }
  return exps.map((e) => e / sum);
}

/**
 * HSEmotion's V and A are raw linear outputs trained against labels in [−1, 1] (ALGORITHMS.md §1);
 * they can overshoot, so clamp for display. NaN becomes 0.
 */
export function clampUnit(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(1, Math.max(-1, value));
}

/**
 * Places a model's probabilities (in its own class order, named by AffectNet class) into AffectNet
 * order. Classes the model lacks (Contempt for face-api) get probability 0.
 */
export function toAffectNetOrder(probs: readonly number[], classes: readonly AffectClass[]): number[] {
  if (probs.length !== classes.length) throw new RangeError(`${probs.length} probabilities for ${classes.length} classes`);
  const out = new Array<number>(AFFECTNET_CLASSES.length).fill(0);
  classes.forEach((cls, i) => {
    out[AFFECTNET_CLASSES.indexOf(cls)] = probs[i] as number;
  });
  return out;
}

/**
 * Circumplex coordinates (valence, arousal) in [−1, 1] per AffectNet class, for estimating V/A from
 * a 7-class expression model (ALGORITHMS.md §7).
 *
 * Source: Russell, J. A. (1980). A circumplex model of affect. Journal of Personality and Social
 * Psychology, 39(6), 1161–1178 — Fig. 4, the multidimensional scaling of 28 affect words; the word
 * positions were read off the figure (as digitised in the public repository
 * toftul/tg-howwasyourday-v2, `emotions.py`) and rounded to two decimals. Words used:
 * Anger ← "angry", Fear ← "afraid", Happiness ← "happy", Sadness ← "sad",
 * Surprise ← "astonished", Neutral ← the centre of the circle (no affect).
 * Russell's 28 words include no disgust or contempt; both take the position of "annoyed" (unpleasant,
 * moderately aroused), the nearest word — a proxy, and one reason these values are shown as
 * "estimated from expression".
 */
export const CIRCUMPLEX: Readonly<Record<AffectClass, readonly [valence: number, arousal: number]>> = {
  Anger: [-0.52, 0.58],
  Contempt: [-0.55, 0.41],
  Disgust: [-0.55, 0.41],
  Fear: [-0.34, 0.64],
  Happiness: [0.83, 0.53],
  Neutral: [0, 0],
  Sadness: [-0.65, -0.27],
  Surprise: [0.16, 0.89],
};

/** Probability-weighted mean of the classes' circumplex coordinates (probs in AffectNet order). */
export function estimateValenceArousal(probs: readonly number[]): { valence: number; arousal: number } {
  if (probs.length !== AFFECTNET_CLASSES.length) throw new RangeError(`expected ${AFFECTNET_CLASSES.length} probabilities, got ${probs.length}`);
  let valence = 0;
  let arousal = 0;
  let total = 0;
  AFFECTNET_CLASSES.forEach((cls, i) => {
    const p = probs[i] as number;
    valence += p * CIRCUMPLEX[cls][0];
    arousal += p * CIRCUMPLEX[cls][1];
    total += p;
  });
  return total > 0 ? { valence: clampUnit(valence / total), arousal: clampUnit(arousal / total) } : { valence: 0, arousal: 0 };
}

/**
 * Decodes a model's [N, numOutputs] output: for each face, softmax over the first
 * `spec.classes.length` numbers only, then (when the model predicts them) valence and arousal.
 */
export function decodeOutputs(output: ArrayLike<number>, faces: number, spec: AffectBackendSpec): AffectResult[] {
  const k = spec.classes.length;
  const expected = k + (spec.valenceArousal === 'model' ? 2 : 0);
  if (spec.numOutputs !== expected) throw new Error(`${spec.id}: spec says ${spec.numOutputs} outputs, classes and V/A need ${expected}`);
  if (output.length !== faces * spec.numOutputs) throw new Error(`${spec.id}: output has ${output.length} values, expected ${faces}×${spec.numOutputs}`);
  const contemptAvailable = spec.classes.includes('Contempt');
  const results: AffectResult[] = [];
  for (let f = 0; f < faces; f++) {
    const base = f * spec.numOutputs;
    const probs = toAffectNetOrder(softmax(output, base, k), spec.classes);
    const va =
      spec.valenceArousal === 'model'
        ? { valence: clampUnit(output[base + k] as number), arousal: clampUnit(output[base + k + 1] as number) }
        : estimateValenceArousal(probs);
    results.push({ probs, ...va, vaSource: spec.valenceArousal, contemptAvailable, backend: spec.id });
  }
  return results;
}

/** The most probable AffectNet class of a result, with its probability. */
export function topExpression(result: Pick<AffectResult, 'probs'>): { label: AffectClass; probability: number } {
  let best = 0;
  result.probs.forEach((p, i) => {
    if (p > (result.probs[best] as number)) best = i;
  });
  return { label: AFFECTNET_CLASSES[best] as AffectClass, probability: result.probs[best] as number };
}
