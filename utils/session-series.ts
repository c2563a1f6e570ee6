/**
 * A participant's time series for the session: raw and smoothed outputs in time buckets, bounded
 * whatever the call's length. Pure: no storage, no clock.
 *
 * Each point is the mean of the frames that fell into one bucket of `resolutionMs` (250 ms to start
 * with, about one analysed frame per tile). When a series reaches {@link MAX_POINTS}, neighbouring
 * buckets are merged pairwise and the resolution doubles — so a 3-hour call keeps 8 s buckets
 * (≤ 1350 points per person), and a 10-minute one keeps 0.5 s buckets. Means stay exact under
 * merging because every point carries its frame counts.
 *
 * A point is a flat number array (compact to store; {@link POINT_FIELDS} names the slots), with
 * `NaN` where there was nothing to average (no face, no affect model): 39 numbers, ~180 bytes as
 * rounded JSON — 9 people × 1350 points ≈ 2.2 MB for the longest call.
 */
export const MAX_POINTS = 2048;
export const START_RESOLUTION_MS = 250;

/** Slots of a point, in order. Probabilities in AffectNet order; AUs in AU_NAMES order. */
export const POINT_FIELDS = [
  't', // bucket start, ms (capture clock)
  'frames', // analysed frames in the bucket
  'faceFrames', // of which with this participant's face
  'affectFrames', // of which with an affect reading
  'smoothFrames', // of which with a smoothed expression
  'engagementFrames', // of which with an engagement index
  ...['anger', 'contempt', 'disgust', 'fear', 'happiness', 'neutral', 'sadness', 'surprise'].map((c) => `raw_${c}`),
  'raw_valence',
  'raw_arousal',
  ...['anger', 'contempt', 'disgust', 'fear', 'happiness', 'neutral', 'sadness', 'surprise'].map((c) => `smooth_${c}`),
  'smooth_valence',
  'smooth_arousal',
  'engagement',
  ...['AU1', 'AU2', 'AU4', 'AU6', 'AU7', 'AU10', 'AU12', 'AU15', 'AU23', 'AU24', 'AU25', 'AU26'].map((a) => `au_${a}`),
] as const;
export type Point = number[];

/** Slot index of a named field. */
export function slot(name: string): number {
  const i = (POINT_FIELDS as readonly string[]).indexOf(name);
  if (i < 0) throw new RangeError(`no point field ${name}`);
  return i;
}
const F = {
  t: slot('t'),
  frames: slot('frames'),
  faceFrames: slot('faceFrames'),
  affectFrames: slot('affectFrames'),
  smoothFrames: slot('smoothFrames'),
  engagementFrames: slot('engagementFrames'),
  raw_valence: slot('raw_valence'),
  raw_arousal: slot('raw_arousal'),
  smooth_valence: slot('smooth_valence'),
  smooth_arousal: slot('smooth_arousal'),
  engagement: slot('engagement'),
};
const RAW = slot('raw_anger');
const SMOOTH = slot('smooth_anger');
const AUS = slot('au_AU1');

/** One analysed frame of one participant (a face, or this participant missing from the frame). */
export interface FrameSample {
  t: number;
  face: boolean;
  probs?: readonly number[];
  valence?: number;
  arousal?: number;
  smoothProbs?: readonly number[] | null;
  smoothValence?: number | null;
  smoothArousal?: number | null;
  engagement?: number | null;
  aus?: readonly number[];
}

const COUNTS = [F.frames, F.faceFrames, F.affectFrames, F.smoothFrames, F.engagementFrames];
const FIRST_VALUE = F.engagementFrames + 1;

/** Which frame count a value slot is the mean over. */
function weightSlot(i: number): number {
  if (i >= RAW && i < RAW + 10) return F.affectFrames;
  if (i >= SMOOTH && i < SMOOTH + 10) return F.smoothFrames;
  if (i === F.engagement) return F.engagementFrames;
  return F.faceFrames;
}

const round = (v: number) => (Number.isFinite(v) ? Math.round(v * 1000) / 1000 : NaN);

export interface SeriesSnapshot {
  resolutionMs: number;
  points: Point[];
}

export class ParticipantSeries {
  private resolution: number;
  private pts: Point[];
  private merges = 0;

