/**
 * Everything the live view keeps per participant track: the causal smoother (expressions, V/A,
 * compounds), the engagement index and the personal baseline. Pure: no DOM, no extension APIs.
 */
import { AU_NAMES } from '../../utils/types';
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
  /** Smile read against this person's own resting AU12 once their baseline has formed, else AU12's absolute threshold. */
  smile: boolean;
  /** Whether the personal baseline had formed (enough of this person's frames). */
  baselineFormed: boolean;
  /** The smoothed compound expression when it is pronounced enough to show, else null. */
  compound: { label: CompoundClass; score: number } | null;
}

const AU12 = AU_NAMES.indexOf('AU12');

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
      smile: formed && relative ? relative.active : absoluteSmile,
      baselineFormed: formed,
      compound,
    };
  }
}
