import type { StageTimings } from './types';

/**
 * The analysis rate per tile: a scheduler, not a fixed interval. Pure, no DOM.
 *
 * - **CPU budget.** The inference host spends `engineMs` per frame (decode + landmarks + affect
 *   model, measured on recent replies). With a budget of `budgetPct` % of one core it can afford
 *   `budgetPct / 100 · 1000 / engineMs` frames per second in total, shared by the tiles.
 * - **Tiles.** That total is divided among the tiles being analysed, capped per tile by the user's
 *   `maxFps` and never below `minFps` (the smoothing windows need samples; below that the budget is
 *   exceeded rather than the analysis stopped).
 * - **Change in the picture.** A tile whose picture did not change since its last analysed frame
 *   (a frozen camera, a still slide, an avatar) is skipped — its last result stays on screen — but
 *   analysed at least every `keepAliveMs`, so a person who starts moving again is not missed for long.
 */
export interface RateInput {
  /** Tiles currently analysed (visible, playing). */
  tiles: number;
  /** Recent inference cost per frame, ms (null before the first reply). */
  engineMs: number | null;
  /** Share of one CPU core the analysis may use, % (over 100 with several engine threads: 200 = two cores). */
  budgetPct: number;
  /** Most frames per second per tile (the user's setting). */
  maxFps: number;
  /** Fewest frames per second per tile. */
  minFps?: number;
}

export const MIN_FPS = 1;
export const KEEPALIVE_MS = 2000;
/**
 * What the engine's repeat of an unchanged picture counts for in the cost meter (ms): the least any
 * frame counts (its own time, the smoothing, is ~0.2 ms; a repeat the host makes by itself for a
 * held tile, utils/hold.ts, is counted by the page at this).
 */
export const UNCHANGED_COST_MS = 0.5;
/** Mean absolute difference (0–255) of the 16×16 grey thumbnails (of the face region) below which a picture is unchanged. */
export const CHANGE_THRESHOLD = 1.5;

/** Frames per second per tile. */
export function tileFps(input: RateInput): number {
  const minFps = input.minFps ?? MIN_FPS;
  const maxFps = Math.max(minFps, input.maxFps);
  if (input.engineMs === null || !(input.engineMs > 0) || input.tiles <= 0) return maxFps;
  const budget = Math.max(1, input.budgetPct) / 100;
  const total = (budget * 1000) / input.engineMs;
  return Math.min(maxFps, Math.max(minFps, total / input.tiles));
}

/** Milliseconds between two analysed frames of one tile. */
export function tileIntervalMs(input: RateInput): number {
  return 1000 / tileFps(input);
}

/**
 * The engine's own time on a frame: every stage it ran (a tab capture's cut counts: the engine
 * waits for it), not its wait in the queue. scripts/bench.mjs takes `queue` as the total minus these.
 */
export function engineWorkMs(t: StageTimings): number {
  return (t.cut ?? 0) + t.decode + (t.detection ?? 0) + t.landmarks + t.affect + (t.smoothing ?? 0);
}

/** An exponentially weighted mean of the engine's cost per frame (robust to one slow frame). */
export class CostMeter {
  private value: number | null = null;
  constructor(private readonly alpha = 0.2) {}
  add(ms: number): void {
    if (!Number.isFinite(ms) || ms <= 0) return;
    this.value = this.value === null ? ms : this.value + this.alpha * (ms - this.value);
  }
  get ms(): number | null {
    return this.value;
  }
}

/** Mean absolute difference of two equal-length grey thumbnails (0–255); Infinity without a previous one. */
export function pictureChange(prev: Uint8Array | null, next: Uint8Array): number {
  if (!prev || prev.length !== next.length || !next.length) return Infinity;
  let sum = 0;
  for (let i = 0; i < next.length; i++) sum += Math.abs((next[i] as number) - (prev[i] as number));
  return sum / next.length;
}

/**
 * A tile that goes still right after its picture changed has its picture taken once more this long
 * after (ms), then every KEEPALIVE_MS. A still tile's frames all repeat one analysis, so that one
 * reading stands for seconds and the smoothing has nothing to average it with; the frames just
 * after a change are the likeliest to be poor — a video encoder spends few bits on the frame after a
 * cut and refines the next ones, a camera's exposure settles — though too little to count as a change
 * (the grid tiles' VP8: Subject 024's smile read P(happiness) 0.43 on the two frames after the cut,
 * 0.86–0.95 from the third on, their 16×16 thumbnails within CHANGE_THRESHOLD).
 */
export const SETTLE_MS = 300;

/**
 * Why this frame's picture is taken, or null when the tile is still and its picture not yet due:
 * `changed` (its thumbnail moved by `change` ≥ CHANGE_THRESHOLD since the last picture, or there is
 * no last one), `due` (still, but `sinceLastMs` has reached SETTLE_MS after a picture taken because
 * it changed — `settled` false — or KEEPALIVE_MS after one taken because it was due).
 */
export function pictureReason(change: number, sinceLastMs: number, settled: boolean): 'changed' | 'due' | null {
  if (change >= CHANGE_THRESHOLD) return 'changed';
  return sinceLastMs >= stillForMs(settled) ? 'due' : null;
}

