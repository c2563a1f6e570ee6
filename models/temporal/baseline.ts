/**
 * A per-participant personal baseline of AU intensities and expression probabilities, to read
 * subtle expressions relative to the person's own resting face (issue 5 §4). Neutral faces differ:
 * on the London photos one person's neutral face scores mouthSmile 0.52 while another's real smile
 * is only 0.04. An absolute threshold calls the first smiling all the time and the second never.
 *
 * Choice of statistics: an exact sliding-window median and MAD (median absolute deviation) per
 * channel over the person's own recent face frames, sampled at most every `sampleEveryMs`
 * (default 200 ms, 1500 samples ⇒ the last ~5 minutes of that person's face).
 * - Robust: the median ignores expressions as long as the face is at rest in more than half of the
 *   window (breakdown point 50 %); a mean would drift towards every smile. `levelQuantile` < 0.5
 *   tolerates even more expression time (AUs only go up from rest) at the cost of a slight bias.
 * - Deterministic and exact (unlike a random reservoir), and it forgets (unlike P² or a whole-session
 *   reservoir), so a change of lighting or posture is absorbed within minutes.
 * - Bounded: `windowSize` values per channel, each kept twice (insertion ring + sorted array);
 *   insertion is a binary search plus one array move of ≤ windowSize numbers.
 *
 * Reading: for a value x, baseline level m and robust scale s = max(minScale, 1.4826 · MAD)
 * (1.4826 · MAD estimates σ for Gaussian noise):
 *   delta = x − m, ratio = max(0, delta / (1 − m))   (share of the headroom above rest, 0..1)
 *   z = delta / s,  active = formed && z ≥ zThreshold && delta ≥ minDelta
 * `active` answers "is this above *their* rest by more than their own noise": a resting 0.52 stays
 * inactive, a smile from 0.00 to 0.04 (z ≈ 4 with the default minScale 0.01) becomes active. `ratio`
 * is for display (it keeps 0..1 like the absolute intensity).
 */
import { AFFECTNET_CLASSES, AU_NAMES, NUM_AUS, NUM_EXPRESSIONS, type AffectClass, type AuName, type TemporalSample } from './types';

export interface BaselineConfig {
  /** Samples kept per channel (sliding window). */
  windowSize: number;
  /** At most one sample per this many ms enters the baseline (decouples it from the frame rate). */
  sampleEveryMs: number;
  /** The baseline is formed after at least this many samples … */
  formAfterSamples: number;
  /** … spanning at least this many ms of the person's face. */
  formAfterMs: number;
  /** Quantile used as the resting level (0.5 = median). */
  levelQuantile: number;
  /** Lower bound of the robust scale, so a perfectly still channel does not make noise look huge. */
  minScale: number;
  /** Robust z-score above which a value counts as active relative to the baseline. */
  zThreshold: number;
  /** Minimum rise above the baseline for `active`, in intensity/probability units. */
  minDelta: number;
}

/** Defaults of the personal baseline (initial values, to be tuned on the grid video). */
export const BASELINE_CONFIG: Readonly<BaselineConfig> = Object.freeze({
  windowSize: 1500,
  sampleEveryMs: 200,
  formAfterSamples: 25,
  formAfterMs: 5000,
  levelQuantile: 0.5,
  minScale: 0.01,
  zThreshold: 3,
  minDelta: 0.03,
});

/** Scale factor that makes the MAD a consistent estimator of σ for Gaussian data. */
const MAD_TO_SIGMA = 1.4826;

