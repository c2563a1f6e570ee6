/**
 * The session summary: per participant and for the room, from the stored series
 * (utils/session-series.ts), with the paper's centred filter (../shared/ALGORITHMS.md §4: fill the
 * buckets without a face by interpolation, centred ±Δ mean, argmax). Pure maths — the side panel
 * renders it, the CSV/JSON export writes it, tests check it.
 */
import { AFFECTNET_CLASSES, type AffectClass } from '../models/affect/types';
import { COMPOUND_CLASSES, pronouncedCompound, type CompoundClass } from '../models/temporal/compound';
import { PAPER_DELTA, PAPER_VIDEO_FPS, summariseTimeline } from '../models/temporal/smoothing';
import type { TemporalSample } from '../models/temporal/types';
import { POINT_FIELDS, slot, type Point } from './session-series';

/** The centred filter's half-windows in time: the paper's Δ frames on its 30 fps video. */
export const SUMMARY_HALF_WINDOW_MS = {
  expression: (PAPER_DELTA.expression / PAPER_VIDEO_FPS) * 1000,
  va: (PAPER_DELTA.va / PAPER_VIDEO_FPS) * 1000,
};

const S = {
  t: slot('t'),
  frames: slot('frames'),
  faceFrames: slot('faceFrames'),
  affectFrames: slot('affectFrames'),
  rawValence: slot('raw_valence'),
  rawArousal: slot('raw_arousal'),
  engagement: slot('engagement'),
  raw: slot('raw_anger'),
  au: slot('au_AU1'),
};

export interface Range {
  mean: number;
  min: number;
  max: number;
}

export interface Moment {
  /** ms on the capture clock (wall clock). */
  t: number;
  kind: 'most positive' | 'most negative' | 'most aroused' | 'longest expression';
  text: string;
}

export interface ParticipantSummary {
  id: string;
  name: string;
  /** Seconds with this participant's face analysed / in the session while their tile was analysed. */
  presentS: number;
  analysedS: number;
  /** Seconds per expression (centred labels over the buckets with a face). */
  expressionS: Record<AffectClass, number>;
  /** Seconds per pronounced compound expression. */
  compoundS: Record<CompoundClass, number>;
  valence: Range | null;
  arousal: Range | null;
  engagement: Range | null;
  moments: Moment[];
  /** Per bucket, for charts and export (centred; null where there was nothing to smooth). */
  timeline: {
    t: number[];
    face: boolean[];
    label: (AffectClass | null)[];
    probs: (number[] | null)[];
    valence: (number | null)[];
    arousal: (number | null)[];
    engagement: (number | null)[];
    compound: (CompoundClass | null)[];
  };
}

export interface RoomSummary {
  participants: number;
  /** Shares of all participants' face time per expression (0..1). */
  expressionShare: Record<AffectClass, number>;
  valence: Range | null;
  arousal: Range | null;
  engagement: Range | null;
  /** Mean over the participants present in each time step (the coarsest resolution among them). */
  timeline: { t: number[]; valence: (number | null)[]; arousal: (number | null)[]; engagement: (number | null)[] };
}

const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);

function range(values: readonly (number | null)[], weights?: readonly number[]): Range | null {
  let sum = 0;
  let w = 0;
  let min = Infinity;
  let max = -Infinity;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) return;
    const wi = weights?.[i] ?? 1;
    sum += v * wi;
    w += wi;
    min = Math.min(min, v);
    max = Math.max(max, v);
  });
  return w > 0 ? { mean: sum / w, min, max } : null;
}

