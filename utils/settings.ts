/**
 * The user's settings, in one place for UI code: typed `storage.local` items with documented
 * defaults, plus the helpers that turn any stored or typed-in value into a valid one.
 *
 * Reading: `item.getValue()` returns the fallback until the user changes something. A stored value
 * may still be stale or odd (written by another version, edited in the devtools): readers that act
 * on it should pass it through the matching `normalise…` function. Writing: the `update…` helpers
 * read, merge a partial change, clamp and write, so a caller cannot store an invalid value.
 *
 * The affect-model choice and the retention of recorded sessions live with the code that owns
 * them (utils/storage.ts, utils/session-store.ts) and are only re-exported here.
 */
import { storage } from 'wxt/utils/storage';
import { LIVE_WINDOWS } from '../models/temporal/participant';
import { CAPTURE } from './config';
import { DEFAULT_RETENTION_DAYS, deleteSessions, retentionDaysItem } from './session-store';
import { affectBackendItem } from './storage';

export { affectBackendItem, retentionDaysItem };

// ── helpers ─────────────────────────────────────────────────────────────────────────────────────

/** `value` as a finite number within [min, max], rounded to `step`; `fallback` when it is not a number at all. */
export function clampNumber(value: unknown, min: number, max: number, fallback: number, step = 1): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) return fallback;
  const rounded = Math.round(n / step) * step;
  return Math.min(max, Math.max(min, rounded));
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ── smoothing windows ───────────────────────────────────────────────────────────────────────────

/** Trailing smoothing windows of the live overlay (models/temporal/smoothing.ts), in ms. 0 = off. */
export interface SmoothingSettings {
  /** Window for the expression probabilities (and compounds). */
  expressionWindowMs: number;
  /** Window for valence and arousal. */
  vaWindowMs: number;
}

/**
 * Allowed window lengths: 0 (off: every frame shown as analysed) to 10 s, whole milliseconds.
 * Longer windows would lag more than 5 s behind the face.
 */
export const SMOOTHING_LIMITS = Object.freeze({ minMs: 0, maxMs: 10_000, stepMs: 1 });

/**
 * Defaults: the live pipeline's windows (LIVE_WINDOWS, from the paper's Δ = 50 / 10 frames at
 * 30 fps): 1666.7 ms for expressions and 333.3 ms for valence/arousal, kept exact so the default
 * behaves exactly like the pipeline without settings.
 */
export const DEFAULT_SMOOTHING: Readonly<SmoothingSettings> = Object.freeze({ ...LIVE_WINDOWS });

/** A trailing box window's lag (the mean age of the samples it averages) is half its length. */
export function smoothingLagMs(windowMs: number): number {
  return Math.max(0, windowMs) / 2;
}

export function clampWindowMs(value: unknown, fallback: number): number {
  return clampNumber(value, SMOOTHING_LIMITS.minMs, SMOOTHING_LIMITS.maxMs, fallback, SMOOTHING_LIMITS.stepMs);
}

export function normaliseSmoothing(value: unknown): SmoothingSettings {
  const v = isRecord(value) ? value : {};
  return {
    // An untouched default stays exact (it is not a whole number of ms).
    expressionWindowMs: v.expressionWindowMs === DEFAULT_SMOOTHING.expressionWindowMs ? DEFAULT_SMOOTHING.expressionWindowMs : clampWindowMs(v.expressionWindowMs, DEFAULT_SMOOTHING.expressionWindowMs),
    vaWindowMs: v.vaWindowMs === DEFAULT_SMOOTHING.vaWindowMs ? DEFAULT_SMOOTHING.vaWindowMs : clampWindowMs(v.vaWindowMs, DEFAULT_SMOOTHING.vaWindowMs),
  };
}

export const smoothingItem = storage.defineItem<SmoothingSettings>('local:smoothing', { fallback: DEFAULT_SMOOTHING, version: 1 });

// ── frame-rate budget ───────────────────────────────────────────────────────────────────────────

export interface FrameBudgetSettings {
  /** Most frames per second analysed per tile (the content script's sampling rate). */
  fpsPerTile: number;
  /**
   * Processor budget, percent of the machine's total CPU time (all cores) that analysis may use;
   * above it the pipeline should analyse fewer frames. 100 = no limit beyond `fpsPerTile`.
   */
  cpuPercent: number;
}

