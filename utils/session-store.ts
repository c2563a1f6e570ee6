/**
 * The session store: per tab and call, per participant, the time series of raw and smoothed
 * outputs (utils/session-series.ts), persisted in `storage.local` so that a restarted service
 * worker — or a restarted browser — continues or shows the same session, with a history of past
 * sessions, a retention setting and "delete".
 *
 * Layout (all `local:`):
 *   sessions                   → SessionMeta[]           the history, newest last
 *   series:<session>:<p>:<n>   → Point[]                 chunk n of participant p's points
 * Only chunks that changed are written (normally the last of each participant that spoke up this
 * second); a downsampling rewrites that participant's chunks once.
 *
 * Used by the background only; one instance; calls are serialised by the caller (`record` awaits
 * its writes, so the offscreen document can keep frames until they are safely stored).
 */
import { storage } from 'wxt/utils/storage';
import { ParticipantSeries, type Point } from './session-series';
import type { FrameResult } from './types';
import { isQuotaError } from './storage';

/**
 * Points per stored chunk. Each write rewrites a participant's newest chunk, so its size is what
 * every write costs: 32 points (8 s at the start resolution). Was 128 — a CPU trace of the service
 * worker at 4 tiles had these writes at 66–79 ms/s; a session stored in 128-point chunks is
 * rewritten in the new layout once, when it goes on (`chunkPoints`).
 */
export const CHUNK_POINTS = 32;
/** The chunk size of a participant stored before `chunkPoints` was recorded. */
const FIRST_CHUNK_POINTS = 128;
export const DEFAULT_RETENTION_DAYS = 30;
/** Attempts to make room when storage is full before a batch is refused (and kept by its sender). */
const MAX_QUOTA_RETRIES = 6;

export interface ParticipantMeta {
  /** Participant id (`<tile key>#n`). */
  id: string;
  /** The tile's display name when last seen. */
  name: string;
  /** Short key used in storage keys. */
  key: number;
  resolutionMs: number;
  chunks: number;
  /** Points per chunk as stored (absent: written by a build with 128-point chunks). Readers just concatenate the chunks. */
  chunkPoints?: number;
  firstAt: number;
  lastAt: number;
}

/** What was done to make room when storage was full. */
export type StorageNotice = { kind: 'deleted-sessions'; count: number } | { kind: 'downsampled'; stepMs: number };

export interface SessionMeta {
  id: string;
  tabId: number;
  /** What the call was: the page's origin + path (no query: meeting links can carry secrets). */
  call: string;
  startedAt: number;
  /** Latest frame time. */
  lastAt: number;
  endedAt: number | null;
  participants: ParticipantMeta[];
  /** Set when storage ran short and older data were downsampled or dropped (the side panel says so). */
  notice: StorageNotice | null;
  /** Latest stored frame per tile (capture time): a batch sent again after a lost reply is not counted twice. */
  lastFrame: Record<string, number>;
}

export const sessionsItem = storage.defineItem<SessionMeta[]>('local:sessions', { fallback: [], version: 1 });
/**
 * The call each tab shows (from the content script's hello), kept across service-worker / event-page
 * restarts. Defined on first use: this module is also imported where `storage.session` is off limits
 * (the content script, through utils/settings.ts), and defining a session item touches the area.
 */
let tabCalls: ReturnType<typeof defineTabCalls> | null = null;
const defineTabCalls = () => storage.defineItem<Record<string, string>>('session:tabCalls', { fallback: {} });
const tabCallsItem = () => (tabCalls ??= defineTabCalls());
export const retentionDaysItem = storage.defineItem<number>('local:retentionDays', { fallback: DEFAULT_RETENTION_DAYS, version: 1 });

const chunkKey = (session: string, p: number, n: number) => `local:series:${session}:${p}:${n}` as const;

