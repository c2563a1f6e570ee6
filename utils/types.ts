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

/** The affect model's reading of one face (absent when no affect model is loaded). */
export interface FaceAffect {
  /** Expression probabilities in AffectNet order (AFFECTNET_CLASSES); Contempt is 0 when not available. */
  probs: number[];
  /** Valence and arousal in [−1, 1]. */
  valence: number;
  arousal: number;
  /** `estimated-from-expression` for 7-class backends: shown as such. */
  vaSource: 'model' | 'estimated-from-expression';
  contemptAvailable: boolean;
  /** Id of the affect backend that produced this. */
  backend: string;
}

/** The participant's live state after temporal smoothing (models/temporal/participant.ts). */
export interface LiveAffect {
  /** Smoothed top expression (AffectNet class) and probabilities; null until the window has a face with affect. */
  label: string | null;
  probs: number[] | null;
  valence: number | null;
  arousal: number | null;
  /** Smoothed compound expression when pronounced enough to show. */
  compound: { label: string; score: number } | null;
  /** Engagement index (0..1, an index, not a measurement of attention) and its parts. */
  engagement: { index: number | null; components: Record<'presence' | 'frontal' | 'eyes' | 'expressivity' | 'arousal', number | null> };
  /** Smile relative to this person's own resting face once the baseline formed. */
  smile: boolean;
  baselineFormed: boolean;
  /** Lag the live windows introduce (mean sample age), ms. */
  lagMs: { expression: number | null; va: number | null };
}

export interface TooSmall {
  /** The face's shorter side in the analysed frame, px. */
  sizePx: number;
  /** The smallest face the affect model reads well, px. */
  minPx: number;
}

export interface FaceResult {
  /**
   * The person: the tile's participant key plus the face's track number (`<key>#1`), kept across
   * frames and short detection gaps (a meeting-room camera shows several people in one tile).
   */
  participantId: string;
  boxNorm: BoxNorm;
  affect?: FaceAffect;
  /** Set when the face is too small for the affect model (no `affect` then; AUs still come). */
  tooSmall?: TooSmall;
  /** AU intensities 0..1, in AU_NAMES order. Not smoothed (upstream: smoothing hurts AU F1). */
  aus: number[];
  /** AU presence by per-AU threshold, in AU_NAMES order. */
  active: boolean[];
  /** Smile from this frame's AU12 alone (absolute threshold). */
  smile: boolean;
  /** The participant's smoothed state (see LiveAffect). */
  live?: LiveAffect;
}

export interface StageTimings {
  /** ms the engine waited for the frame as a bitmap: the page's copied planes converted, or a JPEG decoded (0 for a transferred bitmap, and for a tab capture's cut). */
  decode: number;
  /**
   * ms the engine waited for a tab capture's region: the host reads the capture's frame back and
   * cuts the tile out on its own thread (tab-capture frames only; `decode` is 0 then).
   */
  cut?: number;
  /**
   * ms for BlazeFace alone, when the engine tried a light picture (utils/engine.ts
   * LIGHT_PER_LANDMARKED); where its faces did not pair with the last landmarked ones, the
   * landmarker ran after it.
   */
  detection?: number;
  /** ms for MediaPipe face landmarker (detection + landmarks + blendshapes); 0 for a light picture. */
  landmarks: number;
  /** ms to crop the faces and run the affect model on all of them (one batch). */
  affect: number;
  /**
   * ms after the models: action units from the blendshapes, face tracks, and the temporal layer
   * (smoothing windows, compound expression, engagement) of every face of the frame.
   */
  smoothing?: number;
  /** ms from receiving the frame to the reply (includes waiting for the engine). */
  total: number;
  /**
   * Share of the engine thread's time spent on frames over the last 2 s (0–1), when the frame was
   * answered (utils/scheduler.ts BusyWindow; the bench reports it as engineLoad).
   */
  load?: number;
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
  /** The page's last overlay draw before the frame was sent, ms (FrameRequest.drawMs). */
  drawMs?: number;
  via: 'channel' | 'relay' | 'direct' | 'capture';
  /** The picture had not changed: the tile's last analysed faces, repeated at this frame's time. */
  reused?: boolean;
  /** Repeated by the host for a still tile it holds, without a word from the page (utils/hold.ts). */
  held?: boolean;
  /** Analysed from the part of the frame around the tile's faces the page sent, not the whole frame (utils/raw-frame.ts `cropRect`). */
  cropped?: boolean;
  /**
   * A light picture: the faces found by BlazeFace alone, the expression and valence/arousal read
   * from this picture, the action units and head pose carried from the tile's last landmarked one.
   */
  light?: boolean;
  /** A still tile's picture, taken because it was due rather than changed (FrameRequest.still): read with the landmarker. */
  still?: boolean;
}

export type EngineStatus =
  | { state: 'idle' }
  | { state: 'loading'; detail: string }
  | {
      state: 'ready';
      /** What runs: the landmarker and, when one loaded, the affect backend. */
      backend: string;
      /** Id and label of the affect backend, or null when none could be loaded. */
      affect: { id: string; label: string; vaEstimated: boolean; contemptAvailable: boolean } | null;
      /** Why an affect backend is not the preferred one or is absent (e.g. a missing file), for the UI. */
      note: string | null;
      /** The affect model is still loading (faces and action units already run). */
      affectLoading?: boolean;
      loadMs: number;
      /** Date.now() when loading finished: tells a re-initialised host apart. */
      readyAt: number;
    }
  | { state: 'model-missing'; file: string; hint: string }
  | { state: 'error'; message: string };

/** Per-tab user choices. Kept in `storage.session` so they survive a service-worker restart. */
export interface TabState {
  /** Analyse the tab's videos. */
  analysis: boolean;
  /** Draw the overlay on the tiles. */
  overlay: boolean;
  /** The user started tab capture for this tab (Chrome; popup): canvas tiles the page will not give are read from it. */
  capture?: boolean;
}

export const DEFAULT_TAB_STATE: TabState = { analysis: true, overlay: true };