/** 1–30 frames/s per tile (30: a call's video rarely has more); CPU budget 5–100 %, whole numbers. */
export const FRAME_BUDGET_LIMITS = Object.freeze({ minFps: 1, maxFps: 30, minCpuPercent: 5, maxCpuPercent: 100 });

/** Defaults: the capture rate of utils/config.ts (8 frames/s per tile) and half the CPU. */
export const DEFAULT_FRAME_BUDGET: Readonly<FrameBudgetSettings> = Object.freeze({ fpsPerTile: CAPTURE.fpsPerTile, cpuPercent: 50 });

export function normaliseFrameBudget(value: unknown): FrameBudgetSettings {
  const v = isRecord(value) ? value : {};
  const L = FRAME_BUDGET_LIMITS;
  return {
    fpsPerTile: clampNumber(v.fpsPerTile, L.minFps, L.maxFps, DEFAULT_FRAME_BUDGET.fpsPerTile),
    cpuPercent: clampNumber(v.cpuPercent, L.minCpuPercent, L.maxCpuPercent, DEFAULT_FRAME_BUDGET.cpuPercent),
  };
}

export const frameBudgetItem = storage.defineItem<FrameBudgetSettings>('local:frameBudget', { fallback: DEFAULT_FRAME_BUDGET, version: 1 });

// ── overlay contents ────────────────────────────────────────────────────────────────────────────

/** Which lines the badge on each face shows. */
export interface OverlayContents {
  /** Smoothed top expression and its probability. */
  expression: boolean;
  /** The valence/arousal circumplex dot. */
  valenceArousal: boolean;
  /** Smile and the strongest action units. */
  aus: boolean;
  /** Engagement index. */
  engagement: boolean;
  /** Compound expression, when pronounced. */
  compound: boolean;
}

export const OVERLAY_LINES = ['expression', 'valenceArousal', 'aus', 'engagement', 'compound'] as const satisfies readonly (keyof OverlayContents)[];

/** Default: every line shown, as the overlay does without settings. */
export const DEFAULT_OVERLAY_CONTENTS: Readonly<OverlayContents> = Object.freeze({ expression: true, valenceArousal: true, aus: true, engagement: true, compound: true });

export function normaliseOverlayContents(value: unknown): OverlayContents {
  const v = isRecord(value) ? value : {};
  const out = { ...DEFAULT_OVERLAY_CONTENTS };
  for (const line of OVERLAY_LINES) if (typeof v[line] === 'boolean') out[line] = v[line];
  return out;
}

export const overlayContentsItem = storage.defineItem<OverlayContents>('local:overlayContents', { fallback: DEFAULT_OVERLAY_CONTENTS, version: 1 });

// ── self-view ───────────────────────────────────────────────────────────────────────────────────

/**
 * Which tiles are analysed, by the site's self-view flag (utils/sites/, `Tile.isSelf`):
 * `include` all of them, `exclude` every tile but the user's own camera, `only` the user's own
 * camera. Sites that do not mark the self-view (Zoom web, plain `<video>` pages) have no self tile.
 */
export type SelfViewMode = 'include' | 'exclude' | 'only';
export const SELF_VIEW_MODES = ['include', 'exclude', 'only'] as const satisfies readonly SelfViewMode[];
export const DEFAULT_SELF_VIEW: SelfViewMode = 'include';

export function normaliseSelfView(value: unknown): SelfViewMode {
  return SELF_VIEW_MODES.find((m) => m === value) ?? DEFAULT_SELF_VIEW;
}

export const selfViewItem = storage.defineItem<SelfViewMode>('local:selfView', { fallback: DEFAULT_SELF_VIEW, version: 1 });

// ── what the meeting page uses ──────────────────────────────────────────────────────────────────

/**
 * The settings the content script uses. It reads them once and is then told of changes by the
 * background (`bg-cs-settings`): it does not watch storage itself, because every `storage.local`
 * write — the session store's series chunks, twice a second, old and new value — would be copied to
 * each meeting page and deserialised on its main thread (measured at 4 tiles: 22–75 ms/s, growing
 * with the session and the number of tiles).
 */
