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
  /** Main-thread ms of the page's last overlay draw before this frame (FrameRequest.drawMs). */
  drawMs?: number;
  /** Which transport carried the frame. */
  via: FrameResult['via'];
  /** The picture had not changed: the last analysis repeated (see FrameRequest.unchanged). */
  reused?: boolean;
  /** Repeated by the host for a still tile it holds (FrameResult.held). */
  held?: boolean;
  /** From the part of the frame around the faces (FrameResult.cropped). */
  cropped?: boolean;
  /** Read with BlazeFace alone, the action units carried from the last landmarked picture (FrameResult.light). */
  light?: boolean;
  /** A still tile's picture, due rather than changed (FrameResult.still). */
  still?: boolean;
  /** Per-stage ms in the inference host (decode, landmarks, total incl. queueing). */
  stages: FrameResult['timings'];
  faces: {
    participantId: string;
    boxNorm: FrameResult['faces'][number]['boxNorm'];
    aus: number[];
    smile: boolean;
    /** Expression probabilities (AffectNet order), valence, arousal, rounded to 3 decimals. */
    probs?: number[];
    /** Which affect backend produced `probs`. */
    backend?: string;
    valence?: number;
    arousal?: number;
    /** The face's size (px) when it was too small for the affect model (then no `probs`). */
    tooSmallPx?: number;
    /** Live (smoothed) state: top expression, smile relative to the personal baseline, engagement index. */
    live?: { label: string | null; smile: boolean; baselineFormed: boolean; engagement: number | null; compound: string | null };
  }[];
}

/**
 * Most results kept per tab by the live log of recent frames (the session store keeps the whole
 * call). A record is ~2.7 kB with faces, so 2000 (≈ a minute at 4 tiles) take ~5 MB of
 * `storage.session`'s 10 MB; more tabs than fit make room (see `appendResults`).
 */
export const RESULTS_PER_TAB = 2000;
/**
 * Records per storage chunk: appending rewrites only the newest chunk (a full one not at all),
 * never the whole log. 50, not 200: a CPU trace of the service worker at 4 tiles had these writes
 * at 85 ms/s with 200-record chunks, 39 with 50.
 */
export const RESULTS_CHUNK = 50;

/** Which chunks of a tab's log exist (`session:results:<tab>:<first…last>`), and each tile's newest logged capture. */
interface ResultsIndex {
  first: number;
  last: number;
  lastAt?: Record<string, number>;
}
const resultsIndexItem = (tabId: number) => storage.defineItem<ResultsIndex | null>(`session:resultsIndex:${tabId}`, { fallback: null });
const chunkKey = (tabId: number, n: number) => `session:results:${tabId}:${n}` as const;

/**
 * Append records to a tab's session log in `storage.session` (it survives a service-worker restart).
 * Idempotent: a record no newer than its tile's last logged capture is skipped, so a batch sent
 * again after a stopped service worker is logged once. The chunks and the index are one write.
 * Cost per call: one chunk read, and the records written with the newest chunk's (≤ RESULTS_CHUNK - 1 earlier
 * ones); the oldest chunks go once the log exceeds RESULTS_PER_TAB.
 * Callers serialise appends for a tab (the background is the only writer).
 */
export async function appendResults(tabId: number, records: readonly LoggedResult[]): Promise<void> {
  const stored = await resultsIndexItem(tabId).getValue();
  const index: Required<ResultsIndex> = { first: stored?.first ?? 0, last: stored?.last ?? 0, lastAt: { ...stored?.lastAt } };
  const fresh = records.filter((r) => {
    if (r.at <= (index.lastAt[r.tileId] ?? -Infinity)) return false;
    index.lastAt[r.tileId] = r.at;
    return true;
  });
  if (!fresh.length) return;
  let newest = (await storage.getItem<LoggedResult[]>(chunkKey(tabId, index.last))) ?? [];
  if (newest.length >= RESULTS_CHUNK) {
    // Full: it stays as it is, the records start the next chunk.
    index.last++;
    newest = [];
  }
  let chunk = [...newest, ...fresh];
  const writes: { key: `session:${string}`; value: unknown }[] = [];
  while (chunk.length > RESULTS_CHUNK) {
    writes.push({ key: chunkKey(tabId, index.last), value: chunk.slice(0, RESULTS_CHUNK) });
    chunk = chunk.slice(RESULTS_CHUNK);
    index.last++;
  }
  writes.push({ key: chunkKey(tabId, index.last), value: chunk });
  const dropped: ReturnType<typeof chunkKey>[] = [];
  while ((index.last - index.first) * RESULTS_CHUNK >= RESULTS_PER_TAB) dropped.push(chunkKey(tabId, index.first++));
  // Old chunks go first: the writes must fit next to what stays.
  if (dropped.length) await storage.removeItems(dropped);
  for (let attempt = 0; ; attempt++) {
    try {
      await storage.setItems([...writes, { key: `session:resultsIndex:${tabId}`, value: index }]);
      return;
    } catch (err) {
      // storage.session is full (several call tabs, or bigger records than expected): this tab's
      // older half goes, then all of its older chunks — it is a log of recent frames, the session
      // store keeps the call.
      const older = index.last - index.first - writes.length + 1;
      if (!isQuotaError(err) || attempt >= 2 || older <= 0) throw err;
      const drop = attempt === 0 ? Math.max(1, Math.ceil(older / 2)) : older;
      const keys = Array.from({ length: drop }, (_, i) => chunkKey(tabId, index.first + i));
      index.first += drop;
      await storage.removeItems(keys);
    }
  }
}

/** Chrome: "QUOTA_BYTES quota exceeded" / "Resource::kQuotaBytes quota exceeded"; Firefox: QuotaExceededError. */
export function isQuotaError(err: unknown): boolean {
  return /quota/i.test(err instanceof Error ? `${err.name} ${err.message}` : String(err));
}

/** A tab's whole session log, oldest first. */
export async function readResults(tabId: number): Promise<LoggedResult[]> {
  const index = await resultsIndexItem(tabId).getValue();
  if (!index) return [];
  const keys = Array.from({ length: index.last - index.first + 1 }, (_, i) => chunkKey(tabId, index.first + i));
  const chunks = await storage.getItems(keys);
  return chunks.flatMap((c) => (c.value as LoggedResult[] | null) ?? []);
}

/** Forget a tab's session log. */
export async function clearResults(tabId: number): Promise<void> {
  const index = await resultsIndexItem(tabId).getValue();
  if (!index) return;
  const keys = Array.from({ length: index.last - index.first + 1 }, (_, i) => chunkKey(tabId, index.first + i));
  await storage.removeItems([...keys, `session:resultsIndex:${tabId}`]);
}

/** The affect backend the user chose in the options, or `auto`: the best installed one. */
export const affectBackendItem = storage.defineItem<AffectBackendId | 'auto'>('local:affectBackend', { fallback: 'auto', version: 1 });
