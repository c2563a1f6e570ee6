/**
 * Results on their way to storage, kept until the receiver confirms it stored them. The inference
 * host outlives service-worker restarts; a batch whose send failed (no receiver, a worker killed
 * mid-write) is sent again with the next one, in order. Bounded: if the receiver stays away for
 * minutes, the oldest results go first (and are counted).
 */
import type { FrameResult } from './types';

export const OUTBOX_FLUSH_MS = 500;
export const OUTBOX_MAX = 20_000;

export class Outbox {
  private queue: FrameResult[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private sending = false;
  /** Results dropped because the receiver was unreachable for too long. */
  dropped = 0;

  constructor(
    /** Deliver a batch; resolve true once it is stored. */
    private readonly deliver: (batch: FrameResult[]) => Promise<boolean>,
    private readonly flushMs = OUTBOX_FLUSH_MS,
  ) {}

  push(result: FrameResult): void {
    this.queue.push(result);
    if (this.queue.length > OUTBOX_MAX) {
      const excess = this.queue.length - OUTBOX_MAX;
      this.queue.splice(0, excess);
      this.dropped += excess;
    }
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  get pending(): number {
    return this.queue.length;
  }

  async flush(): Promise<void> {
    this.timer = null;
    if (this.sending || !this.queue.length) return;
    this.sending = true;
    const batch = this.queue.slice();
    let ok = false;
    try {
      ok = await this.deliver(batch);
    } catch {
      ok = false;
    } finally {
      this.sending = false;
    }
    if (ok) this.queue.splice(0, batch.length);
    if (this.queue.length) this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }
}