/** A participant's points, read back from storage. */
export async function readSeries(session: SessionMeta, p: ParticipantMeta): Promise<{ resolutionMs: number; points: Point[] }> {
  const keys = Array.from({ length: p.chunks }, (_, n) => chunkKey(session.id, p.key, n));
  const chunks = keys.length ? await storage.getItems(keys) : [];
  return { resolutionMs: p.resolutionMs, points: chunks.flatMap((c) => (c.value as Point[] | null) ?? []).map((pt) => pt.map((v) => (v === null ? NaN : v))) };
}

/** Delete sessions (all when `ids` is omitted) with their series. */
export async function deleteSessions(ids?: readonly string[]): Promise<void> {
  const all = await sessionsItem.getValue();
  const doomed = ids ? all.filter((s) => ids.includes(s.id)) : all;
  const keys = doomed.flatMap((s) => s.participants.flatMap((p) => Array.from({ length: p.chunks }, (_, n) => chunkKey(s.id, p.key, n))));
  if (keys.length) await storage.removeItems(keys);
  await sessionsItem.setValue(all.filter((s) => !doomed.includes(s)));
}

/** Drop ended sessions older than the retention setting. */
export async function applyRetention(now = Date.now()): Promise<number> {
  const days = await retentionDaysItem.getValue();
  const old = (await sessionsItem.getValue()).filter((s) => s.endedAt !== null && now - s.lastAt > days * 86_400_000);
  if (old.length) await deleteSessions(old.map((s) => s.id));
  return old.length;
}


interface Live {
  meta: SessionMeta;
  series: Map<string, ParticipantSeries>;
  /** Chunks to write per participant id: from this chunk index on (Infinity: none). */
  dirtyFrom: Map<string, number>;
}

export class SessionStore {
  /** Open sessions by tab, loaded lazily (after a service-worker restart, from storage). */
  private readonly open = new Map<number, Live>();
  /** The call each tab shows (origin + path), from the content script's hello; mirrored in storage.session. */
  private calls: Map<number, string> | null = null;

  private async tabCalls(): Promise<Map<number, string>> {
    this.calls ??= new Map(Object.entries(await tabCallsItem().getValue()).map(([tab, call]) => [Number(tab), call]));
    return this.calls;
  }

  /**
   * Add analysed frames and persist them. Resolves once they are in storage (so the sender can
   * forget them) with the frames that were new — a tile's frames are analysed in capture order, so
   * one not newer than the tile's last stored frame was stored before; rejects when storage failed
   * even after making room.
   */
  async record(results: readonly FrameResult[]): Promise<FrameResult[]> {
    const touched = new Set<Live>();
    const fresh: FrameResult[] = [];
    for (const r of results) {
      if (r.tabId === undefined) continue;
      const live = await this.sessionFor(r.tabId);
      if (r.capturedAt <= (live.meta.lastFrame[r.tileId] ?? -Infinity)) continue;
      live.meta.lastFrame[r.tileId] = r.capturedAt;
      this.add(live, r);
      touched.add(live);
      fresh.push(r);
    }
    for (const live of touched) await this.persist(live);
    return fresh;
  }

  /**
   * The tab shows this call now (the content script said hello from its page). A different call
   * than the open session's ends that session; the next recorded frame starts the new one — a page
   * visited without analysing anyone leaves no empty session behind.
   */
  async noteCall(tabId: number, call: string): Promise<void> {
    const calls = await this.tabCalls();
    if (calls.get(tabId) !== call) {
      calls.set(tabId, call);
      await tabCallsItem().setValue(Object.fromEntries(calls));
    }
    const live = this.open.get(tabId) ?? (await this.findOpen(tabId));
    if (!live || live.meta.call === call) return;
    if (live.meta.call === '') {
      // Started while the call was unknown (an older build): this is its call.
      live.meta.call = call;
      await this.saveMeta(live.meta);
    } else {
      await this.end(tabId);
    }
  }

