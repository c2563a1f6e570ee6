/**
 * A transparent engagement INDEX per participant (../shared/ALGORITHMS.md §6). It is an index built
 * from visible signals, NOT a measurement of attention: someone can listen intently looking away,
 * or face the camera while thinking of something else. Show its parts, not only the number.
 *
 * Upstream's engagement classifier (EmotiEffLib: EfficientNet-B0 features over 128-frame windows and
 * a Keras attention head) needs weights we do not have; this index uses what we do have, over a
 * trailing window (default 10 s) of the participant's samples:
 *
 *   presence      share of the window's samples with a face                          0..1
 *   frontal       head pose from the landmarker's transformation matrix: |yaw|, |pitch| ≤ 20° → 1,
 *                 linearly down to 0 at 45° (yaw and pitch factors multiplied), mean over face frames
 *   eyes          eyes open (1 − eyeBlink*) × gaze towards the screen (eyeLookIn/Out/Up/Down*), mean
 *   expressivity  spread over the window of the expression probabilities (√ of the summed per-class
 *                 variances: the RMS distance of the frames' vectors from their window mean) and of
 *                 the AU intensities (mean per-AU standard deviation), each scaled by a reference
 *                 value and capped at 1, then averaged (a still face → 0). Variances, not levels, so
 *                 a person whose resting face reads 0.5 on some AU is not "expressive" for it.
 *   arousal       mean arousal over the window, mapped from [−1, 1] to [0, 1]
 *
 *   index = presence × (Σ wₖ·cₖ / Σ wₖ over the face components k that are available)
 *
 * Presence gates the rest (someone absent 90 % of the time cannot score high because they looked
 * straight at the camera the other 10 %); the face components are a weighted mean, weights in
 * {@link ENGAGEMENT_CONFIG}. Components with no data (no matrix, no blendshapes, no V/A) are null
 * and left out of the mean. The index is non-decreasing in every component. Thresholds are initial,
 * uncalibrated values; presence counts samples, which assumes the analysis rate does not depend on
 * whether a face is present.
 */
import { TrailingWindow } from './smoothing';
import { NUM_AUS, NUM_EXPRESSIONS, type TemporalSample } from './types';

/** A linear fall-off: 1 at or below `full`, 0 at or above `zero`. */
export interface Falloff {
  full: number;
  zero: number;
}

export interface EngagementConfig {
  /** Trailing window every component is computed over, ms. */
  windowMs: number;
  /**
   * Weights of the face components in the weighted mean (they need not sum to 1; the mean divides
   * by the sum of the weights of the available components). Presence is not weighted: it gates.
   */
  weights: { frontal: number; eyes: number; expressivity: number; arousal: number };
  /** |yaw| in degrees → frontal factor. */
  yawDeg: Falloff;
  /** |pitch| in degrees → frontal factor. */
  pitchDeg: Falloff;
  /** Mean of eyeBlinkLeft/Right → eyes-open factor (MediaPipe reads ≈0.1–0.3 on open eyes looking down). */
  blink: Falloff;
  /** Sideways gaze (mean of the two eyes' eyeLookIn/Out towards one side) → gaze factor. */
  gazeSideways: Falloff;
  /** Upward gaze (mean eyeLookUp*) → gaze factor. */
  gazeUp: Falloff;
  /** Downward gaze (mean eyeLookDown*) → gaze factor; more tolerant: the screen is below the webcam. */
  gazeDown: Falloff;
  /**
   * Spreads that count as fully expressive (expressivity 1): `probsSpread` for √Σ var of the
   * probability vector (0.707 at most: alternating between two one-hot vectors), `ausStd` for the
   * mean per-AU standard deviation.
   */
  expressivityRef: { probsSpread: number; ausStd: number };
  /** A sample earlier than the latest by more than this (ms) resets the tracker (capture clock restarted). */
  backwardJumpResetMs: number;
}

/** The one place the engagement index is configured. */
export const ENGAGEMENT_CONFIG: Readonly<EngagementConfig> = Object.freeze({
  windowMs: 10_000,
  weights: Object.freeze({ frontal: 0.35, eyes: 0.3, expressivity: 0.15, arousal: 0.2 }),
  yawDeg: Object.freeze({ full: 20, zero: 45 }),
  pitchDeg: Object.freeze({ full: 20, zero: 45 }),
  blink: Object.freeze({ full: 0.35, zero: 0.75 }),
  gazeSideways: Object.freeze({ full: 0.35, zero: 0.75 }),
  gazeUp: Object.freeze({ full: 0.35, zero: 0.75 }),
  gazeDown: Object.freeze({ full: 0.5, zero: 0.9 }),
  expressivityRef: Object.freeze({ probsSpread: 0.2, ausStd: 0.08 }),
  backwardJumpResetMs: 2000,
});

