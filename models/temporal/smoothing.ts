/**
 * Temporal smoothing of per-frame affect (../shared/ALGORITHMS.md §4), after Savchenko 2024,
 * "HSEmotion Team at the 7th ABAW Challenge: Multi-Task Learning and Compound Facial Expression
 * Recognition", arXiv 2407.13184. Upstream, offline: the prediction for frame i is the weighted mean
 * of the predictions of the same video within ±Δ frames, weight `exp(−(t_j − t_i)² / σ)`; σ = 1e5
 * makes it practically a box (mean) filter. Chosen there: Δ = 50 for expression probabilities,
 * Δ = 10 for valence/arousal, then argmax for the label. Frames with no face are filled by linear
 * interpolation between neighbouring detections (copied at the ends). AUs are not smoothed (every
 * setting lowered AU F1 upstream).
 *
 * Two filters here:
 *
 *   live overlay ──▶ CausalAffectFilter   trailing, time-based window, O(1) per sample, reports lag
 *   session end  ──▶ summariseTimeline     the paper's centred ±Δ filter with gap interpolation
 *
 * Both smooth probabilities, never labels: the label is the argmax of the smoothed probabilities.
 * One filter per participant track — never across people.
 */
import { argmax, compoundProbs, COMPOUND_CLASSES, type CompoundClass } from './compound';
import { AFFECTNET_CLASSES, BOX, NUM_EXPRESSIONS, type AffectClass, type Kernel, type TemporalSample } from './types';

/** The paper's chosen half-widths, in samples (frames of the source video). arXiv 2407.13184. */
export const PAPER_DELTA = Object.freeze({ expression: 50, va: 10 });
/** Frame rate of the paper's video (Aff-Wild2), on which Δ counts frames. */
export const PAPER_VIDEO_FPS = 30;
/** The paper's σ, in samples²: with Δ ≤ 50 the smallest weight is exp(−2500/1e5) ≈ 0.975, i.e. a box. */
export const PAPER_SIGMA = 1e5;

/** Default windows at one analysed frame rate, from the paper's Δ. */
export interface DefaultWindows {
  /** The analysed frame rate the windows were derived for, frames per second. */
  fps: number;
  /** Trailing window for expression probabilities, ms: (2·50 + 1) / fps seconds. */
  expressionWindowMs: number;
  /** Trailing window for valence/arousal, ms: (2·10 + 1) / fps seconds. */
  vaWindowMs: number;
  /** Half-width of the centred time-based expression filter, ms: 50 / fps seconds. */
  expressionHalfWindowMs: number;
  /** Half-width of the centred time-based V/A filter, ms: 10 / fps seconds. */
  vaHalfWindowMs: number;
  /** Lag of the trailing box expression window at this rate (mean sample age), ms: Δ / fps seconds. */
  expressionLagMs: number;
  /** Lag of the trailing box V/A window at this rate, ms. */
  vaLagMs: number;
  /** The paper's σ converted from samples² to ms² at this rate: σ · (1000 / fps)². */
  sigmaMs2: number;
}

/**
 * Default window lengths at the analysed frame rate `fps`, from the paper's Δ (50 expression,
 * 10 V/A; arXiv 2407.13184).
 *
 * Conversion. The paper's centred ±Δ window averages 2Δ + 1 samples. A trailing window cannot look
 * ahead, so we keep the *number of samples averaged* instead: (2Δ + 1) / fps seconds holds exactly
 * 2Δ + 1 samples at the nominal rate (ages 0 … 2Δ frame periods; membership is age < window). That
 * keeps the paper's noise reduction (the variance of a box mean falls with the number of samples),
 * which is where its F1/CCC gain comes from; and it is what the issue asks ("defaults derived from
 * Δ at the analysed frame rate"). The price is lag: the mean age of those samples is Δ / fps seconds
 * — the centred filter's half-width — and a step change of label flips after about half the window.
 * The alternative (keep the paper's *time span*, Aff-Wild2 being ≈30 fps: 3.37 s / 0.70 s) would
 * average fewer samples at our lower analysed rates. Windows are user-adjustable; time, not sample
 * counts, is what the filters use, because the analysed rate varies.
 */