  constructor(snapshot?: SeriesSnapshot) {
    this.resolution = snapshot?.resolutionMs ?? START_RESOLUTION_MS;
    this.pts = snapshot?.points.map((p) => [...p]) ?? [];
  }

  get resolutionMs(): number {
    return this.resolution;
  }
  get points(): readonly Point[] {
    return this.pts;
  }
  /** Times the series halved its points (each doubles the resolution). */
  get downsamplings(): number {
    return this.merges;
  }

  /**
   * Adds one frame (out-of-order frames join the bucket of their time). Returns the index of the
   * point it changed — 0 after a downsampling, which changes them all — or -1 when `t` is not finite.
   */
  add(s: FrameSample): number {
    if (!Number.isFinite(s.t)) return -1;
    const start = Math.floor(s.t / this.resolution) * this.resolution;
    // Usually the last bucket or a new one; a late frame finds its bucket further back.
    let idx = this.pts.length - 1;
    while (idx >= 0 && this.pts[idx]![F.t]! > start) idx--;
    let p: Point;
    if (idx >= 0 && this.pts[idx]![F.t] === start) {
      p = this.pts[idx]!;
    } else {
      p = emptyPoint(start);
      this.pts.splice(idx + 1, 0, p);
    }
    accumulate(p, s);
    if (this.pts.length > MAX_POINTS) {
      this.downsample();
      return 0;
    }
    return idx >= 0 && this.pts[idx] === p ? idx : idx + 1;
  }

  /** Merge neighbouring buckets pairwise: half the points, double the resolution (also when storage is full). */
  downsample(): void {
    this.resolution *= 2;
    this.merges++;
    const merged: Point[] = [];
    for (const p of this.pts) {
      const start = Math.floor(p[F.t]! / this.resolution) * this.resolution;
      const last = merged[merged.length - 1];
      if (last && last[F.t] === start) mergeInto(last, p);
      else merged.push([start, ...p.slice(1)]);
    }
    this.pts = merged;
  }

  snapshot(): SeriesSnapshot {
    return { resolutionMs: this.resolution, points: this.pts.map((p) => p.map(round)) };
  }
}

function emptyPoint(t: number): Point {
  const p = new Array<number>(POINT_FIELDS.length).fill(NaN);
  p[F.t] = t;
  for (const c of COUNTS) p[c] = 0;
  return p;
}

/** Running mean update of slot `i` with weight count `n` (after increment). */
function meanIn(p: Point, i: number, v: number | null | undefined, n: number): void {
  if (v === null || v === undefined || !Number.isFinite(v)) return;
  const old = p[i]!;
  p[i] = Number.isFinite(old) ? old + (v - old) / n : v;
}

function accumulate(p: Point, s: FrameSample): void {
  p[F.frames]!++;
  if (!s.face) return;
  const nf = ++p[F.faceFrames]!;
  s.aus?.forEach((v, k) => meanIn(p, AUS + k, v, nf));
  if (s.probs && s.probs.length === 8) {
    const n = ++p[F.affectFrames]!;
    s.probs.forEach((v, k) => meanIn(p, RAW + k, v, n));
    meanIn(p, F.raw_valence, s.valence, n);
    meanIn(p, F.raw_arousal, s.arousal, n);
  }
  if (s.smoothProbs && s.smoothProbs.length === 8) {
    const n = ++p[F.smoothFrames]!;
    s.smoothProbs.forEach((v, k) => meanIn(p, SMOOTH + k, v, n));
    meanIn(p, F.smooth_valence, s.smoothValence, n);
    meanIn(p, F.smooth_arousal, s.smoothArousal, n);
  }
  if (s.engagement !== null && s.engagement !== undefined && Number.isFinite(s.engagement)) meanIn(p, F.engagement, s.engagement, ++p[F.engagementFrames]!);
}

/** Frame-count-weighted merge of `b` into `a` (same bucket after a resolution change). */
function mergeInto(a: Point, b: Point): void {
  for (let i = FIRST_VALUE; i < POINT_FIELDS.length; i++) {
    const w = weightSlot(i);
    const na = a[w]!;
    const nb = b[w]!;
    const va = a[i]!;
    const vb = b[i]!;
    if (!Number.isFinite(vb)) continue;
    a[i] = Number.isFinite(va) && na + nb > 0 ? (va * na + vb * nb) / (na + nb) : vb;
  }
  for (const c of COUNTS) a[c]! += b[c]!;
}
