/**
 * Types of the temporal layer (../shared/ALGORITHMS.md §4–6): per-participant samples over time.
 * Pure data — no DOM, no extension APIs — so everything in `models/temporal/` runs under vitest in
 * Node and in the offscreen document alike.
 */
import { AFFECTNET_CLASSES, type AffectClass } from '../affect/types';
import { AU_NAMES, type AuName } from '../../utils/types';

export { AFFECTNET_CLASSES, AU_NAMES };
export type { AffectClass, AuName };

/** Number of expression classes (AffectNet's 8). */
export const NUM_EXPRESSIONS = AFFECTNET_CLASSES.length;
/** Number of action units (ABAW's 12). */
export const NUM_AUS = AU_NAMES.length;

/**
 * What the per-frame models said about one participant at one instant. Every field except `t`
 * and `face` is optional: backends differ (a 7-class model has no model V/A, the detector-only
 * path has no blendshapes) and a frame without a face carries nothing else.
 */
export interface TemporalSample {
  /** Capture time in ms on a monotonic clock (`performance.now()` of the capturing context). */
  t: number;
  /** Expression probabilities (sum 1) in AffectNet order: {@link AFFECTNET_CLASSES}. */
  probs?: readonly number[];
  /** Valence in [−1, 1]. */
  valence?: number;
  /** Arousal in [−1, 1]. */
  arousal?: number;
  /** AU intensities 0..1 in ABAW order: {@link AU_NAMES}. Never smoothed. */
  aus?: readonly number[];
  /** MediaPipe Face Landmarker blendshape scores 0..1, by ARKit name (`eyeBlinkLeft`, …). */
  blendshapes?: Readonly<Record<string, number>>;
  /**
   * MediaPipe's facial transformation matrix: 4×4, column-major (element (row r, column c) at
   * `matrix[c * 4 + r]`), mapping the canonical face model into camera space.
   */
  matrix?: readonly number[];
  /** Whether a face was detected for this participant in this frame. */
  face: boolean;
}

/**
 * Temporal weighting inside a smoothing window.
 * - `box`: plain mean (upstream's σ = 1e5 is effectively this).
 * - `gaussian`: weight `exp(−(Δ)² / sigma)`, Δ the distance to the output instant, in the unit of
 *   the filter (samples for sample-based filters, ms for time-based ones; so `sigma` is in
 *   samples² or ms² respectively).
 */
export type Kernel = { kind: 'box' } | { kind: 'gaussian'; sigma: number };

export const BOX: Kernel = Object.freeze({ kind: 'box' });