/** Exact median/quantiles/MAD over the last `size` values: an insertion ring plus a sorted copy. */
export class SlidingQuantiles {
  private readonly ring: Float64Array;
  private sorted: number[] = [];
  private head = 0;
  private count = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
    this.ring = new Float64Array(size);
  }

  get length(): number {
    return this.count;
  }

  push(x: number): void {
    if (this.count === this.size) {
      const old = this.ring[this.head] ?? 0;
      this.sorted.splice(this.lowerBound(old), 1);
      this.ring[this.head] = x;
      this.head = (this.head + 1) % this.size;
    } else {
      this.ring[(this.head + this.count) % this.size] = x;
      this.count++;
    }
    this.sorted.splice(this.lowerBound(x), 0, x);
  }

  /** Quantile q in [0, 1] with linear interpolation between order statistics; NaN when empty. */
  quantile(q: number): number {
    const n = this.sorted.length;
    if (n === 0) return Number.NaN;
    const pos = Math.min(1, Math.max(0, q)) * (n - 1);
    const lo = Math.floor(pos);
    const a = this.sorted[lo] ?? 0;
    const b = this.sorted[Math.min(n - 1, lo + 1)] ?? a;
    return a + (pos - lo) * (b - a);
  }

  /** Median absolute deviation from `center` (default the median): O(n) merge walk over the sorted values. */
  mad(center = this.quantile(0.5)): number {
    const s = this.sorted;
    const n = s.length;
    if (n === 0) return Number.NaN;
    // |x − c| is decreasing to the left of c and increasing to the right: merge the two runs.
    let right = this.lowerBound(center);
    let left = right - 1;
    const devs: number[] = [];
    const need = Math.floor(n / 2) + 1;
    while (devs.length < need) {
      const dl = left >= 0 ? center - (s[left] ?? 0) : Infinity;
      const dr = right < n ? (s[right] ?? 0) - center : Infinity;
      if (dl <= dr) {
        devs.push(dl);
        left--;
      } else {
        devs.push(dr);
        right++;
      }
    }
    const a = devs[Math.floor((n - 1) / 2)] ?? 0;
    const b = devs[Math.floor(n / 2)] ?? a;
    return (a + b) / 2;
  }

  clear(): void {
    this.sorted = [];
    this.head = 0;
    this.count = 0;
  }

  private lowerBound(x: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.sorted[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** A value read against the baseline. */
export interface RelativeReading {
  /** The value read. */
  value: number;
  /** The person's resting level (levelQuantile of their recent frames). */
  baseline: number;
  /** Robust noise scale: max(minScale, 1.4826 · MAD). */
  scale: number;
  /** value − baseline. */
  delta: number;
  /** max(0, delta / (1 − baseline)): how much of the headroom above rest is used, 0..1. */
  ratio: number;
  /** delta / scale. */
  z: number;
  /** Above this person's rest by more than their noise (and formed). */
  active: boolean;
  /** Whether the baseline had formed; readings before that are provisional. */
  formed: boolean;
}

/** One group of channels (AUs or expression probabilities) of the baseline. */
class ChannelGroup {
  readonly channels: SlidingQuantiles[];
  samples = 0;
  firstT = Number.NaN;
  lastT = Number.NaN;

  constructor(n: number, size: number) {
    this.channels = Array.from({ length: n }, () => new SlidingQuantiles(size));
  }

  push(t: number, values: readonly number[]): void {
    values.forEach((v, i) => this.channels[i]?.push(v));
    if (this.samples === 0) this.firstT = t;
    this.lastT = t;
    this.samples++;
  }

  clear(): void {
    for (const c of this.channels) c.clear();
    this.samples = 0;
    this.firstT = Number.NaN;
    this.lastT = Number.NaN;
  }
}

export type BaselineGroup = 'aus' | 'expression';

/** The personal baseline of one participant. Feed every sample; it keeps what it needs. */
export class PersonalBaseline {
  private readonly config: Readonly<BaselineConfig>;
  private readonly groups: Record<BaselineGroup, ChannelGroup>;
  private lastAcceptedT = -Infinity;

  constructor(config: Readonly<BaselineConfig> = BASELINE_CONFIG) {
    this.config = config;
    this.groups = {
      aus: new ChannelGroup(NUM_AUS, config.windowSize),
      expression: new ChannelGroup(NUM_EXPRESSIONS, config.windowSize),
    };
  }

  /**
   * Offers one sample. Face frames at least `sampleEveryMs` after the last accepted one enter the
   * baseline; returns whether this one did. A clock that jumped back restarts the rate limit.
   */
  push(s: TemporalSample): boolean {
    if (!s.face || !Number.isFinite(s.t)) return false;
    if (s.t < this.lastAcceptedT) this.lastAcceptedT = -Infinity; // capture clock restarted
    if (s.t - this.lastAcceptedT < this.config.sampleEveryMs) return false;
    const valid = (v: readonly number[] | undefined, n: number): v is readonly number[] =>
      v !== undefined && v.length === n && v.every((x) => Number.isFinite(x));
    let used = false;
    if (valid(s.aus, NUM_AUS)) {
      this.groups.aus.push(s.t, s.aus);
      used = true;
    }
    if (valid(s.probs, NUM_EXPRESSIONS)) {
      this.groups.expression.push(s.t, s.probs);
      used = true;
    }
    if (used) this.lastAcceptedT = s.t;
    return used;
  }

  /** Whether a group's baseline has formed (enough samples over enough time). */
  formed(group: BaselineGroup): boolean {
    const g = this.groups[group];
    return g.samples >= this.config.formAfterSamples && g.lastT - g.firstT >= this.config.formAfterMs;
  }

  /** Samples a group has taken in (all time), and the span they cover in ms. */
  progress(group: BaselineGroup): { samples: number; spanMs: number; formed: boolean } {
    const g = this.groups[group];
    return { samples: g.samples, spanMs: g.samples ? g.lastT - g.firstT : 0, formed: this.formed(group) };
  }

  /** Reads channel `index` of a group against the baseline; null before any sample. */
  read(group: BaselineGroup, index: number, value: number): RelativeReading | null {
    const ch = this.groups[group].channels[index];
    if (!ch || ch.length === 0) return null;
    const baseline = ch.quantile(this.config.levelQuantile);
    const scale = Math.max(this.config.minScale, MAD_TO_SIGMA * ch.mad());
    const delta = value - baseline;
    const z = delta / scale;
    const formed = this.formed(group);
    return {
      value,
      baseline,
      scale,
      delta,
      ratio: baseline < 1 ? Math.min(1, Math.max(0, delta / (1 - baseline))) : 0,
      z,
      active: formed && z >= this.config.zThreshold && delta >= this.config.minDelta,
      formed,
    };
  }

  /** One AU's intensity against the baseline (e.g. `readAu('AU12', 0.9)`). */
  readAu(au: AuName, value: number): RelativeReading | null {
    return this.read('aus', AU_NAMES.indexOf(au), value);
  }

  /** One expression probability against the baseline. */
  readExpression(cls: AffectClass, p: number): RelativeReading | null {
    return this.read('expression', AFFECTNET_CLASSES.indexOf(cls), p);
  }

  /** All 12 AUs against the baseline, in AU_NAMES order. */
  readAus(aus: readonly number[]): (RelativeReading | null)[] {
    return AU_NAMES.map((_, i) => this.read('aus', i, aus[i] ?? Number.NaN));
  }

  /**
   * The expression label relative to the baseline: among the non-neutral classes that are active
   * (above this person's rest by more than their noise), the one with the largest `ratio`;
   * 'Neutral' when none is; null until the expression baseline has formed.
   */
  relativeLabel(probs: readonly number[]): AffectClass | null {
    if (!this.formed('expression') || probs.length !== NUM_EXPRESSIONS) return null;
    let best: AffectClass = 'Neutral';
    let bestRatio = -Infinity;
    AFFECTNET_CLASSES.forEach((cls, i) => {
      if (cls === 'Neutral') return;
      const r = this.read('expression', i, probs[i] ?? 0);
      if (r?.active && r.ratio > bestRatio) {
        best = cls;
        bestRatio = r.ratio;
      }
    });
    return best;
  }

  /** Forgets the person (e.g. a different person took the tile). */
  reset(): void {
    this.groups.aus.clear();
    this.groups.expression.clear();
    this.lastAcceptedT = -Infinity;
  }
}
