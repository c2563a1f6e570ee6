/**
 * Everything the live view keeps per participant track: the causal smoother (expressions, V/A,
 * compounds), the engagement index and the personal baseline. Pure: no DOM, no extension APIs.
 */
import { AU_NAMES } from '../../utils/types';
import { AFFECTNET_CLASSES } from '../affect/types';
import { PersonalBaseline } from './baseline';
import { pronouncedCompound, type CompoundClass } from './compound';
import { EngagementTracker, type EngagementResult } from './engagement';
import { CausalAffectFilter, PAPER_DELTA, PAPER_VIDEO_FPS, type SmoothedAffect } from './smoothing';
import type { TemporalSample } from './types';

/**
 * Live smoothing windows. The paper's Δ = 50 (expressions) and Δ = 10 (V/A) are frame counts on
 * Aff-Wild2's 30 fps video: its centred filter averages ±1.67 s and ±0.33 s around each frame. A
 * live overlay cannot look ahead, so it keeps the past half of that span: trailing windows of
 * Δ / 30 s — 1.67 s for expressions, 0.33 s for V/A. A box window's lag (mean sample age) is half
 * its length: ≈ 0.83 s and ≈ 0.17 s, within the 1 s the overlay allows; the full 2Δ + 1 span
 * (3.4 s) lagged 1.7 s and, on the grid video, missed segment changes for that long. (Keeping the
 * sample count instead would mean a 13 s window at 8 fps.) The session summary recomputes the
 * paper's full centred filter over the whole timeline, where looking ahead costs nothing.
 */
export const LIVE_WINDOWS = Object.freeze({
  expressionWindowMs: (PAPER_DELTA.expression / PAPER_VIDEO_FPS) * 1000,
  vaWindowMs: (PAPER_DELTA.va / PAPER_VIDEO_FPS) * 1000,
});


/** A window of 0 (smoothing off) still holds the latest frame: membership is age < window. */
function liveFilterWindows(w: { expressionWindowMs: number; vaWindowMs: number }) {
  return { expressionWindowMs: Math.max(1, w.expressionWindowMs), vaWindowMs: Math.max(1, w.vaWindowMs) };
}

export interface LiveReading {
  smoothed: SmoothedAffect;
  engagement: EngagementResult;
  /** A smile (`smileOf`): AU12 above this person's own resting level, or above the absolute threshold on a frame the expression model reads as Happiness. */
  smile: boolean;
  /** Whether the personal baseline had formed (enough of this person's frames). */
  baselineFormed: boolean;
  /** The smoothed compound expression when it is pronounced enough to show, else null. */
  compound: { label: CompoundClass; score: number } | null;
}

const AU12 = AU_NAMES.indexOf('AU12');
const HAPPINESS = AFFECTNET_CLASSES.indexOf('Happiness');

/**
 * Whether a frame shows a smile, from AU12 (the lip corner puller) and the frame's own expression
 * reading (`probs`, unsmoothed like the AUs, so both are of the same moment):
 * - against the person's resting AU12 once their baseline has formed (`relative`): a subtle smile
 *   of a face that rests at 0.00 counts, a neutral face that rests at 0.52 does not;
 * - or AU12 above the absolute threshold (`absolute`) on a frame the expression model reads as
 *   Happiness (p ≥ 0.5). The baseline is a median over the last minutes: someone who smiles for
 *   more than half of them has their smile as their "rest" — on the looping grid video, Subject 038's
 *   broad smiles read "No smile" on 93 of 128 Happiness frames, the actress's laughter on 69 of 72
 *   — while the two signals agreeing is a smile whatever the baseline says;
 * - an AU12 above the absolute threshold on a frame read as something else is not (a crying
 *   grimace pulls the lip corners too: the actress's sobbing read AU12 0.5 and "smile").
 * Without an expression reading (no affect model, a face too small for it) AU12 decides alone:
 * against the baseline once it has formed, else by the absolute threshold.
 */
export function smileOf(absolute: boolean, relative: { formed: boolean; active: boolean } | null, probs: readonly number[] | undefined): boolean {
  const happy = probs ? (probs[HAPPINESS] ?? 0) >= 0.5 : null;
  if (relative?.formed) return relative.active || (absolute && happy === true);
  return absolute && happy !== false;
}

export class ParticipantTemporal {
  readonly filter: CausalAffectFilter;
  readonly engagement = new EngagementTracker();
  readonly baseline = new PersonalBaseline();
  /** Wall-clock ms of the latest sample (to retire idle tracks). */
  lastSeen = 0;

  /** `windows`: the user's smoothing windows (ms; 0 = off, i.e. the latest frame only). */
  constructor(windows: { expressionWindowMs: number; vaWindowMs: number } = LIVE_WINDOWS) {
    this.filter = new CausalAffectFilter(liveFilterWindows(windows));
  }

  setWindows(windows: { expressionWindowMs: number; vaWindowMs: number }): void {
    const w = liveFilterWindows(windows);
    this.filter.setWindows(w.expressionWindowMs, w.vaWindowMs);
  }

  /** Feed one sample (a face, or the absence of one) and read the live state. */
  push(sample: TemporalSample, absoluteSmile: boolean): LiveReading {
    this.lastSeen = sample.t;
    this.filter.push(sample);
    this.engagement.push(sample);
    // Read against the baseline *before* this frame joins it, so a sudden smile is not its own reference.
    const au12 = sample.aus?.[AU12];
    const relative = au12 === undefined ? null : this.baseline.readAu('AU12', au12);
    this.baseline.push(sample);
    const smoothed = this.filter.read();
    const formed = relative?.formed ?? false;
    const compound = smoothed.probs ? pronouncedCompound(smoothed.probs) : null;
    return {
      smoothed,
      engagement: this.engagement.read(),
      smile: smileOf(absoluteSmile, relative, sample.probs),
      baselineFormed: formed,
      compound,
    };
  }
}