export function defaultWindows(fps: number): DefaultWindows {
  if (!(fps > 0) || !Number.isFinite(fps)) throw new RangeError(`fps must be a positive number, got ${fps}`);
  const period = 1000 / fps;
  return {
    fps,
    expressionWindowMs: (2 * PAPER_DELTA.expression + 1) * period,
    vaWindowMs: (2 * PAPER_DELTA.va + 1) * period,
    expressionHalfWindowMs: PAPER_DELTA.expression * period,
    vaHalfWindowMs: PAPER_DELTA.va * period,
    expressionLagMs: PAPER_DELTA.expression * period,
    vaLagMs: PAPER_DELTA.va * period,
    sigmaMs2: PAPER_SIGMA * period * period,
  };
}

const weightOf = (kernel: Kernel, distance: number): number =>
  kernel.kind === 'box' ? 1 : Math.exp(-(distance * distance) / kernel.sigma);

function assertKernel(kernel: Kernel): void {
  if (kernel.kind === 'gaussian' && !(kernel.sigma > 0)) throw new RangeError(`gaussian sigma must be > 0, got ${kernel.sigma}`);
}

/** Running sums are recomputed from the buffer this often (in evictions) so float drift cannot accumulate. */
const RECOMPUTE_EVERY = 1024;

/**
 * A trailing, time-based weighted mean of fixed-length vectors: the samples with age
 * `now − t < windowMs`, `now` being the latest time passed to {@link push} or {@link advance}.
 *
 * Memory is a ring buffer (a deque) that grows by doubling up to `maxSamples` and never beyond;
 * at the cap the oldest sample is dropped early (counted in {@link overflowed}).
 * Cost: {@link push} is O(dims) amortised (each sample is added and evicted once; box sums are
 * running sums). {@link mean} is O(dims) for the box kernel; for the Gaussian kernel it is
 * O(size · dims), because weights `exp(−age²/σ)` relative to a moving `now` do not factor into
 * running sums — bounded by the window, not by the stream.
 */
export class TrailingWindow {
  readonly dims: number;
  readonly maxSamples: number;
  private windowMsValue: number;
  private kernelValue: Kernel;
  private times: Float64Array;
  private values: Float64Array;
  private head = 0; // index of the oldest sample
  private count = 0;
  private nowValue = -Infinity;
  private origin = 0; // times are stored relative to the first sample, for precision
  private hasOrigin = false;
  private sums: Float64Array;
  private sumT = 0;
  private evictionsSinceRecompute = 0;
  private overflowCount = 0;

