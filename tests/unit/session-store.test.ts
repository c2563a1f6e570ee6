import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { limitStorage } from '../support/quota';
import { MAX_POINTS, ParticipantSeries, POINT_FIELDS, slot } from '../../utils/session-series';
import { applyRetention, CHUNK_POINTS, deleteSessions, readSeries, retentionDaysItem, SessionStore, sessionsItem } from '../../utils/session-store';
import type { FrameResult } from '../../utils/types';

const HAPPY = [0, 0, 0, 0, 0.9, 0.1, 0, 0];
const NEUTRAL = [0, 0, 0, 0, 0.1, 0.9, 0, 0];
const AUS = Array.from({ length: 12 }, () => 0.1);

function frame(tabId: number, tile: string, t: number, faces: { id: string; probs?: number[] }[]): FrameResult {
  return {
    tabId,
    tileId: tile,
    name: `Name of ${tile}`,
    mediaTime: t / 1000,
    capturedAt: t,
    doneAt: t + 100,
    faces: faces.map((f) => ({
      participantId: f.id,
      boxNorm: { x: 0.3, y: 0.3, w: 0.3, h: 0.3 },
      aus: AUS,
      active: AUS.map(() => false),
      smile: false,
      ...(f.probs ? { affect: { probs: f.probs, valence: 0.5, arousal: 0.2, vaSource: 'estimated-from-expression' as const, contemptAvailable: false, backend: 'faceapi-expression' as const } } : {}),
    })),
    timings: { decode: 1, landmarks: 20, affect: 5, total: 30 },
    pageMs: 2,
    via: 'relay',
  };
}

