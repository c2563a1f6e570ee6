/**
 * Still tiles repeated by the inference host, not by the meeting page.
 *
 * A tile whose picture does not change (a still face, a frozen camera, an avatar) used to send
 * "unchanged" at its frame rate: each a message from the page to the relay and on to the engine,
 * a reply back, and a draw, to learn that nothing changed. Now the page
 * says once that the tile is still (`HoldRequest`), and renews that every HOLD_RENEW_MS while it
 * stays still — all of a page's held tiles in one message (entrypoints/content `renewHolds`); the engine repeats the tile's last analysis at the tile's rate itself (each repeat a
 * frame for the session and the log, as before), and writes to the page only when what its overlay
 * shows would change (components/badge.ts `badgeKey`) — while the smoothing settles, then not at all.
 * Measured (README → Performance): the page's main thread −9 to −12 % at 4 tiles.
 *
 * A hold ends when any other frame of the tile arrives (its picture changed, or the keep-alive
 * picture), when the page releases it (the video paused, the tile hidden, analysis off), or, should
 * the page go quiet (a frozen or closed tab), HOLD_EXPIRY_MS after its last word: the host never
 * goes on inventing frames for a page that stopped.
 *
 * `HoldTable` is the bookkeeping, pure (time comes in), unit-tested; utils/engine-worker.ts runs it.
 */
import type { OverlayContents } from './settings';
import type { FrameRequest } from './protocol';

/** The page renews a still tile's hold this often (ms). */
export const HOLD_RENEW_MS = 400;
/** A hold the page has not renewed for this long ends (ms). */
export const HOLD_EXPIRY_MS = 900;
/**
 * A held tile's overlay is written at most this often (ms): while the smoothing settles, every
 * repeat changes the badge; the page gets the newest state every quarter second, not each one
 * (the live filter lags ~0.83 s by design; the overlay draws at most every 100 ms anyway).
 */
export const HOLD_PUSH_MIN_MS = 250;

/** The page's word that a tile is still: repeat its last analysis every `everyMs`. */
export interface HoldRequest {
  tabId: number;
  tileId: string;
  name: string;
  /** The tile's frame interval now (ms). */
  everyMs: number;
  /** The video's time and the wall clock at the page's last check of the picture. */
  mediaTime: number;
  capturedAt: number;
  /** Which badge lines the page shows (the options page): what `badgeKey` compares. */
  lines: OverlayContents;
}

interface Hold {
  request: HoldRequest;
  /** When a repeat was last pushed to the page (ms). */
  pushedAt: number;
  /** The page's last word (ms). */
  heardAt: number;
  /** When the next repeat is due (ms). */
  nextAt: number;
}

export const holdKey = (tabId: number | undefined, tileId: string) => `${tabId ?? -1}:${tileId}`;

export class HoldTable {
  private readonly holds = new Map<string, Hold>();

  get size(): number {
    return this.holds.size;
  }

  /** Start or renew a tile's hold. A new hold's first repeat is due now (it stands for the frame the page just checked). */
  hold(request: HoldRequest, now: number): void {
    const key = holdKey(request.tabId, request.tileId);
    const held = this.holds.get(key);
    if (held) {
      held.request = request;
      held.heardAt = now;
      // A shorter interval takes effect at once, not one long interval later.
      held.nextAt = Math.min(held.nextAt, now + request.everyMs);
    } else {
      this.holds.set(key, { request, heardAt: now, nextAt: now, pushedAt: -Infinity });
    }
  }

  /** End a tile's hold (another frame of it came, or the page released it). */
  release(key: string): void {
    this.holds.delete(key);
  }

  has(key: string): boolean {
    return this.holds.has(key);
  }

  /**
   * Whether a held tile's repeat that changes its overlay goes to the page now (then counted as
   * pushed). No: the next repeat is compared with what the page shows and goes when it may.
   */
  push(key: string, now: number): boolean {
    const h = this.holds.get(key);
    if (!h || now - h.pushedAt < HOLD_PUSH_MIN_MS) return false;
    h.pushedAt = now;
    return true;
  }

  /** The holds due now, each moved on by its interval; expired holds end here. */
  due(now: number): HoldRequest[] {
    const out: HoldRequest[] = [];
    for (const [key, h] of this.holds) {
      if (now - h.heardAt > HOLD_EXPIRY_MS) {
        this.holds.delete(key);
        continue;
      }
      if (h.nextAt > now) continue;
      out.push(h.request);
      // Behind (a busy engine): the next one an interval from now, not a burst to catch up.
      h.nextAt = Math.max(h.nextAt + h.request.everyMs, now + h.request.everyMs / 2);
    }
    return out;
  }

  /** Milliseconds until something is due or expires, or null with no hold. */
  wait(now: number): number | null {
    let soonest: number | null = null;
    for (const h of this.holds.values()) {
      const at = Math.min(h.nextAt, h.heardAt + HOLD_EXPIRY_MS + 1);
      soonest = soonest === null ? at : Math.min(soonest, at);
    }
    return soonest === null ? null : Math.max(0, soonest - now);
  }
}

/**
 * The held tiles whose holds go in the message that starts or renews `tile`'s: it, and each other
 * held tile (`heldAt`: when its hold was last sent, 0 when it is not held) whose renewal is at least
 * half due. Their renewals fall in step, so a page sends about one message every HOLD_RENEW_MS for
 * all its still tiles, not one per tile — each message to the relay's process costs the page ~1 ms
 * (README → Performance).
 */
export function renewalBatch<T extends { heldAt: number }>(tiles: Iterable<T>, tile: T, now: number): T[] {
  const out: T[] = [];
  for (const t of tiles) if (t === tile || (t.heldAt > 0 && now - t.heldAt >= HOLD_RENEW_MS / 2)) out.push(t);
  return out;
}

/** The frame a repeat stands for: the tile's picture unchanged, at `now` (the video played on meanwhile). */
export function repeatFrame(h: HoldRequest, now: number): FrameRequest {
  return {
    tileId: h.tileId,
    name: h.name,
    image: '',
    width: 0,
    height: 0,
    mediaTime: h.mediaTime + Math.max(0, now - h.capturedAt) / 1000,
    capturedAt: now,
    pageMs: 0,
    via: 'channel',
    unchanged: true,
    held: true,
  };
}