  /** The tab's open session (after a restart, from storage), or a new one for its current call. */
  private async sessionFor(tabId: number): Promise<Live> {
    let live: Live | undefined = this.open.get(tabId) ?? (await this.findOpen(tabId));
    if (!live) {
      const now = Date.now();
      const call = (await this.tabCalls()).get(tabId) ?? '';
      const meta: SessionMeta = { id: `${now.toString(36)}-${crypto.randomUUID().slice(0, 8)}`, tabId, call, startedAt: now, lastAt: now, endedAt: null, participants: [], notice: null, lastFrame: {} };
      live = { meta, series: new Map(), dirtyFrom: new Map() };
      await sessionsItem.setValue([...(await sessionsItem.getValue()), meta]);
    }
    this.open.set(tabId, live);
    return live;
  }

  /** The tab's call ended (tab closed, page left): keep the session in the history. */
  async end(tabId: number): Promise<void> {
    const live = this.open.get(tabId) ?? (await this.findOpen(tabId));
    this.open.delete(tabId);
    if (!live) return;
    if (!live.meta.participants.length) {
      await deleteSessions([live.meta.id]); // nobody was analysed: nothing worth keeping
      return;
    }
    live.meta.endedAt = live.meta.lastAt;
    await this.saveMeta(live.meta);
    await applyRetention();
  }

  /** The tab was closed: its call ends, and the tab's call is forgotten. */
  async closeTab(tabId: number): Promise<void> {
    await this.end(tabId);
    const calls = await this.tabCalls();
    if (calls.delete(tabId)) await tabCallsItem().setValue(Object.fromEntries(calls));
  }

  /**
   * Sessions deleted by the user (a side-panel delete, "delete all data") while they were open:
   * forget them here too, or the next frames would write their metadata back. The tab's next frame
   * starts a fresh session.
   */
  dropDeleted(stored: readonly SessionMeta[]): void {
    const ids = new Set(stored.map((s) => s.id));
    for (const [tab, live] of this.open) if (!ids.has(live.meta.id)) this.open.delete(tab);
  }

  private async findOpen(tabId: number): Promise<Live | undefined> {
    const meta = (await sessionsItem.getValue()).filter((s) => s.tabId === tabId && s.endedAt === null).pop();
    return meta ? this.load(meta) : undefined;
  }

  private async load(meta: SessionMeta): Promise<Live> {
    const series = new Map<string, ParticipantSeries>();
    const dirtyFrom = new Map<string, number>();
    for (const p of meta.participants) {
      series.set(p.id, new ParticipantSeries(await readSeries(meta, p)));
      // Stored in chunks of another size: all of them are written afresh with the next frames.
      if (p.chunks > 0 && (p.chunkPoints ?? FIRST_CHUNK_POINTS) !== CHUNK_POINTS) dirtyFrom.set(p.id, 0);
    }
    return { meta, series, dirtyFrom };
  }

  private add(live: Live, r: FrameResult): void {
    const { meta } = live;
    meta.lastAt = Math.max(meta.lastAt, r.capturedAt);
    const present = new Set<string>();
    for (const f of r.faces) {
      present.add(f.participantId);
      this.push(live, f.participantId, r.name, {
        t: r.capturedAt,
        face: true,
        ...(f.affect ? { probs: f.affect.probs, valence: f.affect.valence, arousal: f.affect.arousal } : {}),
        smoothProbs: f.live?.probs ?? null,
        smoothValence: f.live?.valence ?? null,
        smoothArousal: f.live?.arousal ?? null,
        engagement: f.live?.engagement.index ?? null,
        aus: f.aus,
      });
    }
    // Known people of this tile missing from the frame: the frame counts, without a face.
    for (const p of meta.participants) {
      if (!present.has(p.id) && p.id.startsWith(`${r.tileId}#`)) this.push(live, p.id, p.name, { t: r.capturedAt, face: false });
    }
  }

