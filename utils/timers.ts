/**
 * The content script's timers: the page's own `setTimeout`, each forgotten when it fires or is
 * cleared, all cleared at once when the script is cut off from the extension.
 *
 * Not WXT's `ctx.setTimeout`: it adds an "invalidated" listener to the context's AbortSignal per
 * call and never removes it. At a tile's frame rate that is ~30 listeners a second with 4 tiles,
 * kept for the page's life, and each new one costs more than the last (the browser looks through
 * the signal's listeners for a duplicate): measured in the bench's CPU profile of the page,
 * `addEventListener` 4.9 ms/s of the page's main thread after 40 s of a 4-tile call, and growing.
 */
export type TimerId = ReturnType<typeof setTimeout>;

export class Timers {
  private readonly pending = new Set<TimerId>();

  /** `alive`: whether the script may still act (checked when a timer fires). */
  constructor(private readonly alive: () => boolean) {}

  /** Run `fn` after `ms`, if the script is still alive then. */
  set(fn: () => void, ms: number): TimerId {
    const id = setTimeout(() => {
      this.pending.delete(id);
      if (this.alive()) fn();
    }, ms);
    this.pending.add(id);
    return id;
  }

  clear(id: TimerId | null): void {
    if (id === null) return;
    clearTimeout(id);
    this.pending.delete(id);
  }

  /** Clear every pending timer (the script was cut off). */
  clearAll(): void {
    for (const id of this.pending) clearTimeout(id);
    this.pending.clear();
  }

  /** Timers pending now. */
  get size(): number {
    return this.pending.size;
  }
}
