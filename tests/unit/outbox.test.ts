import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Outbox, OUTBOX_MAX } from '../../utils/outbox';
import type { FrameResult } from '../../utils/types';

const result = (i: number) => ({ tileId: 't', capturedAt: i }) as FrameResult;

describe('outbox', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps a batch until the receiver confirms it, then sends it again with the next, in order', async () => {
    const sent: number[][] = [];
    let up = false;
    const box = new Outbox(async (batch) => {
      sent.push(batch.map((r) => r.capturedAt));
      if (!up) throw new Error('Could not establish connection. Receiving end does not exist.');
      return true;
    }, 500);
    box.push(result(1));
    box.push(result(2));
    await vi.advanceTimersByTimeAsync(500);
    expect(box.pending).toBe(2); // the service worker was gone
    box.push(result(3));
    up = true;
    await vi.advanceTimersByTimeAsync(500);
    expect(sent).toEqual([[1, 2], [1, 2, 3]]);
    expect(box.pending).toBe(0);
  });

  it('treats a reply that does not confirm as not stored', async () => {
    const box = new Outbox(async () => false, 100);
    box.push(result(1));
    await vi.advanceTimersByTimeAsync(100);
    expect(box.pending).toBe(1);
  });

  it('is bounded: the oldest results go first, and are counted', () => {
    const box = new Outbox(async () => false, 100);
    for (let i = 0; i < OUTBOX_MAX + 5; i++) box.push(result(i));
    expect(box.pending).toBe(OUTBOX_MAX);
    expect(box.dropped).toBe(5);
  });
});