  private push(live: Live, id: string, name: string, sample: Parameters<ParticipantSeries['add']>[0]): void {
    let p = live.meta.participants.find((x) => x.id === id);
    if (!p) {
      p = { id, name, key: live.meta.participants.length, resolutionMs: 0, chunks: 0, firstAt: sample.t, lastAt: sample.t };
      live.meta.participants.push(p);
      live.series.set(id, new ParticipantSeries());
    }
    const changed = live.series.get(id)!.add(sample);
    p.name = name;
    p.lastAt = Math.max(p.lastAt, sample.t);
    if (changed >= 0) live.dirtyFrom.set(id, Math.min(live.dirtyFrom.get(id) ?? Infinity, Math.floor(changed / CHUNK_POINTS)));
  }

  /**
   * Write the changed chunks and the session's metadata (with `lastFrame`, which says what is
   * stored) in one `storage.local.set`: a service worker stopped between two separate writes left
   * chunks holding frames their metadata did not know, and the batch sent again counted them twice.
   */
  private async persist(live: Live): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const { writes, removes } = this.pendingWrites(live);
      try {
        await storage.setItems([...writes, { item: sessionsItem, value: await this.withMeta(live.meta) }]);
        live.dirtyFrom.clear();
        if (removes.length) await storage.removeItems(removes);
        return;
      } catch (err) {
        // Only a full storage is ours to fix; anything else (a stopping worker) goes to the sender, which keeps the batch.
        if (attempt >= MAX_QUOTA_RETRIES || !isQuotaError(err)) throw err;
        await this.makeRoom(live);
      }
    }
  }

  /** The chunks that changed since the last write, and those a downsampling left unused. */
  private pendingWrites(live: Live): { writes: { key: ReturnType<typeof chunkKey>; value: Point[] }[]; removes: ReturnType<typeof chunkKey>[] } {
    const writes: { key: ReturnType<typeof chunkKey>; value: Point[] }[] = [];
    const removes: ReturnType<typeof chunkKey>[] = [];
    for (const [id, from] of live.dirtyFrom) {
      const p = live.meta.participants.find((x) => x.id === id)!;
      const snap = live.series.get(id)!.snapshot();
      const chunks = Math.ceil(snap.points.length / CHUNK_POINTS);
      for (let n = Math.min(from, chunks); n < chunks; n++) writes.push({ key: chunkKey(live.meta.id, p.key, n), value: snap.points.slice(n * CHUNK_POINTS, (n + 1) * CHUNK_POINTS) });
      for (let n = chunks; n < p.chunks; n++) removes.push(chunkKey(live.meta.id, p.key, n));
      p.chunks = chunks;
      p.chunkPoints = CHUNK_POINTS;
      p.resolutionMs = snap.resolutionMs;
    }
    return { writes, removes };
  }

  /**
   * Storage is full. First the oldest half of the ended sessions go; with none left, this call's
   * own series are downsampled (every participant's points merged pairwise: half the size, the
   * whole call kept at a coarser step). Either way the session's notice says so — the side panel
   * shows it — and nothing of the current call is silently lost.
   */
  private async makeRoom(live: Live): Promise<void> {
    const ended = (await sessionsItem.getValue()).filter((s) => s.endedAt !== null);
    if (ended.length) {
      const n = Math.max(1, Math.ceil(ended.length / 2));
      await deleteSessions(ended.slice(0, n).map((s) => s.id));
      live.meta.notice = { kind: 'deleted-sessions', count: n };
      return;
    }
    for (const [id, series] of live.series) {
      series.downsample();
      live.dirtyFrom.set(id, 0);
    }
    live.meta.notice = { kind: 'downsampled', stepMs: Math.max(...[...live.series.values()].map((s) => s.resolutionMs)) };
  }

  private async saveMeta(meta: SessionMeta): Promise<void> {
    await sessionsItem.setValue(await this.withMeta(meta));
  }

  /** The stored session list with this session's metadata in it. */
  private async withMeta(meta: SessionMeta): Promise<SessionMeta[]> {
    const all = await sessionsItem.getValue();
    const i = all.findIndex((s) => s.id === meta.id);
    if (i >= 0) all[i] = meta;
    else all.push(meta);
    return all;
  }
}
