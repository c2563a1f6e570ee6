/**
 * ABAW C-EXPR compound expressions, zero-shot (../shared/ALGORITHMS.md §5; Savchenko 2024,
 * "HSEmotion Team at the 7th ABAW Challenge", arXiv 2407.13184): each of the seven classes is the
 * arithmetic mean of two basic-expression probabilities (geometric/harmonic means were worse
 * upstream), then the same temporal filter as the basic expressions, then argmax.
 *
 * Because the compound score is linear in the probabilities, smoothing the compound scores frame
 * by frame equals taking the compound of the smoothed probabilities (any weighted mean commutes
 * with a linear map). The filters in `smoothing.ts` therefore derive compounds from their smoothed
 * probabilities; `tests/unit/temporal/compound.test.ts` checks the equality.
 *
 * Upstream took the max over all faces of a frame; here every participant has their own.
 */
import { AFFECTNET_CLASSES, type AffectClass } from './types';

/** The seven C-EXPR classes, in ABAW's order (the order of the output of {@link compoundProbs}). */
export const COMPOUND_CLASSES = [
  'Fearfully Surprised',
  'Happily Surprised',
  'Sadly Surprised',
  'Disgustedly Surprised',
  'Angrily Surprised',
  'Sadly Fearful',
  'Sadly Angry',
] as const;
export type CompoundClass = (typeof COMPOUND_CLASSES)[number];

/** The two basic expressions each compound class averages. */
export const COMPOUND_PAIRS: Readonly<Record<CompoundClass, readonly [AffectClass, AffectClass]>> = {
  'Fearfully Surprised': ['Fear', 'Surprise'],
  'Happily Surprised': ['Happiness', 'Surprise'],
  'Sadly Surprised': ['Sadness', 'Surprise'],
  'Disgustedly Surprised': ['Disgust', 'Surprise'],
  'Angrily Surprised': ['Anger', 'Surprise'],
  'Sadly Fearful': ['Sadness', 'Fear'],
  'Sadly Angry': ['Sadness', 'Anger'],
};

/** The pairs as AffectNet indices, computed once. */
const PAIR_INDICES: readonly (readonly [number, number])[] = COMPOUND_CLASSES.map((c) => {
  const [a, b] = COMPOUND_PAIRS[c];
  return [AFFECTNET_CLASSES.indexOf(a), AFFECTNET_CLASSES.indexOf(b)] as const;
});

/**
 * The seven compound scores of one probability vector (AffectNet order), in
 * {@link COMPOUND_CLASSES} order. Each is in 0..1; they do not sum to 1.
 */
export function compoundProbs(probs: readonly number[]): number[] {
  if (probs.length !== AFFECTNET_CLASSES.length) {
    throw new RangeError(`expected ${AFFECTNET_CLASSES.length} expression probabilities, got ${probs.length}`);
  }
  return PAIR_INDICES.map(([a, b]) => ((probs[a] ?? 0) + (probs[b] ?? 0)) / 2);
}

/** Index of the largest element (first one on ties); −1 for an empty array. */
export function argmax(values: readonly number[]): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? -Infinity;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/** The compound label of (already smoothed) expression probabilities: argmax of {@link compoundProbs}. */
export function compoundLabel(probs: readonly number[]): CompoundClass {
  const scores = compoundProbs(probs);
  return COMPOUND_CLASSES[argmax(scores)] ?? COMPOUND_CLASSES[0];
}

/** Score a compound needs to be shown (mean of its two basic probabilities). */
export const COMPOUND_SHOW_SCORE = 0.35;
/** Probability each of the two basic expressions needs: both must be visible in the face. */
export const COMPOUND_SHOW_PART = 0.1;

/**
 * The compound worth showing for (smoothed) probabilities, or null. The zero-shot score is a mean,
 * so one strong basic expression alone reaches it (Happiness 0.9, Surprise 0 scores 0.45 for
 * "Happily Surprised"): ABAW scores a label on every frame, but a display should name a compound
 * only when the face shows both of its parts. Measured on the grid video: with the score alone,
 * every smile read as "Happily Surprised".
 */
export function pronouncedCompound(probs: readonly number[]): { label: CompoundClass; score: number } | null {
  const scores = compoundProbs(probs);
  const i = argmax(scores);
  const label = COMPOUND_CLASSES[i];
  const [a, b] = PAIR_INDICES[i] ?? [0, 0];
  if (!label || (scores[i] ?? 0) < COMPOUND_SHOW_SCORE || Math.min(probs[a] ?? 0, probs[b] ?? 0) < COMPOUND_SHOW_PART) return null;
  return { label, score: scores[i] ?? 0 };
}
