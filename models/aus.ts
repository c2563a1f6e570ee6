/**
 * ABAW's 12 action units from MediaPipe's 52 ARKit-style blendshapes (../shared/ALGORITHMS.md §3).
 * Pure: no DOM, no extension APIs — runs in Node tests and in the offscreen document alike.
 *
 * Left/right pairs are averaged. AUs are never smoothed over time (upstream: every smoothing
 * setting lowered AU F1).
 */
import { AU_NAMES, type AuName } from '../utils/types';

export type Blendshapes = Readonly<Record<string, number>>;

const avg = (b: Blendshapes, ...names: string[]) => names.reduce((s, n) => s + (b[n] ?? 0), 0) / names.length;
const pair = (b: Blendshapes, stem: string) => avg(b, `${stem}Left`, `${stem}Right`);

/** How each AU is read from the blendshapes. */
const AU_FROM_BLENDSHAPES: Record<AuName, (b: Blendshapes) => number> = {
  AU1: (b) => b.browInnerUp ?? 0, // inner brow raiser
  AU2: (b) => pair(b, 'browOuterUp'), // outer brow raiser
  AU4: (b) => pair(b, 'browDown'), // brow lowerer
  // Cheek raiser. `cheekSquint*` stays ≈0 on posed smiles in our data, while the eye squint that
  // comes with a Duchenne smile does show; take the stronger of the two.
  AU6: (b) => Math.max(pair(b, 'cheekSquint'), pair(b, 'eyeSquint')),
  AU7: (b) => pair(b, 'eyeSquint'), // lid tightener
  AU10: (b) => pair(b, 'mouthUpperUp'), // upper lip raiser
  AU12: (b) => pair(b, 'mouthSmile'), // lip corner puller
  AU15: (b) => pair(b, 'mouthFrown'), // lip corner depressor
  // Lip tightener has no direct blendshape: press + roll, low confidence.
  AU23: (b) => (pair(b, 'mouthPress') + avg(b, 'mouthRollLower', 'mouthRollUpper')) / 2,
  AU24: (b) => pair(b, 'mouthPress'), // lip pressor
  AU25: (b) => Math.max(pair(b, 'mouthLowerDown'), Math.min(1, (b.jawOpen ?? 0) * 2)), // lips part
  AU26: (b) => b.jawOpen ?? 0, // jaw drop
};

/**
 * Presence thresholds per AU, on the 0..1 intensity above. Upstream tuned one threshold per AU on
 * validation data (range 0.1–0.9); these are initial values chosen on the London set and are
 * meant to be re-tuned as labelled AU data arrives.
 */
export const AU_THRESHOLDS: Record<AuName, number> = {
  AU1: 0.35,
  AU2: 0.35,
  AU4: 0.35,
  AU6: 0.4,
  AU7: 0.45,
  AU10: 0.3,
  AU12: 0.4,
  AU15: 0.3,
  AU23: 0.4,
  AU24: 0.4,
  AU25: 0.3,
  AU26: 0.3,
};

/** AUs whose blendshape proxy is weak: show them greyed. */
export const LOW_CONFIDENCE_AUS: ReadonlySet<AuName> = new Set(['AU23']);

export interface AuReading {
  /** Intensities 0..1 in AU_NAMES order. */
  intensity: number[];
  /** Presence by AU_THRESHOLDS, in AU_NAMES order. */
  active: boolean[];
}

export function ausFromBlendshapes(b: Blendshapes): AuReading {
  const intensity = AU_NAMES.map((au) => clamp01(AU_FROM_BLENDSHAPES[au](b)));
  const active = AU_NAMES.map((au, i) => (intensity[i] ?? 0) >= AU_THRESHOLDS[au]);
  return { intensity, active };
}

/** A smile: the lip corner puller is present (AU12). */
export function isSmile(reading: AuReading): boolean {
  return reading.active[AU_NAMES.indexOf('AU12')] === true;
}

/** The `n` strongest present AUs, strongest first. */
export function strongestAus(reading: AuReading, n: number): { au: AuName; value: number }[] {
  return AU_NAMES.map((au, i) => ({ au, value: reading.intensity[i] ?? 0, on: reading.active[i] }))
    .filter((a) => a.on)
    .sort((a, b) => b.value - a.value)
    .slice(0, n)
    .map(({ au, value }) => ({ au, value }));
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
}
