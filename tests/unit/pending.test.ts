import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PendingReplies } from '../../utils/pending';

describe('replies awaited by id', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('resolves each request with its own answer, in any order', async () => {
    const p = new PendingReplies<string>(1000);
    const a = p.wait(1);
    const b = p.wait(2);
    p.answer(2, 'two');
    p.answer(1, 'one');
    await expect(Promise.all([a, b])).resolves.toEqual(['one', 'two']);
    expect(p.size).toBe(0);
  });

  it('gives up after the timeout, tells the caller, and ignores a late answer', async () => {
    const p = new PendingReplies<string>(1000);
    const timedOut = vi.fn();
    const a = p.wait(1, timedOut);
    vi.advanceTimersByTime(999);
    expect(timedOut).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    await expect(a).resolves.toBeUndefined();
    expect(timedOut).toHaveBeenCalledOnce();
    p.answer(1, 'late');
    expect(p.size).toBe(0);
  });

  it('clear() answers every waiting request with undefined at once, and no timeout fires later', async () => {
    const p = new PendingReplies<string>(1000);
    const timedOut = vi.fn();
    const all = Promise.all([p.wait(1, timedOut), p.wait(2, timedOut)]);
    p.clear();
    await expect(all).resolves.toEqual([undefined, undefined]);
    vi.advanceTimersByTime(5000);
    expect(timedOut).not.toHaveBeenCalled();
  });
});