export interface PageSettings {
  selfView: SelfViewMode;
  overlayContents: OverlayContents;
  frameBudget: FrameBudgetSettings;
}

export async function readPageSettings(): Promise<PageSettings> {
  const [selfView, overlayContents, frameBudget] = await Promise.all([selfViewItem.getValue(), overlayContentsItem.getValue(), frameBudgetItem.getValue()]);
  return { selfView: normaliseSelfView(selfView), overlayContents: normaliseOverlayContents(overlayContents), frameBudget: normaliseFrameBudget(frameBudget) };
}

/** Follow changes of the page settings (the background does, for the meeting tabs); returns the unsubscribe function. */
export function watchPageSettings(cb: (s: PageSettings) => void): () => void {
  const changed = () => void readPageSettings().then(cb);
  const off = [selfViewItem.watch(changed), overlayContentsItem.watch(changed), frameBudgetItem.watch(changed)];
  return () => off.forEach((f) => f());
}

// ── first run ───────────────────────────────────────────────────────────────────────────────────

/** Whether the user acknowledged the welcome page ("I understand"). */
export const firstRunItem = storage.defineItem<boolean>('local:firstRunAcknowledged', { fallback: false, version: 1 });

// ── retention ───────────────────────────────────────────────────────────────────────────────────

/** Recorded sessions are kept 1 day to 1 year (whole days); by default DEFAULT_RETENTION_DAYS (30, utils/session-store.ts). */
export const RETENTION_LIMITS = Object.freeze({ minDays: 1, maxDays: 365, defaultDays: DEFAULT_RETENTION_DAYS });

export function clampRetentionDays(value: unknown): number {
  return clampNumber(value, RETENTION_LIMITS.minDays, RETENTION_LIMITS.maxDays, RETENTION_LIMITS.defaultDays);
}

// ── writers ─────────────────────────────────────────────────────────────────────────────────────

/** Merge `patch` into the stored smoothing windows, clamp, store; resolves with what was stored. */
export async function updateSmoothing(patch: Partial<Record<keyof SmoothingSettings, unknown>>): Promise<SmoothingSettings> {
  const next = normaliseSmoothing({ ...normaliseSmoothing(await smoothingItem.getValue()), ...patch });
  await smoothingItem.setValue(next);
  return next;
}

export async function updateFrameBudget(patch: Partial<Record<keyof FrameBudgetSettings, unknown>>): Promise<FrameBudgetSettings> {
  const next = normaliseFrameBudget({ ...normaliseFrameBudget(await frameBudgetItem.getValue()), ...patch });
  await frameBudgetItem.setValue(next);
  return next;
}

export async function updateOverlayContents(patch: Partial<Record<keyof OverlayContents, unknown>>): Promise<OverlayContents> {
  const next = normaliseOverlayContents({ ...normaliseOverlayContents(await overlayContentsItem.getValue()), ...patch });
  await overlayContentsItem.setValue(next);
  return next;
}

export async function setSelfView(value: unknown): Promise<SelfViewMode> {
  const next = normaliseSelfView(value);
  await selfViewItem.setValue(next);
  return next;
}

export async function setRetentionDays(value: unknown): Promise<number> {
  const next = clampRetentionDays(value);
  await retentionDaysItem.setValue(next);
  return next;
}

// ── data ────────────────────────────────────────────────────────────────────────────────────────

/**
 * "Delete all data": every recorded session and its series (`local:sessions`, `local:series:*`),
 * through the session store's own delete, then any series chunk no session lists any more.
 * Settings are kept. The per-tab frame logs in `storage.session` are not touched (they go with
 * their tab). Resolves with the number of sessions deleted.
 */
export async function deleteAllSessionData(): Promise<number> {
  const count = (await storage.getItem<unknown[]>('local:sessions'))?.length ?? 0;
  await deleteSessions();
  const left = Object.keys(await storage.snapshot('local')).filter((key) => key.startsWith('series:'));
  if (left.length) await storage.removeItems(left.map((key) => `local:${key}` as const));
  await storage.removeItem('local:sessions');
  return count;
}