  constructor(dims: number, windowMs: number, kernel: Kernel = BOX, maxSamples = 4096) {
    if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`dims must be a positive integer, got ${dims}`);
    if (!Number.isInteger(maxSamples) || maxSamples < 1) throw new RangeError(`maxSamples must be a positive integer, got ${maxSamples}`);
    assertKernel(kernel);
    this.dims = dims;
    this.maxSamples = maxSamples;
    this.windowMsValue = TrailingWindow.checkWindow(windowMs);
    this.kernelValue = kernel;
    const initial = Math.min(64, maxSamples);
    this.times = new Float64Array(initial);
    this.values = new Float64Array(initial * dims);
    this.sums = new Float64Array(dims);
  }

  private static checkWindow(windowMs: number): number {
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be > 0, got ${windowMs}`);
    return windowMs;
  }

  /** Window length, ms. Shrinking takes effect at once; growing cannot bring back evicted samples. */
  get windowMs(): number {
    return this.windowMsValue;
  }
  set windowMs(ms: number) {
    this.windowMsValue = TrailingWindow.checkWindow(ms);
    this.evict();
  }

  get kernel(): Kernel {
    return this.kernelValue;
  }
  set kernel(k: Kernel) {
    assertKernel(k);
    this.kernelValue = k;
  }

  /** Samples currently in the window. */
  get size(): number {
    return this.count;
  }
  /** Allocated slots (≤ maxSamples): the memory bound. */
  get capacity(): number {
    return this.times.length;
  }
  /** Samples dropped before their time because the window held `maxSamples`. */
  get overflowed(): number {
    return this.overflowCount;
  }
  /** The latest time seen, ms (−Infinity before the first). */
  get now(): number {
    return this.nowValue;
  }

  /** Moves the clock to `t` (if later) and evicts samples that fell out of the window. */
  advance(t: number): void {
    if (t > this.nowValue) this.nowValue = t;
    this.evict();
  }

  /** Adds one sample at time `t` (callers keep `t` non-decreasing; see CausalAffectFilter). */
  push(t: number, values: ArrayLike<number>): void {
    if (values.length !== this.dims) throw new RangeError(`expected ${this.dims} values, got ${values.length}`);
    this.advance(t);
    if (!this.hasOrigin) {
      this.origin = t;
      this.hasOrigin = true;
    }
    if (this.count === this.times.length) {
      if (this.times.length < this.maxSamples) this.grow();
      else {
        this.evictOldest();
        this.overflowCount++;
      }
    }
    const slot = (this.head + this.count) % this.times.length;
    const rel = t - this.origin;
    this.times[slot] = rel;
    this.sumT += rel;
    const base = slot * this.dims;
    for (let d = 0; d < this.dims; d++) {
      const v = values[d] ?? 0;
      this.values[base + d] = v;
      this.sums[d] = (this.sums[d] ?? 0) + v;
    }
    this.count++;
  }

  /** The weighted mean of the window, or null when it is empty. */
  mean(): number[] | null {
    if (this.count === 0) return null;
    if (this.kernelValue.kind === 'box') return Array.from(this.sums, (s) => s / this.count);
    const out = new Array<number>(this.dims).fill(0);
    let wSum = 0;
    this.forEach((rel, base) => {
      const w = weightOf(this.kernelValue, this.nowValue - (rel + this.origin));
      wSum += w;
      for (let d = 0; d < this.dims; d++) out[d] = (out[d] ?? 0) + w * (this.values[base + d] ?? 0);
    });
    return out.map((s) => s / wSum);
  }

  /** Lag: the (weighted) mean age of the samples in the window relative to `now`, ms; null when empty. */
  lagMs(): number | null {
    if (this.count === 0) return null;
    const nowRel = this.nowValue - this.origin;
    if (this.kernelValue.kind === 'box') return nowRel - this.sumT / this.count;
    let wSum = 0;
    let ageSum = 0;
    this.forEach((rel) => {
      const age = nowRel - rel;
      const w = weightOf(this.kernelValue, age);
      wSum += w;
      ageSum += w * age;
    });
    return ageSum / wSum;
  }

  /** Forgets every sample and the clock. */
  reset(): void {
    this.head = 0;
    this.count = 0;
    this.nowValue = -Infinity;
    this.hasOrigin = false;
    this.origin = 0;
    this.sumT = 0;
    this.sums.fill(0);
    this.evictionsSinceRecompute = 0;
  }

  private forEach(fn: (rel: number, base: number) => void): void {
    const cap = this.times.length;
    for (let k = 0; k < this.count; k++) {
      const slot = (this.head + k) % cap;
      fn(this.times[slot] ?? 0, slot * this.dims);
    }
  }

  private evict(): void {
    const limit = this.nowValue - this.origin - this.windowMsValue; // evict rel ≤ limit (age ≥ window)
    while (this.count > 0 && (this.times[this.head] ?? 0) <= limit) this.evictOldest();
    if (this.count === 0) {
      // Nothing left: zero the sums exactly instead of trusting the subtraction.
      this.sumT = 0;
      this.sums.fill(0);
      this.evictionsSinceRecompute = 0;
    } else if (this.evictionsSinceRecompute >= RECOMPUTE_EVERY) this.recompute();
  }

  private evictOldest(): void {
    const base = this.head * this.dims;
    this.sumT -= this.times[this.head] ?? 0;
    for (let d = 0; d < this.dims; d++) this.sums[d] = (this.sums[d] ?? 0) - (this.values[base + d] ?? 0);
    this.head = (this.head + 1) % this.times.length;
    this.count--;
    this.evictionsSinceRecompute++;
  }

  private recompute(): void {
    this.sumT = 0;
    this.sums.fill(0);
    this.forEach((rel, base) => {
      this.sumT += rel;
      for (let d = 0; d < this.dims; d++) this.sums[d] = (this.sums[d] ?? 0) + (this.values[base + d] ?? 0);
    });
    this.evictionsSinceRecompute = 0;
  }

  private grow(): void {
    const cap = Math.min(this.maxSamples, this.times.length * 2);
    const times = new Float64Array(cap);
    const values = new Float64Array(cap * this.dims);
    let k = 0;
    this.forEach((rel, base) => {
      times[k] = rel;
      values.set(this.values.subarray(base, base + this.dims), k * this.dims);
      k++;
    });
    this.times = times;
    this.values = values;
    this.head = 0;
  }
}

/** Options of {@link CausalAffectFilter}. {@link defaultWindows} returns a compatible object. */
export interface CausalFilterOptions {
  /** Trailing window for expression probabilities (and compounds), ms. */
  expressionWindowMs: number;
  /** Trailing window for valence/arousal, ms. */
  vaWindowMs: number;
  /** Weighting inside the windows; Gaussian `sigma` in ms² (see `DefaultWindows.sigmaMs2`). Default box. */
  kernel?: Kernel;
  /** Hard cap on samples per window (memory bound whatever the rate). Default 4096. */
  maxSamples?: number;
  /**
   * A sample earlier than the latest one by more than this (ms) means the capture clock restarted
   * (e.g. a new offscreen document): the track resets and accepts it. Smaller steps back are
   * out-of-order frames and are dropped. Default 2000.
   */
  backwardJumpResetMs?: number;
}

/** The live, smoothed affect of one participant. */
export interface SmoothedAffect {
  /** The filter's time: the latest sample time seen (face or not), ms on the capture clock. */
  t: number;
  /** Smoothed expression probabilities in AffectNet order; null when no face in the expression window. */
  probs: number[] | null;
  /** argmax of the smoothed probabilities. */
  label: AffectClass | null;
  /** Compound scores of the smoothed probabilities, in COMPOUND_CLASSES order. */
  compound: number[] | null;
  /** argmax of {@link compound}. */
  compoundLabel: CompoundClass | null;
  /** Smoothed valence in [−1, 1]; null when no V/A in its window. */
  valence: number | null;
  /** Smoothed arousal in [−1, 1]. */
  arousal: number | null;
  /** The latest sample's AUs, unsmoothed (null when that sample had no face or no AUs). */
  aus: number[] | null;
  /** Lag the windows introduce: mean age of the samples they average, ms. */
  lagMs: { expression: number | null; va: number | null };
  /** Samples in each window. */
  samples: { expression: number; va: number };
}

const isFiniteArray = (a: readonly number[] | undefined, n: number): a is readonly number[] =>
  a !== undefined && a.length === n && a.every((v) => Number.isFinite(v));

/**
 * The live (causal) filter of one participant track: trailing time windows over expression
 * probabilities and valence/arousal, AUs passed through. Samples without a face advance the clock
 * (so stale samples leave the window) but are not averaged — a face absent for minutes empties the
 * window rather than dragging the mean towards zero.
 */
export class CausalAffectFilter {
  private readonly expression: TrailingWindow;
  private readonly va: TrailingWindow;
  private readonly backwardJumpResetMs: number;
  private latestAus: number[] | null = null;
  private droppedCount = 0;
  private resetCount = 0;

  constructor(options: CausalFilterOptions) {
    const kernel = options.kernel ?? BOX;
    const maxSamples = options.maxSamples ?? 4096;
    this.expression = new TrailingWindow(NUM_EXPRESSIONS, options.expressionWindowMs, kernel, maxSamples);
    this.va = new TrailingWindow(2, options.vaWindowMs, kernel, maxSamples);
    this.backwardJumpResetMs = options.backwardJumpResetMs ?? 2000;
  }

  /** Changes the windows (user setting). Shrinking applies at once. */
  setWindows(expressionWindowMs: number, vaWindowMs: number): void {
    this.expression.windowMs = expressionWindowMs;
    this.va.windowMs = vaWindowMs;
  }

  /** Out-of-order or non-finite samples dropped so far. */
  get dropped(): number {
    return this.droppedCount;
  }
  /** Times the track was reset by a backward clock jump. */
  get resets(): number {
    return this.resetCount;
  }
  /** Samples held (both windows) and slots allocated: the memory the track uses. */
  get memory(): { samples: number; capacity: number } {
    return { samples: this.expression.size + this.va.size, capacity: this.expression.capacity + this.va.capacity };
  }

  /** Feeds one sample; returns false when it was dropped (out of order or no valid time). */
  push(sample: TemporalSample): boolean {
    const { t } = sample;
    if (!Number.isFinite(t)) {
      this.droppedCount++;
      return false;
    }
    const now = this.expression.now;
    if (t < now) {
      if (now - t <= this.backwardJumpResetMs) {
        this.droppedCount++;
        return false;
      }
      this.reset();
      this.resetCount++;
    }
    this.expression.advance(t);
    this.va.advance(t);
    this.latestAus = null;
    if (!sample.face) return true;
    if (isFiniteArray(sample.probs, NUM_EXPRESSIONS)) this.expression.push(t, sample.probs);
    const { valence, arousal } = sample;
    if (valence !== undefined && arousal !== undefined && Number.isFinite(valence) && Number.isFinite(arousal)) {
      this.va.push(t, [valence, arousal]);
    }
    if (sample.aus) this.latestAus = [...sample.aus];
    return true;
  }

  /** The current smoothed state. */
  read(): SmoothedAffect {
    const probs = this.expression.mean();
    const va = this.va.mean();
    const compound = probs ? compoundProbs(probs) : null;
    return {
      t: this.expression.now,
      probs,
      label: probs ? (AFFECTNET_CLASSES[argmax(probs)] ?? null) : null,
      compound,
      compoundLabel: compound ? (COMPOUND_CLASSES[argmax(compound)] ?? null) : null,
      valence: va ? (va[0] ?? null) : null,
      arousal: va ? (va[1] ?? null) : null,
      aus: this.latestAus ? [...this.latestAus] : null,
      lagMs: { expression: this.expression.lagMs(), va: this.va.lagMs() },
      samples: { expression: this.expression.size, va: this.va.size },
    };
  }

  /** Forgets the track (e.g. the participant left, or the capture clock restarted). */
  reset(): void {
    this.expression.reset();
    this.va.reset();
    this.latestAus = null;
  }
}

// ───────────────────────────── centred filter for the session summary ─────────────────────────────

/**
 * Fills frames without a detection (`null`/`undefined`) by linear interpolation in time between the
 * neighbouring detections, copying the first/last detection at the ends (as upstream). `t` must be
 * non-decreasing; returns null when there is no detection at all.
 */
export function interpolateGaps(
  t: readonly number[],
  values: readonly (readonly number[] | null | undefined)[],
): number[][] | null {
  if (t.length !== values.length) throw new RangeError(`t has ${t.length} entries, values ${values.length}`);
  const known: number[] = [];
  values.forEach((v, i) => {
    if (v) known.push(i);
  });
  const first = known[0];
  const last = known[known.length - 1];
  if (first === undefined || last === undefined) return null;
  const out: number[][] = new Array<number[]>(values.length);
  let k = 0; // known[k] is the next detection at or after i
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v) {
      out[i] = [...v];
      if (known[k] === i) k++;
      continue;
    }
    const next = known[k];
    const prev = known[k - 1];
    if (prev === undefined) out[i] = [...(values[first] ?? [])];
    else if (next === undefined) out[i] = [...(values[last] ?? [])];
    else {
      const a = values[prev] ?? [];
      const b = values[next] ?? [];
      const t0 = t[prev] ?? 0;
      const span = (t[next] ?? 0) - t0;
      const f = span > 0 ? ((t[i] ?? 0) - t0) / span : 0;
      out[i] = a.map((x, d) => x + f * ((b[d] ?? x) - x));
    }
  }
  return out;
}

function checkRectangular(values: readonly (readonly number[])[]): number {
  const dims = values[0]?.length ?? 0;
  for (const v of values) if (v.length !== dims) throw new RangeError('all value vectors must have the same length');
  return dims;
}

/**
 * The paper's centred filter in samples: output i is the weighted mean of values j with
 * |j − i| ≤ delta (clipped at the ends), weight `exp(−(j − i)² / σ)` (σ in samples²) or 1 for a box.
 * Box: O(n · dims) with prefix sums; Gaussian: O(n · delta · dims).
 */
export function centredSmooth(values: readonly (readonly number[])[], delta: number, kernel: Kernel = BOX): number[][] {
  if (!Number.isInteger(delta) || delta < 0) throw new RangeError(`delta must be a non-negative integer, got ${delta}`);
  assertKernel(kernel);
  const n = values.length;
  const dims = checkRectangular(values);
  if (kernel.kind === 'box') {
    const prefix = prefixSums(values, dims);
    return values.map((_, i) => {
      const lo = Math.max(0, i - delta);
      const hi = Math.min(n - 1, i + delta);
      return rangeMean(prefix, dims, lo, hi);
    });
  }
  return values.map((_, i) => {
    const out = new Array<number>(dims).fill(0);
    let wSum = 0;
    for (let j = Math.max(0, i - delta); j <= Math.min(n - 1, i + delta); j++) {
      const w = weightOf(kernel, j - i);
      wSum += w;
      const v = values[j] ?? [];
      for (let d = 0; d < dims; d++) out[d] = (out[d] ?? 0) + w * (v[d] ?? 0);
    }
    return out.map((s) => s / wSum);
  });
}

/**
 * The centred filter in time: output i averages the values j with |t_j − t_i| ≤ halfWindowMs,
 * weight `exp(−(t_j − t_i)² / σ)` (σ in ms²) or 1 for a box. For timelines whose rate varied.
 * `t` must be non-decreasing.
 */
export function centredSmoothTimed(
  t: readonly number[],
  values: readonly (readonly number[])[],
  halfWindowMs: number,
  kernel: Kernel = BOX,
): number[][] {
  if (t.length !== values.length) throw new RangeError(`t has ${t.length} entries, values ${values.length}`);
  if (!(halfWindowMs >= 0)) throw new RangeError(`halfWindowMs must be ≥ 0, got ${halfWindowMs}`);
  assertKernel(kernel);
  for (let i = 1; i < t.length; i++) if ((t[i] ?? 0) < (t[i - 1] ?? 0)) throw new RangeError('t must be non-decreasing');
  const dims = checkRectangular(values);
  const prefix = kernel.kind === 'box' ? prefixSums(values, dims) : null;
  let lo = 0;
  let hi = -1;
  return values.map((_, i) => {
    const ti = t[i] ?? 0;
    while ((t[lo] ?? 0) < ti - halfWindowMs) lo++;
    while (hi + 1 < t.length && (t[hi + 1] ?? 0) <= ti + halfWindowMs) hi++;
    if (prefix) return rangeMean(prefix, dims, lo, hi);
    const out = new Array<number>(dims).fill(0);
    let wSum = 0;
    for (let j = lo; j <= hi; j++) {
      const w = weightOf(kernel, (t[j] ?? 0) - ti);
      wSum += w;
      const v = values[j] ?? [];
      for (let d = 0; d < dims; d++) out[d] = (out[d] ?? 0) + w * (v[d] ?? 0);
    }
    return out.map((s) => s / wSum);
  });
}

/** prefix[(i) * dims + d] = Σ_{j<i} values[j][d]. */
function prefixSums(values: readonly (readonly number[])[], dims: number): Float64Array {
  const prefix = new Float64Array((values.length + 1) * dims);
  values.forEach((v, i) => {
    for (let d = 0; d < dims; d++) prefix[(i + 1) * dims + d] = (prefix[i * dims + d] ?? 0) + (v[d] ?? 0);
  });
  return prefix;
}

function rangeMean(prefix: Float64Array, dims: number, lo: number, hi: number): number[] {
  const n = hi - lo + 1;
  const out = new Array<number>(dims);
  for (let d = 0; d < dims; d++) out[d] = ((prefix[(hi + 1) * dims + d] ?? 0) - (prefix[lo * dims + d] ?? 0)) / n;
  return out;
}

/** How {@link summariseTimeline} measures its windows. */
export type SummaryOptions =
  | {
      /** The paper's form: ±Δ samples. */
      unit: 'samples';
      /** Default 50 (paper). */
      expressionDelta?: number;
      /** Default 10 (paper). */
      vaDelta?: number;
      /** σ in samples²; default box (the paper's σ = 1e5 is practically a box). */
      kernel?: Kernel;
    }
  | {
      /** ±half-window in ms, for timelines whose analysed rate varied (see defaultWindows). */
      unit: 'ms';
      expressionHalfWindowMs: number;
      vaHalfWindowMs: number;
      /** σ in ms²; default box. */
      kernel?: Kernel;
    };

/** A participant's whole timeline after the centred filter; arrays are per sample, in time order. */
export interface TimelineSummary {
  /** Sample times, ms on the capture clock, ascending. */
  t: number[];
  /** Whether each sample had a face (the smoothed values of the others are interpolated). */
  face: boolean[];
  /** Per-frame labels before smoothing (argmax of the raw probabilities); null without a face. */
  rawLabels: (AffectClass | null)[];
  /** Smoothed probabilities (AffectNet order); null when the timeline has no expression at all. */
  probs: number[][] | null;
  /** argmax of the smoothed probabilities. */
  labels: AffectClass[] | null;
  /** Compound scores of the smoothed probabilities (COMPOUND_CLASSES order). */
  compound: number[][] | null;
  compoundLabels: CompoundClass[] | null;
  /** Smoothed valence / arousal; null when the timeline has none. */
  valence: number[] | null;
  arousal: number[] | null;
}

/**
 * The paper's offline post-processing over one participant's recorded timeline: fill the frames
 * without a face by linear interpolation (copy at the ends), centred ±Δ mean, argmax. Samples are
 * sorted by time first (stable), so late-arriving frames land in place.
 */
export function summariseTimeline(samples: readonly TemporalSample[], options: SummaryOptions = { unit: 'samples' }): TimelineSummary {
  const sorted = samples
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => Number.isFinite(s.t))
    .sort((a, b) => a.s.t - b.s.t || a.i - b.i)
    .map(({ s }) => s);
  const t = sorted.map((s) => s.t);
  const rawProbs = sorted.map((s) => (s.face && isFiniteArray(s.probs, NUM_EXPRESSIONS) ? s.probs : null));
  const rawVa = sorted.map((s) =>
    s.face && s.valence !== undefined && s.arousal !== undefined && Number.isFinite(s.valence) && Number.isFinite(s.arousal)
      ? [s.valence, s.arousal]
      : null,
  );
  const smooth = (filled: number[][] | null, which: 'expression' | 'va'): number[][] | null => {
    if (!filled) return null;
    if (options.unit === 'samples') {
      const delta = which === 'expression' ? (options.expressionDelta ?? PAPER_DELTA.expression) : (options.vaDelta ?? PAPER_DELTA.va);
      return centredSmooth(filled, delta, options.kernel);
    }
    const half = which === 'expression' ? options.expressionHalfWindowMs : options.vaHalfWindowMs;
    return centredSmoothTimed(t, filled, half, options.kernel);
  };
  const probs = smooth(interpolateGaps(t, rawProbs), 'expression');
  const va = smooth(interpolateGaps(t, rawVa), 'va');
  const labelOf = (p: readonly number[]): AffectClass => AFFECTNET_CLASSES[argmax(p)] ?? 'Neutral';
  const compound = probs ? probs.map(compoundProbs) : null;
  return {
    t,
    face: sorted.map((s) => s.face),
    rawLabels: rawProbs.map((p) => (p ? labelOf(p) : null)),
    probs,
    labels: probs ? probs.map(labelOf) : null,
    compound,
    compoundLabels: compound ? compound.map((c) => COMPOUND_CLASSES[argmax(c)] ?? COMPOUND_CLASSES[0]) : null,
    valence: va ? va.map((v) => v[0] ?? 0) : null,
    arousal: va ? va.map((v) => v[1] ?? 0) : null,
  };
}
