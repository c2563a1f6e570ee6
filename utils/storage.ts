/**
 * Every storage item AffectLens keeps, in one place.
 * `session:` lives as long as the browser session and survives a service-worker restart;
 * `local:` survives browser restarts.
 */
import { storage } from 'wxt/utils/storage';
import type { AffectBackendId } from '../models/affect/types';
import { DEFAULT_TAB_STATE, type FrameResult, type TabState } from './types';

/** Per-tab analysis / overlay switches (popup). Keyed by tab id; gone with the tab. */
export function tabStateItem(tabId: number) {
  return storage.defineItem<TabState>(`session:tabState:${tabId}`, { fallback: DEFAULT_TAB_STATE, version: 1 });
}

/** Compact record of one analysed frame, for the session log. */
export interface LoggedResult {
  tileId: string;
  name: string;
  /** Media time of the frame (s). */
  t: number;
  /** Wall clock at capture (ms). */
  at: number;
  /** Capture-to-result latency (ms). */
  latency: number;
  /** Main-thread ms the meeting page spent capturing this frame. */
  pageMs: number;
  /** Which transport carried the frame. */
  via: FrameResult['via'];
  /** Per-stage ms in the inference host (decode, landmarks, total incl. queueing). */
  stages: FrameResult['timings'];
  faces: {
    participantId: string;
    boxNorm: FrameResult['faces'][number]['boxNorm'];
    aus: number[];
    smile: boolean;
    /** Expression probabilities (AffectNet order), valence, arousal, rounded to 3 decimals. */
    probs?: number[];
    valence?: number;
    arousal?: number;
    /** Live (smoothed) state: top expression, smile relative to the personal baseline, engagement index. */
    live?: { label: string | null; smile: boolean; baselineFormed: boolean; engagement: number | null; compound: string | null };
  }[];
}

/** Recent results of a tab (bounded ring), so a restarted service worker loses nothing. */
export function resultsItem(tabId: number) {
  return storage.defineItem<LoggedResult[]>(`session:results:${tabId}`, { fallback: [], version: 1 });
}

/** Most results kept per tab by the walking skeleton's log (the session store replaces it). */
export const RESULTS_PER_TAB = 4000;

/** The affect backend the user chose in the options, or `auto`: the best installed one. */
export const affectBackendItem = storage.defineItem<AffectBackendId | 'auto'>('local:affectBackend', { fallback: 'auto', version: 1 });