/** How long a still tile's picture stands before it is due again (`pictureReason`). */
export function stillForMs(settled: boolean): number {
  return settled ? KEEPALIVE_MS : SETTLE_MS;
}

/**
 * Busy time of a thread over a sliding window: the `load` a reply carries (reported by the bench as
 * engineLoad). Measured at 9 tiles: p50 0.72–0.92, p95 0.94–0.96 — the engine thread is nearly saturated
 * there, which is what the latency at 9 and 16 tiles is made of (frames wait behind each other).
 * Slowing the tiles down on that signal (tried: a governor holding the load under 0.8) cut the
 * latency at 9 tiles by a third (p50 164 → 103 ms) but the frame rate by as much (36.7 → 23), so
 * the rate stays the budget's.
 */
export class BusyWindow {
  private readonly spans: Array<{ start: number; end: number }> = [];
  constructor(private readonly windowMs = 2000) {}

  add(start: number, end: number): void {
    this.spans.push({ start, end });
    this.trim(end);
  }

  /** Share of the last window spent busy, at `now` (0–1). */
  load(now: number): number {
    this.trim(now);
    const from = now - this.windowMs;
    let busy = 0;
    for (const s of this.spans) busy += Math.max(0, Math.min(s.end, now) - Math.max(s.start, from));
    return Math.min(1, busy / this.windowMs);
  }

  private trim(now: number): void {
    while (this.spans.length && this.spans[0]!.end < now - this.windowMs) this.spans.shift();
  }
}

/**
 * The frames one page has out at the inference host. A frame sent while another is being analysed
 * waits in the engine's queue — up to a whole frame's analysis, counted in its latency, while its
 * picture grows old. So a tile whose turn comes while the page has `limit` frames out waits here
 * instead, before its picture is taken, and goes as soon as one comes back (first come, first
 * served). The limit is the number of engine threads.
 *
 * Measured (bench A/B, two runs each, 15 s): p95 latency 78–107 → 53–57 ms at 4 tiles, 285–301 →
 * 76–77 at 9, 563–594 → 90–99 at 16; pictures analysed per second 9.3–9.7 → 9.1, 16.4–16.9 →
 * 14.6–15.0, 15.3–16.0 → 13.1–13.7 (the engine idles while a reply goes back and the next frame
 * comes); frames answered 31 → 30, 42–44 → 28–30, 31–32 → 22–24 (most of that drop is "unchanged"
 * frames, each now a round trip too). Letting a second frame out once the engine was 60 % busy
 * kept the frame rate as low and put p95 back up (124–170 ms at 9 and 16 tiles): not kept.
 *
 * Only pictures wait here. A still tile (its last frame was "unchanged", keep-alive not due) checks
 * its picture first and sends "unchanged" — no pixels, ~0.5 ms of engine time — without a slot;
 * it queues only if the picture changed. A/B, two runs each, 15 s, on the machine of that session
 * (faster than the one above): frames answered at 16 tiles 73.7–76.8 → 91.2–95.6, per tile min
 * 4.3–4.5 → 4.7–5.3, pictures analysed 28.9–29.0 → 27.3–29.8, picture latency p95 32–34 → 34–36 ms;
 * 9 tiles 65.2–66.8 → 68.2–68.5 frames; 4 tiles unchanged (capped at 8 per tile).
 *
 * Tried and not kept: giving the slot back when the engine has found the faces (a notice ahead of
 * the answer), so that the next picture travels while the affect model runs. The engine got busier
 * (0.73 → 0.81–0.86) but analysed fewer pictures at 16 tiles (16.7 → 11.2–12.9/s), picture p95
 * 77–87 → 102–265 ms: on two cores its idle time is what the page, the video decoders and the GPU
 * process run in.
 */
export class FrameGate<K> {
  private out = 0;
  /** Keys waiting for a slot, in order of arrival (a Set keeps insertion order). */
  private readonly waiting = new Set<K>();

  constructor(readonly limit = 1) {}

  /**
   * Take a slot for `key`'s frame now (true), or wait for one (false: `drain` runs it later).
   * `queue: false` only asks: a full gate returns false without putting `key` in line.
   */
  tryTake(key: K, { queue = true }: { queue?: boolean } = {}): boolean {
    if (this.out < this.limit) {
      this.out += 1;
      this.waiting.delete(key);
      return true;
    }
    if (queue) this.waiting.add(key);
    return false;
  }

  /** A frame came back (or was never sent). */
  release(): void {
    this.out = Math.max(0, this.out - 1);
  }

  /** Hand the free slots to the waiting keys in order: `run(key)` takes one with `tryTake`, or does not (that tile sends nothing now). */
  drain(run: (key: K) => void): void {
    for (const key of [...this.waiting]) {
      if (this.out >= this.limit) return;
      this.waiting.delete(key);
      run(key);
    }
  }

  get inFlight(): number {
    return this.out;
  }

  get queued(): number {
    return this.waiting.size;
  }
}