/** 1 at or below `full`, 0 at or above `zero`, linear between. */
export function falloff(x: number, { full, zero }: Falloff): number {
  if (x <= full) return 1;
  if (x >= zero) return 0;
  return (zero - x) / (zero - full);
}

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/**
 * Head pose, degrees, in MediaPipe's camera space (x right, y up, camera looking down −z; a face
 * looking into the camera has the identity rotation).
 */
export interface HeadPose {
  /** Rotation about the vertical axis; > 0 when the face turns towards +x (image right). */
  yawDeg: number;
  /** Rotation about the horizontal axis; > 0 when the face tilts down. */
  pitchDeg: number;
  /** Rotation about the viewing axis; > 0 counter-clockwise as seen by the camera. */
  rollDeg: number;
}

const DEG = 180 / Math.PI;

/**
 * Yaw/pitch/roll from MediaPipe's 4×4 column-major facial transformation matrix. The face's forward
 * axis in camera space is the third column of the rotation, (m[8], m[9], m[10]); yaw is its angle
 * in the x–z plane, pitch its elevation; roll comes from the up axis (m[4], m[5], m[6]). Columns are
 * normalised first, so a scale in the matrix does not matter. Null for a malformed matrix.
 */
export function headPoseFromMatrix(m: readonly number[]): HeadPose | null {
  if (m.length !== 16 || !m.every((v) => Number.isFinite(v))) return null;
  const fx = m[8] ?? 0;
  const fy = m[9] ?? 0;
  const fz = m[10] ?? 0;
  const ux = m[4] ?? 0;
  const uy = m[5] ?? 0;
  if (Math.hypot(fx, fy, fz) === 0 || Math.hypot(ux, uy) === 0) return null;
  return {
    yawDeg: Math.atan2(fx, fz) * DEG,
    pitchDeg: Math.atan2(-fy, Math.hypot(fx, fz)) * DEG,
    rollDeg: Math.atan2(-ux, uy) * DEG,
  };
}

/** The frontal factor of one head pose: yaw fall-off × pitch fall-off. */
export function frontalScore(pose: HeadPose, config: Readonly<EngagementConfig> = ENGAGEMENT_CONFIG): number {
  return falloff(Math.abs(pose.yawDeg), config.yawDeg) * falloff(Math.abs(pose.pitchDeg), config.pitchDeg);
}

/** Eyes open × gaze towards the screen, from one frame's blendshapes (missing names read as 0). */
export function eyesScore(b: Readonly<Record<string, number>>, config: Readonly<EngagementConfig> = ENGAGEMENT_CONFIG): number {
  const g = (name: string) => clamp01(Number.isFinite(b[name]) ? (b[name] ?? 0) : 0);
  const mean = (a: string, c: string) => (g(a) + g(c)) / 2;
  const open = falloff(mean('eyeBlinkLeft', 'eyeBlinkRight'), config.blink);
  // Both eyes turned the same way: the left eye looks out while the right eye looks in, or vice versa.
  const sideways = Math.max(mean('eyeLookOutLeft', 'eyeLookInRight'), mean('eyeLookInLeft', 'eyeLookOutRight'));
  const towards =
    falloff(sideways, config.gazeSideways) *
    falloff(mean('eyeLookUpLeft', 'eyeLookUpRight'), config.gazeUp) *
    falloff(mean('eyeLookDownLeft', 'eyeLookDownRight'), config.gazeDown);
  return open * towards;
}

/** The parts of the index, each in 0..1, or null when there was nothing to compute it from. */
export interface EngagementComponents {
  presence: number | null;
  frontal: number | null;
  eyes: number | null;
  expressivity: number | null;
  arousal: number | null;
}

/**
 * index = presence × weighted mean of the available face components (presence alone when none is
 * available); null when presence is unknown (no samples in the window).
 */
export function combineEngagement(c: EngagementComponents, config: Readonly<EngagementConfig> = ENGAGEMENT_CONFIG): number | null {
  if (c.presence === null) return null;
  let wSum = 0;
  let sum = 0;
  for (const k of ['frontal', 'eyes', 'expressivity', 'arousal'] as const) {
    const v = c[k];
    const w = config.weights[k];
    if (v === null || !(w > 0)) continue;
    wSum += w;
    sum += w * clamp01(v);
  }
  return clamp01(c.presence) * (wSum > 0 ? sum / wSum : 1);
}

export interface EngagementResult {
  /** The index in 0..1; null before any sample is in the window. Not a measurement of attention. */
  index: number | null;
  /** Its parts, each in 0..1 or null. */
  components: EngagementComponents;
  /** The latest face frame's head pose (null without a matrix). */
  headPose: HeadPose | null;
  /** The tracker's time (latest sample), ms on the capture clock. */
  t: number;
  /** Samples in the window (with or without a face). */
  samples: number;
}