/** One participant's summary from their stored points (any resolution). */
export function summariseParticipant(id: string, name: string, points: readonly Point[], resolutionMs: number): ParticipantSummary {
  const seconds = resolutionMs / 1000;
  const samples: TemporalSample[] = points.map((p) => {
    const face = (p[S.affectFrames] ?? 0) > 0;
    const probs = face ? AFFECTNET_CLASSES.map((_, k) => p[S.raw + k] ?? NaN) : undefined;
    return {
      t: p[S.t] ?? 0,
      face,
      ...(probs && probs.every(Number.isFinite) ? { probs } : {}),
      ...(finite(p[S.rawValence]) && finite(p[S.rawArousal]) ? { valence: p[S.rawValence], arousal: p[S.rawArousal] } : {}),
    };
  });
  const tl = summariseTimeline(samples, { unit: 'ms', expressionHalfWindowMs: SUMMARY_HALF_WINDOW_MS.expression, vaHalfWindowMs: SUMMARY_HALF_WINDOW_MS.va });
  const byT = new Map(points.map((p) => [p[S.t] ?? 0, p]));
  const hasFace = tl.t.map((t) => (byT.get(t)?.[S.faceFrames] ?? 0) > 0);
  const affectFace = tl.face;
  const expressionS = zeros(AFFECTNET_CLASSES);
  const compoundS = zeros(COMPOUND_CLASSES);
  // Compounds as the live view names them: both basic expressions visible (compound.ts).
  const compound: (CompoundClass | null)[] = tl.t.map((_, i) => (affectFace[i] && tl.probs?.[i] ? (pronouncedCompound(tl.probs[i]!)?.label ?? null) : null));
  tl.labels?.forEach((l, i) => {
    if (affectFace[i]) expressionS[l] += seconds;
    const c = compound[i];
    if (c) compoundS[c] += seconds;
  });
  const valence = tl.t.map((_, i) => (affectFace[i] && tl.valence ? (tl.valence[i] ?? null) : null));
  const arousal = tl.t.map((_, i) => (affectFace[i] && tl.arousal ? (tl.arousal[i] ?? null) : null));
  const engagement = tl.t.map((t) => {
    const v = byT.get(t)?.[S.engagement];
    return finite(v) ? v : null;
  });
  const weights = tl.t.map((t) => byT.get(t)?.[S.faceFrames] ?? 0);
  const labels = tl.t.map((_, i) => (affectFace[i] && tl.labels ? (tl.labels[i] ?? null) : null));
  return {
    id,
    name,
    presentS: hasFace.filter(Boolean).length * seconds,
    analysedS: tl.t.length * seconds,
    expressionS,
    compoundS,
    valence: range(valence),
    arousal: range(arousal),
    engagement: range(engagement, weights),
    moments: moments(tl.t, valence, arousal, labels, seconds),
    timeline: { t: tl.t, face: hasFace, label: labels, probs: tl.t.map((_, i) => (affectFace[i] && tl.probs ? (tl.probs[i] ?? null) : null)), valence, arousal, engagement, compound },
  };
}

/** Peaks of valence and arousal, and the longest stretch of one non-neutral expression. */
function moments(t: number[], valence: (number | null)[], arousal: (number | null)[], labels: (AffectClass | null)[], seconds: number): Moment[] {
  const out: Moment[] = [];
  const extreme = (values: (number | null)[], sign: 1 | -1) => {
    let best = -1;
    values.forEach((v, i) => {
      if (v !== null && (best < 0 || sign * v > sign * (values[best] ?? 0))) best = i;
    });
    return best;
  };
  const hi = extreme(valence, 1);
  const lo = extreme(valence, -1);
  const ar = extreme(arousal, 1);
  if (hi >= 0 && (valence[hi] ?? 0) > 0.2) out.push({ t: t[hi]!, kind: 'most positive', text: `valence ${(valence[hi] ?? 0).toFixed(2)}` });
  if (lo >= 0 && (valence[lo] ?? 0) < -0.2) out.push({ t: t[lo]!, kind: 'most negative', text: `valence ${(valence[lo] ?? 0).toFixed(2)}` });
  if (ar >= 0 && (arousal[ar] ?? 0) > 0.3) out.push({ t: t[ar]!, kind: 'most aroused', text: `arousal ${(arousal[ar] ?? 0).toFixed(2)}` });
  type Run = { start: number; len: number; label: AffectClass };
  const runs: Run[] = [];
  labels.forEach((l, i) => {
    if (!l || l === 'Neutral') return;
    const last = runs[runs.length - 1];
    if (last && last.label === l && last.start + last.len === i) last.len++;
    else runs.push({ start: i, len: 1, label: l });
  });
  const b = runs.reduce<Run | null>((x, r) => (!x || r.len > x.len ? r : x), null);
  if (b && b.len * seconds >= 2) out.push({ t: t[b.start]!, kind: 'longest expression', text: `${b.label} for ${Math.round(b.len * seconds)} s` });
  return out.sort((x, y) => x.t - y.t);
}

