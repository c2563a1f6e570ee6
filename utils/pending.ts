/**
 * Replies awaited by request id, each with a timeout: a request whose answer never comes (the far
 * end of the channel went away) resolves with `undefined` after `timeoutMs`. Both ends of the frame
 * relay wait this way (utils/transport.ts RelayTransport, entrypoints/relay/main.ts).
 */
export class PendingReplies<T> {
  private readonly waiting = new Map<number, { resolve: (v: T | undefined) => void; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly timeoutMs: number) {}

  /** The answer to request `id`, or undefined after the timeout (then `onTimeout` runs too). */
  wait(id: number, onTimeout?: () => void): Promise<T | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(undefined);
        onTimeout?.();
      }, this.timeoutMs);
      this.waiting.set(id, { resolve, timer });
    });
  }

  /** The answer came: resolve its request (an id not waited for, or timed out, is ignored). */
  answer(id: number, value: T): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    w.resolve(value);
  }

  /** The far end is gone: every waiting request resolves with undefined now. */
  clear(): void {
    for (const w of this.waiting.values()) {
      clearTimeout(w.timer);
      w.resolve(undefined);
    }
    this.waiting.clear();
  }

  get size(): number {
    return this.waiting.size;
  }
}

/**
 * A frame's answer on one of the frame channels (engine → router → relay → page): the reply, and
 * (engine → router → relay) the frame's copied planes' buffer going back with it, transferred, so
 * the relay can put the page's next frame together in it (utils/raw-frame.ts `fromWire`,
 * BufferPool). A buffer already handed on (detached) stays behind.
 */
export type FrameAnswer<R> = { id: number; reply: R; buffer?: ArrayBuffer };

export function answerFrame<R>(port: { postMessage(message: FrameAnswer<R>, transfer: Transferable[]): void }, { id, reply, buffer }: FrameAnswer<R>): void {
  if (buffer && buffer.byteLength > 0) port.postMessage({ id, reply, buffer }, [buffer]);
  else port.postMessage({ id, reply }, []);
}
