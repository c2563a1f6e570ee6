import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PendingReplies, answerFrame, type FrameAnswer } from '../../utils/pending';

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

describe('a frame answered on a channel', () => {
  const received = (port: MessagePort) => new Promise<FrameAnswer<string>>((resolve) => (port.onmessage = (e) => resolve(e.data as FrameAnswer<string>)));

  it('sends the frame buffer back with the reply (transferred: gone from the sender)', async () => {
    const { port1, port2 } = new MessageChannel();
    const buffer = new Uint8Array([1, 2, 3, 4]).buffer;
    const got = received(port2);
    answerFrame(port1, { id: 7, reply: 'ok', buffer });
    const m = await got;
    expect(buffer.byteLength, 'detached on the sending side').toBe(0);
    expect({ id: m.id, reply: m.reply, bytes: [...new Uint8Array(m.buffer!)] }).toEqual({ id: 7, reply: 'ok', bytes: [1, 2, 3, 4] });
    port1.close();
  });

  it('answers without a buffer that was already handed on (detached)', async () => {
    const { port1, port2 } = new MessageChannel();
    const buffer = new ArrayBuffer(8);
    structuredClone(buffer, { transfer: [buffer] }); // handed on elsewhere
    const got = received(port2);
    answerFrame(port1, { id: 8, reply: 'dropped', buffer });
    expect(await got).toEqual({ id: 8, reply: 'dropped' });
    port1.close();
  });
});