/** Per-dimension variances from window means of [x…, x²…]: E[x²] − E[x]² (clamped at 0 against rounding). */
const variances = (moments: number[] | null, dims: number): number[] | null => {
  if (!moments) return null;
  return Array.from({ length: dims }, (_, d) => {
    const m = moments[d] ?? 0;
    return Math.max(0, (moments[dims + d] ?? 0) - m * m);
  });
};

/** Per-participant engagement over a trailing window; O(1) amortised per sample, bounded memory. */
export class EngagementTracker {
  private readonly config: Readonly<EngagementConfig>;
  // Each TrailingWindow is a box mean over the same time window; variances come from E[x²] − E[x]².
  private readonly presence: TrailingWindow;
  private readonly frontal: TrailingWindow;
  private readonly eyes: TrailingWindow;
  private readonly arousal: TrailingWindow;
  private readonly probMoments: TrailingWindow;
  private readonly auMoments: TrailingWindow;
  private readonly all: TrailingWindow[];
  private latestPose: HeadPose | null = null;

  constructor(config: Readonly<EngagementConfig> = ENGAGEMENT_CONFIG, maxSamples = 4096) {
    this.config = config;
    const w = (dims: number) => new TrailingWindow(dims, config.windowMs, undefined, maxSamples);
    this.presence = w(1);
    this.frontal = w(1);
    this.eyes = w(1);
    this.arousal = w(1);
    this.probMoments = w(2 * NUM_EXPRESSIONS);
    this.auMoments = w(2 * NUM_AUS);
    this.all = [this.presence, this.frontal, this.eyes, this.arousal, this.probMoments, this.auMoments];
  }

  /** Slots allocated across the tracker's windows: the memory bound. */
  get capacity(): number {
    return this.all.reduce((s, w) => s + w.capacity, 0);
  }
  /** Samples currently held across the tracker's windows. */
  get size(): number {
    return this.all.reduce((s, w) => s + w.size, 0);
  }

  /** Feeds one sample; false when dropped (non-finite time, or out of order by less than the reset threshold). */
  push(s: TemporalSample): boolean {
    if (!Number.isFinite(s.t)) return false;
    const now = this.presence.now;
    if (s.t < now) {
      if (now - s.t <= this.config.backwardJumpResetMs) return false;
      this.reset();
    }
    for (const w of this.all) w.advance(s.t);
    this.presence.push(s.t, [s.face ? 1 : 0]);
    if (!s.face) return true;
    const pose = s.matrix ? headPoseFromMatrix(s.matrix) : null;
    if (pose) {
      this.latestPose = pose;
      this.frontal.push(s.t, [frontalScore(pose, this.config)]);
    }
    if (s.blendshapes) this.eyes.push(s.t, [eyesScore(s.blendshapes, this.config)]);
    if (s.arousal !== undefined && Number.isFinite(s.arousal)) this.arousal.push(s.t, [clamp01((s.arousal + 1) / 2)]);
    const moments = (v: readonly number[] | undefined, n: number, into: TrailingWindow) => {
      if (!v || v.length !== n || !v.every((x) => Number.isFinite(x))) return;
      into.push(s.t, [...v, ...v.map((x) => x * x)]);
    };
    moments(s.probs, NUM_EXPRESSIONS, this.probMoments);
    moments(s.aus, NUM_AUS, this.auMoments);
    return true;
  }

  read(): EngagementResult {
    const one = (w: TrailingWindow) => w.mean()?.[0] ?? null;
    const probVar = variances(this.probMoments.mean(), NUM_EXPRESSIONS);
    const auVar = variances(this.auMoments.mean(), NUM_AUS);
    const parts: number[] = [];
    if (probVar) {
      const spread = Math.sqrt(probVar.reduce((a, b) => a + b, 0));
      parts.push(Math.min(1, spread / this.config.expressivityRef.probsSpread));
    }
    if (auVar) {
      const meanStd = auVar.reduce((a, v) => a + Math.sqrt(v), 0) / NUM_AUS;
      parts.push(Math.min(1, meanStd / this.config.expressivityRef.ausStd));
    }
    const components: EngagementComponents = {
      presence: one(this.presence),
      frontal: one(this.frontal),
      eyes: one(this.eyes),
      expressivity: parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : null,
      arousal: one(this.arousal),
    };
    return {
      index: combineEngagement(components, this.config),
      components,
      headPose: this.frontal.size > 0 ? this.latestPose : null,
      t: this.presence.now,
      samples: this.presence.size,
    };
  }

  reset(): void {
    for (const w of this.all) w.reset();
    this.latestPose = null;
  }
}
