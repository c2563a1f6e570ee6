import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { limitStorage } from '../support/quota';
import { appendResults, clearResults, readResults, RESULTS_CHUNK, RESULTS_PER_TAB, type LoggedResult } from '../../utils/storage';

const record = (i: number): LoggedResult => ({
  tileId: 'id:a',
  name: 'A',
  t: i / 10,
  at: i,
  latency: 50,
  pageMs: 3,
  via: 'relay',
  stages: { decode: 1, landmarks: 20, affect: 9, total: 40 },
  faces: [],
});

describe('session log in storage.session', () => {
  beforeEach(() => fakeBrowser.reset());

  it('appends in order across chunks and keeps the newest records within the bound', async () => {
    for (let i = 0; i < 5000; i += 37) await appendResults(7, Array.from({ length: Math.min(37, 5000 - i) }, (_, k) => record(i + k)));
    const log = await readResults(7);
    expect(log.at(-1)?.at).toBe(4999);
    expect(log.length).toBeLessThanOrEqual(RESULTS_PER_TAB + RESULTS_CHUNK);
    expect(log.length).toBeGreaterThanOrEqual(RESULTS_PER_TAB);
    expect(log.every((r, k) => k === 0 || r.at === log[k - 1]!.at + 1)).toBe(true);
    // No chunk beyond the bound is left behind.
    const keys = Object.keys(await fakeBrowser.storage.session.get(null)).filter((k) => k.startsWith('results:7:'));
    expect(keys.length).toBe(Math.ceil(log.length / RESULTS_CHUNK));
  });

  it('logs a batch sent again (after a stopped service worker) once, per tile', async () => {
    const other = (i: number): LoggedResult => ({ ...record(i), tileId: 'id:b' });
    await appendResults(3, [record(1), record(2), other(1)]);
    await appendResults(3, [record(1), record(2), record(3), other(1), other(2)]);
    expect((await readResults(3)).map((r) => `${r.tileId}@${r.at}`)).toEqual(['id:a@1', 'id:a@2', 'id:b@1', 'id:a@3', 'id:b@2']);
  });

  it('keeps tabs apart and clears one tab on request', async () => {
    await appendResults(1, [record(1)]);
    await appendResults(2, [record(2)]);
    await clearResults(1);
    expect(await readResults(1)).toEqual([]);
    expect((await readResults(2)).map((r) => r.at)).toEqual([2]);
  });

  it('a full storage.session (several call tabs) costs the tab its oldest frames, never the new ones', async () => {
    // Chrome's 10 MB storage.session quota, scaled down: room for ~3 chunks of these records in all.
    const QUOTA = 3 * RESULTS_CHUNK * JSON.stringify(record(0)).length;
    limitStorage('session', QUOTA);
    // Another call tab already holds a chunk.
    await appendResults(2, Array.from({ length: RESULTS_CHUNK }, (_, k) => record(k)));
    for (let i = 0; i < 3000; i += 50) await appendResults(7, Array.from({ length: 50 }, (_, k) => record(i + k)));
    const log = await readResults(7);
    expect(log.at(-1)?.at, 'the newest frame is logged').toBe(2999);
    expect(log.every((r, k) => k === 0 || r.at === log[k - 1]!.at + 1), 'no hole in what is kept').toBe(true);
    expect(log.length).toBeGreaterThanOrEqual(50);
    expect(log.length).toBeLessThan(3 * RESULTS_CHUNK);
    expect((await readResults(2)).length, 'the other tab keeps its frames').toBe(RESULTS_CHUNK);
  });
});
