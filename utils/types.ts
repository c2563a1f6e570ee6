/** Shared result and state types. Coordinates say their space; times say their clock. */

/** ABAW's 12 action units, in ABAW order (../shared/ALGORITHMS.md §3). */
export const AU_NAMES = ['AU1', 'AU2', 'AU4', 'AU6', 'AU7', 'AU10', 'AU12', 'AU15', 'AU23', 'AU24', 'AU25', 'AU26'] as const;
export type AuName = (typeof AU_NAMES)[number];

/** A box normalised to the analysed frame: 0..1 on both axes, origin top-left. */
export interface BoxNorm {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface FaceResult {
  boxNorm: BoxNorm;
  /** AU intensities 0..1, in AU_NAMES order. Not smoothed (upstream: smoothing hurts AU F1). */
  aus: number[];
  /** AU presence by per-AU threshold, in AU_NAMES order. */
  active: boolean[];
  /** Smile state from AU12 (+AU6): the badge's expression until the affect models land. */
  smile: boolean;
}

export interface StageTimings {
  /** ms to decode the JPEG into a bitmap in the offscreen document. */
  decode: number;
  /** ms for MediaPipe face landmarker (detection + landmarks + blendshapes). */
  landmarks: number;
  /** ms from receiving the frame to the reply (includes waiting for the engine). */
  total: number;
}

export interface FrameResult {
  tabId?: number;
  tileId: string;
  name: string;
  mediaTime: number;
  capturedAt: number;
  /** Date.now() when the result was ready. */
  doneAt: number;
  faces: FaceResult[];
  timings: StageTimings;
  pageMs: number;
}

export type EngineStatus =
  | { state: 'idle' }
  | { state: 'loading'; detail: string }
  | { state: 'ready'; backend: string; loadMs: number; /** Date.now() when loading finished: tells a re-initialised host apart. */ readyAt: number }
  | { state: 'model-missing'; file: string; hint: string }
  | { state: 'error'; message: string };

/** Per-tab user choices. Kept in `storage.session` so they survive a service-worker restart. */
export interface TabState {
  /** Analyse the tab's videos. */
  analysis: boolean;
  /** Draw the overlay on the tiles. */
  overlay: boolean;
}

export const DEFAULT_TAB_STATE: TabState = { analysis: true, overlay: true };