/** The room: everyone's face time pooled, and a mean timeline at the coarsest resolution. */
export function summariseRoom(people: readonly ParticipantSummary[], resolutions: readonly number[]): RoomSummary {
  const step = Math.max(1, ...resolutions);
  const totals = zeros(AFFECTNET_CLASSES);
  for (const p of people) for (const c of AFFECTNET_CLASSES) totals[c] += p.expressionS[c];
  const all = AFFECTNET_CLASSES.reduce((s, c) => s + totals[c], 0);
  const expressionShare = zeros(AFFECTNET_CLASSES);
  for (const c of AFFECTNET_CLASSES) expressionShare[c] = all > 0 ? totals[c] / all : 0;
  const buckets = new Map<number, { v: number[]; a: number[]; e: number[] }>();
  for (const p of people) {
    p.timeline.t.forEach((t, i) => {
      const key = Math.floor(t / step) * step;
      const b = buckets.get(key) ?? { v: [], a: [], e: [] };
      if (p.timeline.valence[i] !== null) b.v.push(p.timeline.valence[i]!);
      if (p.timeline.arousal[i] !== null) b.a.push(p.timeline.arousal[i]!);
      if (p.timeline.engagement[i] !== null) b.e.push(p.timeline.engagement[i]!);
      buckets.set(key, b);
    });
  }
  const keys = [...buckets.keys()].sort((a, b) => a - b);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
  const timeline = {
    t: keys,
    valence: keys.map((k) => mean(buckets.get(k)!.v)),
    arousal: keys.map((k) => mean(buckets.get(k)!.a)),
    engagement: keys.map((k) => mean(buckets.get(k)!.e)),
  };
  return {
    participants: people.length,
    expressionShare,
    valence: range(timeline.valence),
    arousal: range(timeline.arousal),
    engagement: range(timeline.engagement),
    timeline,
  };
}

/** CSV columns of the export, in order (documented in README → "Export"). */
export const CSV_COLUMNS = [
  'session_id',
  'call',
  'participant_id',
  'name',
  'time_iso',
  't_s',
  'resolution_ms',
  ...POINT_FIELDS.filter((f) => f !== 't'),
  'summary_label',
  'summary_valence',
  'summary_arousal',
  'summary_compound',
] as const;

export interface ExportParticipant {
  meta: { id: string; name: string; resolutionMs: number };
  points: readonly Point[];
  summary: ParticipantSummary;
}

const csvCell = (v: unknown): string => {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per participant per time step. */
export function toCsv(session: { id: string; call: string; startedAt: number }, people: readonly ExportParticipant[]): string {
  const rows: string[] = [CSV_COLUMNS.join(',')];
  for (const { meta, points, summary } of people) {
    const at = new Map(summary.timeline.t.map((t, i) => [t, i]));
    for (const p of points) {
      const t = p[S.t] ?? 0;
      const i = at.get(t);
      rows.push(
        [
          session.id,
          session.call,
          meta.id,
          meta.name,
          new Date(t).toISOString(),
          (t - session.startedAt) / 1000,
          meta.resolutionMs,
          ...p.slice(1),
          i === undefined ? null : summary.timeline.label[i],
          i === undefined ? null : summary.timeline.valence[i],
          i === undefined ? null : summary.timeline.arousal[i],
          i === undefined ? null : summary.timeline.compound[i],
        ]
          .map(csvCell)
          .join(','),
      );
    }
  }
  return rows.join('\n') + '\n';
}