describe('a participant’s session series', () => {
  it('stays bounded for a 3-hour call at 8 frames/s, downsampling with exact means', () => {
    const s = new ParticipantSeries();
    const hours = 3;
    for (let t = 0; t < hours * 3600_000; t += 125) s.add({ t, face: true, probs: t % 2000 < 1000 ? HAPPY : NEUTRAL, valence: 0.5, arousal: 0.1, aus: AUS });
    expect(s.points.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(s.resolutionMs).toBe(8000);
    // Every frame is accounted for, and half of them were happy: the mean is exact after merging.
    const frames = s.points.reduce((n, p) => n + p[slot('frames')]!, 0);
    expect(frames).toBe((hours * 3600_000) / 125);
    for (const p of s.points.slice(1, -1)) expect(p[slot('raw_happiness')]).toBeCloseTo(0.5, 9);
    // As stored: 9 people's points as JSON fit easily in storage.local's 10 MB.
    const bytes = JSON.stringify(s.snapshot()).length * 9;
    expect(bytes).toBeLessThan(4 * 1024 * 1024);
    expect(POINT_FIELDS.length).toBe(s.points[0]!.length);
  });

  it('keeps absence as frames without a face and files late frames in their own bucket', () => {
    const s = new ParticipantSeries();
    s.add({ t: 0, face: true, probs: HAPPY });
    s.add({ t: 1000, face: false });
    expect(s.add({ t: 100, face: true, probs: NEUTRAL })).toBe(0); // late, same bucket as t = 0
    expect(s.add({ t: Number.NaN, face: true })).toBe(-1);
    const [a, b] = s.points;
    expect(a![slot('frames')]).toBe(2);
    expect(a![slot('raw_happiness')]).toBeCloseTo(0.5, 9);
    expect(b![slot('faceFrames')]).toBe(0);
    expect(Number.isNaN(b![slot('raw_happiness')])).toBe(true);
  });
});

describe('the session store', () => {
  beforeEach(() => fakeBrowser.reset());

  it('persists every frame so that a new store (a restarted service worker) continues the same session', async () => {
    const first = new SessionStore();
    await first.noteCall(5, 'https://meet.example/abc');
    for (let t = 0; t < 60_000; t += 250) await first.record([frame(5, 'tile-a', t, [{ id: 'tile-a#1', probs: HAPPY }])]);
    // The worker dies; a new one records the next frames.
    const second = new SessionStore();
    for (let t = 60_000; t < 90_000; t += 250) await second.record([frame(5, 'tile-a', t, [{ id: 'tile-a#1', probs: NEUTRAL }])]);
    const sessions = await sessionsItem.getValue();
    expect(sessions).toHaveLength(1);
    const [meta] = sessions;
    expect(meta!.participants.map((p) => p.id)).toEqual(['tile-a#1']);
    const { points, resolutionMs } = await readSeries(meta!, meta!.participants[0]!);
    expect(resolutionMs).toBe(250);
    expect(points).toHaveLength(360); // 90 s at 250 ms: no gap, no loss
    expect(points.reduce((n, p) => n + p[slot('frames')]!, 0)).toBe(360);
    expect(points.at(-1)![slot('raw_neutral')]).toBeCloseTo(0.9, 3);
  });

  it('starts a new session when the tab moves to another call, and keeps the old one in the history', async () => {
    const store = new SessionStore();
    await store.noteCall(5, 'https://meet.example/abc');
    await store.record([frame(5, 'tile-a', 0, [{ id: 'tile-a#1', probs: HAPPY }])]);
    await store.noteCall(5, 'https://meet.example/xyz');
    expect(await sessionsItem.getValue()).toHaveLength(1); // nothing recorded yet on the new call
    await store.record([frame(5, 'tile-b', 10_000, [{ id: 'tile-b#1', probs: HAPPY }])]);
    const sessions = await sessionsItem.getValue();
    expect(sessions.map((s) => [s.call, s.endedAt !== null])).toEqual([
      ['https://meet.example/abc', true],
      ['https://meet.example/xyz', false],
    ]);
  });

  it('keeps no session for a page where nobody was analysed', async () => {
    const store = new SessionStore();
    await store.noteCall(8, 'https://meet.example/lobby');
    await store.end(8);
    expect(await sessionsItem.getValue()).toEqual([]);
    await store.record([frame(8, 't', 0, [])]); // a frame without anyone in it
    await store.end(8);
    expect(await sessionsItem.getValue()).toEqual([]);
  });

  it('applies retention to ended sessions only, and deletes on request', async () => {
    const store = new SessionStore();
    await store.noteCall(1, 'a');
    await store.record([frame(1, 't', 0, [{ id: 't#1', probs: HAPPY }])]);
    await store.end(1);
    await store.noteCall(2, 'b');
    await store.record([frame(2, 't', 0, [{ id: 't#1', probs: HAPPY }])]);
    await retentionDaysItem.setValue(1);
    expect(await applyRetention(Date.now() + 2 * 86_400_000)).toBe(1);
    expect((await sessionsItem.getValue()).map((s) => s.call)).toEqual(['b']);
    await deleteSessions();
    expect(await sessionsItem.getValue()).toEqual([]);
    expect(Object.keys(await fakeBrowser.storage.local.get(null)).filter((k) => k.startsWith('series:'))).toEqual([]);
  });

  it('counts a batch sent twice (its reply was lost) once', async () => {
    const store = new SessionStore();
    const batch = [0, 250, 500].map((t) => frame(4, 'x', t, [{ id: 'x#1', probs: HAPPY }]));
    expect(await store.record(batch)).toHaveLength(3);
    expect(await new SessionStore().record([...batch, frame(4, 'x', 750, [{ id: 'x#1', probs: HAPPY }])])).toHaveLength(1);
    const [meta] = await sessionsItem.getValue();
    const { points } = await readSeries(meta!, meta!.participants[0]!);
    expect(points.reduce((n, p) => n + p[slot('frames')]!, 0)).toBe(4);
  });

  it('a stopped worker mid-write never counts a batch twice: chunks and metadata are written together', async () => {
    const store = new SessionStore();
    await store.record([frame(5, 'x', 0, [{ id: 'x#1', probs: HAPPY }])]);
    // Browser storage hands out copies (the fake, its own objects): what is not written stays unwritten.
    const get = fakeBrowser.storage.local.get.bind(fakeBrowser.storage.local);
    fakeBrowser.storage.local.get = (async (keys?: unknown) => structuredClone(await get(keys as never))) as typeof get;
    // The next write dies with the worker (its metadata part, if written apart, would be lost).
    const original = fakeBrowser.storage.local.set.bind(fakeBrowser.storage.local);
    let failures = 1;
    fakeBrowser.storage.local.set = async (items: Record<string, unknown>) => {
      if ('sessions' in items && failures-- > 0) throw new Error('Extension context invalidated.');
      return original(items);
    };
    const batch = [250, 500].map((t) => frame(5, 'x', t, [{ id: 'x#1', probs: HAPPY }]));
    await expect(store.record(batch)).rejects.toThrow();
    // The sender keeps the batch and sends it to the next worker.
    await new SessionStore().record(batch);
    const [meta] = await sessionsItem.getValue();
    const { points } = await readSeries(meta!, meta!.participants[0]!);
    expect(points.reduce((n, p) => n + p[slot('frames')]!, 0)).toBe(3);
  });

  it('knows the tab’s call after a restart (new store): the same session goes on, named by its call', async () => {
    const first = new SessionStore();
    await first.noteCall(8, 'https://meet.example/abc');
    // The service worker (or Firefox's event page) restarts before the first frame is stored.
    const second = new SessionStore();
    await second.record([frame(8, 'x', 0, [{ id: 'x#1', probs: HAPPY }])]);
    const third = new SessionStore();
    await third.noteCall(8, 'https://meet.example/abc');
    await third.record([frame(8, 'x', 250, [{ id: 'x#1', probs: HAPPY }])]);
    const sessions = await sessionsItem.getValue();
    expect(sessions.map((x) => [x.call, x.endedAt])).toEqual([['https://meet.example/abc', null]]);
    await third.closeTab(8);
    await new SessionStore().record([frame(8, 'x', 500, [{ id: 'x#1', probs: HAPPY }])]);
    expect((await sessionsItem.getValue()).map((x) => x.call)).toEqual(['https://meet.example/abc', '']);
  });

  it('when storage is full, deletes the oldest ended sessions, says so, and keeps the current one', async () => {
    const store = new SessionStore();
    for (const [tab, call] of [[1, 'old-1'], [2, 'old-2']] as const) {
      await store.noteCall(tab, call);
      await store.record([frame(tab, 't', 0, [{ id: 't#1', probs: HAPPY }])]);
      await store.end(tab);
    }
    await store.noteCall(3, 'now');
    const original = fakeBrowser.storage.local.set.bind(fakeBrowser.storage.local);
    let failures = 1;
    fakeBrowser.storage.local.set = async (items: Record<string, unknown>) => {
      if (Object.keys(items).some((k) => k.startsWith('series:')) && failures-- > 0) throw new Error('QUOTA_BYTES quota exceeded');
      return original(items);
    };
    await store.record([frame(3, 't', 0, [{ id: 't#1', probs: HAPPY }])]);
    const sessions = await sessionsItem.getValue();
    expect(sessions.map((x) => x.call)).toEqual(['old-2', 'now']);
    expect(sessions.at(-1)!.notice).toEqual({ kind: 'deleted-sessions', count: 1 });
    const { points } = await readSeries(sessions.at(-1)!, sessions.at(-1)!.participants[0]!);
    expect(points).toHaveLength(1);
  });

  it('when storage is full with no older session, downsamples the current call, says so, and loses no frame', { timeout: 30_000 }, async () => {
    // A 40 kB quota on storage.local, counted as Chrome does (key + JSON value bytes).
    limitStorage('local', 40_000);
    const store = new SessionStore();
    await store.noteCall(9, 'long call');
    let sent = 0;
    for (let t = 0; t < 12 * 60_000; t += 500) {
      await store.record([frame(9, 'a', t, [{ id: 'a#1', probs: HAPPY }]), frame(9, 'b', t, [{ id: 'b#1', probs: NEUTRAL }])]);
      sent += 2;
    }
    const [meta] = await sessionsItem.getValue();
    expect(meta!.notice).toEqual({ kind: 'downsampled', stepMs: Math.max(...meta!.participants.map((p) => p.resolutionMs)) });
    expect(meta!.participants.every((p) => p.resolutionMs > 250)).toBe(true);
    let frames = 0;
    for (const p of meta!.participants) {
      const { points } = await readSeries(meta!, p);
      frames += points.reduce((n, pt) => n + pt[slot('frames')]!, 0);
      // The whole call is still there, from its first to its last minute.
      expect(points[0]![slot('t')]).toBe(0);
      expect(points.at(-1)![slot('t')]!).toBeGreaterThan(11 * 60_000);
    }
    expect(frames).toBe(sent);
  });

  it('forgets a session deleted while it was recording; the next frame starts a new one', async () => {
    const store = new SessionStore();
    await store.record([frame(6, 't', 0, [{ id: 't#1', probs: HAPPY }])]);
    await deleteSessions();
    store.dropDeleted(await sessionsItem.getValue());
    await store.record([frame(6, 't', 1000, [{ id: 't#1', probs: HAPPY }])]);
    const sessions = await sessionsItem.getValue();
    expect(sessions).toHaveLength(1);
    const { points } = await readSeries(sessions[0]!, sessions[0]!.participants[0]!);
    expect(points.map((p) => p[slot('t')])).toEqual([1000]);
  });

  it('goes on with a session stored in 128-point chunks (an earlier build): rewritten once in the new layout, no point lost or doubled', async () => {
    const first = new SessionStore();
    for (let t = 0; t < 300 * 250; t += 250) await first.record([frame(6, 'tile-b', t, [{ id: 'tile-b#1', probs: HAPPY }])]);
    // Store it as the earlier build did: 128-point chunks, no chunkPoints in the metadata.
    const [stored] = await sessionsItem.getValue();
    const p = stored!.participants[0]!;
    const { points } = await readSeries(stored!, p);
    const prefix = `series:${stored!.id}:${p.key}:`;
    await fakeBrowser.storage.local.remove(Object.keys(await fakeBrowser.storage.local.get(null)).filter((k) => k.startsWith(prefix)));
    const old = Math.ceil(points.length / 128);
    for (let n = 0; n < old; n++) await fakeBrowser.storage.local.set({ [`${prefix}${n}`]: points.slice(n * 128, (n + 1) * 128).map((pt) => pt.map((v) => (Number.isFinite(v) ? v : null))) });
    const oldMeta = { ...p, chunks: old };
    delete oldMeta.chunkPoints;
    await sessionsItem.setValue([{ ...stored!, participants: [oldMeta] }]);

    // A new service worker (this build) records the next frames of the same call.
    const second = new SessionStore();
    for (let t = 300 * 250; t < 400 * 250; t += 250) await second.record([frame(6, 'tile-b', t, [{ id: 'tile-b#1', probs: NEUTRAL }])]);
    const [meta] = await sessionsItem.getValue();
    const now = meta!.participants[0]!;
    expect(now.chunkPoints).toBe(CHUNK_POINTS);
    const after = (await readSeries(meta!, now)).points;
    expect(after.map((pt) => pt[slot('t')])).toEqual(Array.from({ length: 400 }, (_, i) => i * 250));
    expect(after.reduce((n, pt) => n + pt[slot('frames')]!, 0)).toBe(400);
    const keys = Object.keys(await fakeBrowser.storage.local.get(null)).filter((k) => k.startsWith(prefix));
    expect(keys.length, 'chunks of the new size, none left over').toBe(Math.ceil(400 / CHUNK_POINTS));
  });

  it('writes only the chunk that changed', async () => {
    const store = new SessionStore();
    // Past the first chunk, into the second.
    for (let t = 0; t < (CHUNK_POINTS + 8) * 250; t += 250) await store.record([frame(3, 'x', t, [{ id: 'x#1', probs: HAPPY }])]);
    const writes: string[] = [];
    const original = fakeBrowser.storage.local.set.bind(fakeBrowser.storage.local);
    fakeBrowser.storage.local.set = async (items: Record<string, unknown>) => {
      writes.push(...Object.keys(items));
      return original(items);
    };
    await store.record([frame(3, 'x', (CHUNK_POINTS + 8) * 250, [{ id: 'x#1', probs: HAPPY }])]);
    expect(writes.filter((k) => k.startsWith('series:'))).toEqual([expect.stringMatching(/:0:1$/)]);
  });
});
