// Content script: finds the page's <video> tiles, samples frames, sends them to the inference
// host and draws the results on each tile. Everything is tied to WXT's `ctx`, so a reloaded or
// removed extension leaves no listener, timer or element behind.
import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { Overlay, faceStatus, type OverlaySurface, type TileDraw, type TilePlace } from '@/components/overlay';
import { UnreadableVideoError, elementPixels, pictureRegion, type Picture } from '@/utils/capture';
import { DirectTransport, RelayTransport, frameWithoutImage, type FrameTransport, type TileHolder, type TilePush } from '@/utils/transport';
import { HOLD_RENEW_MS, renewalBatch, type HoldRequest } from '@/utils/hold';
import { Timers, type TimerId } from '@/utils/timers';
import { WHOLE_FRAME_EVERY_MS, copyVideoFrame, keepCheckRegion, lumaThumbnail, partAround, rawRegion, type NormRegion, type RawFrame } from '@/utils/raw-frame';
import { CAPTURE, OVERLAY_MIN_INTERVAL_MS, engineThreads } from '@/utils/config';
import { contentRect, type Rect } from '@/utils/geometry';
import type { FrameReply, PageMessages } from '@/utils/protocol';
import { listen, send } from '@/utils/messaging';
import { allMatchPatterns, pickAdapter } from '@/utils/sites/registry';
import { DEFAULT_TAB_STATE, type EngineStatus, type FaceResult, type TabState } from '@/utils/types';
import { CostMeter, FrameGate, UNCHANGED_COST_MS, engineWorkMs, pictureChange, pictureReason, stillForMs, tileIntervalMs } from '@/utils/scheduler';
import { DEFAULT_FRAME_BUDGET, DEFAULT_OVERLAY_CONTENTS, readPageSettings, type FrameBudgetSettings, type OverlayContents, type PageSettings } from '@/utils/settings';
import { applySelfView, type SelfViewMode } from '@/utils/sites/self-view';

export default defineContentScript({
  matches: allMatchPatterns(),
  runAt: 'document_idle',
  main(ctx) {
    // Injected a second time ("enable on this site")? WXT invalidates the older instance's ctx,
    // which removes its overlay, listeners and timers: only the newest one runs.
    new Controller(ctx).start();
  },
});

/** Shown on each tile by a content script whose extension was updated or reloaded under it. */
const ORPHANED = 'AffectLens was updated: click its toolbar button (or reload the page) to resume';

/** False once the extension this script belongs to was reloaded, updated or removed. */
function extensionAlive(): boolean {
  try {
    return Boolean(browser.runtime?.id);
  } catch {
    return false;
  }
}

/** What makes a source the same one again: a video's `currentSrc`, or the canvas itself. */
function identity(source: HTMLVideoElement | HTMLCanvasElement): string | HTMLCanvasElement {
  return source instanceof HTMLCanvasElement ? source : source.currentSrc;
}

function unreadableText(source: HTMLVideoElement | HTMLCanvasElement): string {
  return source instanceof HTMLCanvasElement ? "can't read this canvas (cross-origin)" : "can't read this video (cross-origin)";
}

interface Tile {
  /** The participant key from the site adapter (stable across layout switches where the site has ids). */
  id: string;
  /** Display name from the site adapter (or the generic one). */
  name: string;
  /** Where the pixels are: a video, or a canvas the site draws video into (Zoom web); null: camera off. */
  source: HTMLVideoElement | HTMLCanvasElement | null;
  /** The tile's element; over a canvas shared by several tiles, it marks this tile's region. */
  anchor: HTMLElement;
  /** Hidden by the page (e.g. a collapsed tile): not analysed, no overlay. */
  hidden: boolean;
  inFlight: boolean;
  status: string | null;
  faces: FaceResult[];
  /** The source found unreadable (a video's `currentSrc`, or the canvas): cleared when it changes. */
  unreadable: string | HTMLCanvasElement | null;
  /** A canvas whose pixels the page will not give (cross-origin, or blank on read): tab capture would read it. */
  needsCapture: boolean;
  /** Its last frame was read from the tab capture. */
  captured: boolean;
  timer: TimerId | null;
  /** Whether the overlay shows this tile (its last `render`). */
  shown: boolean;
  /**
   * What the overlay shows on it is the page's own word (a status, or a result that did not come
   * through the relay), not its latest result through the relay, which the relay's overlay draws
   * by itself (components/overlay.ts TileDraw).
   */
  own: boolean;
  /** Where the overlay was last told the tile shows (its last draw), and its video's size then. */
  placed: TilePlace | null;
  placedPixels: { width: number; height: number } | null;
  /** 16×16 grey thumbnail of the last analysed picture, and when it was analysed (change detection). */
  thumb: Uint8Array | null;
  analysedAt: number;
  /** The region of the frame the change check looks at (utils/raw-frame.ts `keepCheckRegion`), null before the first. */
  checkAt: NormRegion | null;
  /** Its last frame went as "unchanged": the next one likely will too, so it is checked before waiting for the gate. */
  still: boolean;
  /**
   * Its last picture went because it was due, not because it changed (utils/scheduler.ts
   * `pictureReason`): a still tile's next one waits the keep-alive, not the settle time, and the
   * host reads it as still (FrameRequest.still).
   */
  settled: boolean;
  /** Its last answered frame came over the relay's direct channel: the host can hold it when still (utils/hold.ts). */
  viaChannel: boolean;
  /** When the host was last told to hold this still tile (0: not held). */
  heldAt: number;
  /** What the host is to repeat for it while held, as of its last check (renewed with other tiles': `renewHolds`). */
  holdAsk: HoldRequest | null;
  /** When its video was first seen without a frame to show, in the stall going on (0: none; CAPTURE.stallGraceMs). */
  stalledAt: number;
  /** When its last picture of the whole frame went (utils/raw-frame.ts WHOLE_FRAME_EVERY_MS). */
  wholeAt: number;
}

class Controller {
  private state: TabState = DEFAULT_TAB_STATE;
  private engine: EngineStatus = { state: 'idle' };
  /** The browser can capture the tab (Chrome), for canvases the page will not give. */
  private canCapture = false;
  /** This tab's id (from the background's hello): frames on the relay's direct channel carry it. */
  private tabId: number | null = null;
  private readonly tiles = new Map<string, Tile>();
  /** Which site adapter reads this page, and its status when it had to fall back to generic. */
  private site: { id: string; label: string; status: string | null } = { id: 'generic', label: 'Any page with video', status: null };
  /** The overlay drawn on the page itself: until the relay iframe is up, where it cannot be, and once the script is cut off. */
  private readonly pageOverlay = new Overlay();
  /** Where the overlay is drawn: the relay iframe over the page once it is up (utils/transport.ts RemoteOverlay), else the page. */
  private overlay: OverlaySurface = this.pageOverlay;
  /** Tiles' and rescans' timers (the page's own, see utils/timers.ts), cleared when the script is cut off. */
  private readonly timers = new Timers(() => this.ctx.isValid);
  /** Direct until the relay iframe is up (Chrome); Firefox stays direct (see utils/transport.ts). */
  private transport: FrameTransport = new DirectTransport();
  private helloInFlight: Promise<void> | null = null;
  /** Tiles to draw at the next draw of the overlay (see `render`). */
  private readonly dirty = new Set<Tile>();
  private flushQueued = false;
  /** A draw waiting for OVERLAY_MIN_INTERVAL_MS to pass since the last one (see `render`). */
  private flushTimer: number | null = null;
  private lastFlush = -Infinity;
  /** How long the last draw of the overlay took on the page's main thread (ms; sent with each frame for the bench). */
  private drawMs: number | null = null;
  private rescanQueued = false;
  /** The inference host's recent cost per frame, for the adaptive rate (utils/scheduler.ts). */
  private readonly cost = new CostMeter();
  /** This page's frames out at the inference host: a tile waits here rather than in the engine's queue. */
  private readonly gate = new FrameGate<string>(engineThreads(Math.max(1, navigator.hardwareConcurrency || 1)));
  private budget: FrameBudgetSettings = DEFAULT_FRAME_BUDGET;
  private selfView: SelfViewMode = 'include';
  /** Which badge lines the user wants (options page). */
  private badgeLines: OverlayContents = DEFAULT_OVERLAY_CONTENTS;
  private thumbCtx: CanvasRenderingContext2D | null = null;
  /** Frames sent as "unchanged" (no picture) because nothing moved. */
  private unchangedFrames = 0;
  /** Messages to and from the host, counted (the ping reports them; tests read them). */
  private readonly messages: PageMessages = { pictures: 0, pictureBytes: 0, unchanged: 0, holds: 0, releases: 0, pushes: 0 };

  constructor(private readonly ctx: ContentScriptContext) {}

  start(): void {
    // An add-on reloaded or updated while the page stayed open leaves its elements behind (Firefox
    // injects the new content script into open tabs; the old one's script is gone, its DOM is not).
    for (const el of document.querySelectorAll('affectlens-overlay, affectlens-relay')) el.remove();
    this.overlay.mount();
    this.ctx.onInvalidated(() => {
      this.timers.clearAll();
      if (extensionAlive()) return this.overlay.unmount(); // a newer instance of this script took over
      // The extension was updated or reloaded: this script is cut off from it. Say so on each tile
      // until the new content script replaces it (Firefox injects it at once; in Chrome one click
      // on the toolbar button does, or a reload of the page). Nothing stored so far is lost. The
      // relay iframe went with the old extension: the page draws that itself.
      this.useOverlay(this.pageOverlay);
      for (const tile of this.tiles.values()) this.show(tile, ORPHANED);
    });
    // WXT notices that the extension went away only when one of the context's timers fires (or
    // its `isInvalid` is read); a tile waiting on a reply that will never come runs none. Check
    // every second, so the tiles say so at once.
    this.ctx.setInterval(() => undefined, 1000);
    this.ctx.onInvalidated(
      listen('content', {
        'bg-cs-state': (state) => this.applyState(state),
        'bg-cs-settings': (settings) => this.applySettings(settings),
        'ui-cs-ping': () => ({
          tiles: this.tiles.size,
          site: this.site,
          unchangedFrames: this.unchangedFrames,
          messages: { ...this.messages },
          unreadableCanvases: [...this.tiles.values()].filter((t) => t.needsCapture && !t.captured).length,
          // What a long call must not accumulate (tests count these after many layout changes).
          held: { tiles: this.tiles.size, timers: [...this.tiles.values()].filter((t) => t.timer !== null).length, overlayTiles: this.overlay.tileCount, grabbers: this.transport.tileCount },
        }),
      }),
    );
    this.ctx.addEventListener(window, 'scroll', () => this.queueLayout(), { passive: true, capture: true });
    this.ctx.addEventListener(window, 'resize', () => this.queueLayout(), { passive: true });
    this.ctx.addEventListener(document, 'visibilitychange', () => this.rescan());
    this.ctx.setInterval(() => this.rescan(), CAPTURE.rescanMs);
    // Meeting apps mutate their DOM constantly: coalesce bursts into one rescan.
    const observer = new MutationObserver(() => this.queueRescan());
    observer.observe(document.documentElement, { childList: true, subtree: true });
    this.ctx.onInvalidated(() => observer.disconnect());
    // Read once; changes come from the background (`bg-cs-settings`, registered above): watching
    // storage here would copy every session-store write to this page (utils/settings.ts PageSettings).
    void readPageSettings()
      .then((settings) => this.applySettings(settings))
      .catch(() => undefined);
    void this.hello();
    this.rescan();
    if (!import.meta.env.FIREFOX) {
      void RelayTransport.start().then((relay) => {
        if (!relay) return;
        if (this.ctx.isInvalid) return relay.dispose();
        this.transport = relay;
        relay.onPush = (push) => this.pushed(push);
        relay.onHostLost = () => this.hostLost();
        this.useOverlay(relay.overlay);
      });
    }
    this.ctx.onInvalidated(() => this.transport.dispose());
  }

  /** Draw the overlay on `surface` from now on (every tile again, at the next frame), and nothing on the one before. */
  private useOverlay(surface: OverlaySurface): void {
    if (surface === this.overlay) return;
    this.overlay.unmount();
    this.overlay = surface;
    surface.mount();
    surface.setVisible(this.state.overlay);
    surface.setLines(this.badgeLines);
    // It starts with nothing: the page's word on every tile, until the next result comes through.
    for (const tile of this.tiles.values()) tile.own = true;
    this.queueLayout();
  }

  /** Ask the background for this tab's state; this also (re)creates the inference host. */
  private hello(): Promise<void> {
    this.helloInFlight ??= (async () => {
      try {
        const reply = await send('cs-bg-hello', 'background', {});
        if (reply) {
          this.engine = reply.engine;
          this.canCapture = reply.canCapture;
          this.tabId = reply.tabId;
          this.applyState(reply.state);
        }
      } catch {
        // Service worker restarting: the next tick asks again.
      } finally {
        this.helloInFlight = null;
      }
    })();
    return this.helloInFlight;
  }

  private applyState(state: TabState): void {
    this.state = state;
    this.overlay.setVisible(state.overlay);
    this.rescan();
  }

  private queueRescan(): void {
    if (this.rescanQueued) return;
    this.rescanQueued = true;
    this.timers.set(() => {
      this.rescanQueued = false;
      this.rescan();
    }, 200);
  }

  private rescan(): void {
    if (this.ctx.isInvalid) return;
    // The site adapter says which <video> is whose; site selectors live only in utils/sites/.
    const choice = pickAdapter(location.href, document);
    this.site = { id: choice.adapter.id, label: choice.site?.label ?? choice.adapter.label, status: choice.status };
    const seen = new Set<string>();
    for (const t of applySelfView(choice.tiles, this.selfView)) {
      seen.add(t.key);
      const tile = this.tiles.get(t.key);
      if (tile) {
        // Same participant, possibly a new element after a layout switch.
        tile.source = t.source;
        tile.anchor = t.anchor;
        tile.name = t.name ?? t.key;
        tile.hidden = t.hidden;
      } else {
        this.tiles.set(t.key, { id: t.key, name: t.name ?? t.key, source: t.source, anchor: t.anchor, hidden: t.hidden, inFlight: false, status: null, faces: [], unreadable: null, needsCapture: false, captured: false, timer: null, shown: false, own: true, placed: null, placedPixels: null, thumb: null, analysedAt: 0, checkAt: null, still: false, settled: false, viaChannel: false, heldAt: 0, holdAsk: null, stalledAt: 0, wholeAt: 0 });
      }
    }
    for (const [key, tile] of this.tiles) {
      if (!seen.has(key)) this.dropTile(key, tile);
    }
    for (const tile of this.tiles.values()) this.schedule(tile, 0);
  }

  private dropTile(key: string, tile: Tile): void {
    this.timers.clear(tile.timer);
    this.unhold(tile);
    this.overlay.remove(tile.id);
    this.transport.forget(tile.id);
    this.tiles.delete(key);
  }

  private schedule(tile: Tile, delayMs: number): void {
    if (tile.timer !== null || !this.state.analysis) return;
    tile.timer = this.timers.set(() => {
      tile.timer = null;
      void this.tick(tile);
    }, delayMs);
  }

  /** One sampling step for a tile: decide whether to capture, then capture and analyse. */
  private async tick(tile: Tile): Promise<void> {
    if (this.ctx.isInvalid || this.tiles.get(tile.id) !== tile) return;
    if (!this.state.analysis) {
      this.unhold(tile);
      this.overlay.remove(tile.id);
      tile.placed = null; // drawn anew when analysis resumes
      return;
    }
    const interval = this.intervalMs();
    const source = tile.source;
    if (document.hidden) {
      // Timers are throttled in background tabs; visibilitychange restarts sampling.
      tile.status = 'paused: tab in background';
      this.unhold(tile);
      return;
    }
    if (!source) {
      // The site shows this participant without video: say so on the tile, look again later.
      this.unhold(tile);
      tile.faces = [];
      tile.status = tile.hidden ? null : 'camera off';
      tile.own = true;
      this.render(tile, !tile.hidden);
      this.schedule(tile, interval * 4);
      return;
    }
    const where = locate(tile, source);
    if (tile.hidden || !where || where.box.w < CAPTURE.minTilePx || where.box.h < CAPTURE.minTilePx) {
      this.unhold(tile);
      this.render(tile, false);
      this.schedule(tile, interval * 4);
      return;
    }
    // A canvas the page will not give is read from the tab capture, once the user started it.
    let viaCapture = false;
    if (tile.unreadable !== null && tile.unreadable === identity(source)) {
      if (!this.captureOn()) {
        this.show(tile, source instanceof HTMLCanvasElement ? this.withCaptureHint(unreadableText(source)) : unreadableText(source));
        this.schedule(tile, 2000);
        return;
      }
      viaCapture = true;
    } else {
      tile.unreadable = null;
    }
    const pixels = elementPixels(source);
    if ((source instanceof HTMLVideoElement && source.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) || pixels.width === 0 || pixels.height === 0) {
      const now = Date.now();
      if (tile.stalledAt === 0) tile.stalledAt = now;
      if (now - tile.stalledAt >= CAPTURE.stallGraceMs) this.show(tile, 'waiting for video');
      this.schedule(tile, interval * 2);
      return;
    }
    tile.stalledAt = 0;
    if (source instanceof HTMLVideoElement && (source.paused || source.ended)) {
      this.show(tile, source.ended ? 'video ended' : 'paused');
      this.schedule(tile, interval * 2);
      return;
    }
    const engineProblem = this.engineMessage();
    if (engineProblem) {
      this.show(tile, engineProblem);
      void this.refreshEngine();
      this.schedule(tile, 500);
      return;
    }
    // An overlay that draws the relay's results by itself hears from the page only where a tile
    // shows: when it moved (a layout change, a new video size), it is drawn again there.
    if (this.overlay.drawsRelayedResults && (!tile.shown || !sameRect(where.box, tile.placed?.box) || !samePixels(pixels, tile.placedPixels))) this.render(tile, true);
    if (tile.inFlight) return; // rescheduled when the reply comes
    // Pictures go out one per engine thread (the gate); a tile whose turn comes while they are all
    // out waits there, before its picture is taken, and `drain` runs it when one comes back. A frame
    // that only says "unchanged" costs the engine next to nothing, so a still tile (its last frame
    // was unchanged, its keep-alive not yet due) checks its picture without waiting, and waits only
    // if it changed.
    const mayBeStill = !viaCapture && tile.still && tile.analysedAt > 0 && Date.now() - tile.analysedAt < stillForMs(tile.settled);
    let slot = this.gate.tryTake(tile.id, { queue: !mayBeStill });
    if (!slot && !mayBeStill) return;
    const started = performance.now();
    tile.inFlight = true;
    let queued = false;
    try {
      // An unchanged picture (a still face, a frozen camera, an avatar) is not sent again: the host
      // repeats the last analysis at the new time (utils/scheduler.ts), at least every keep-alive.
      // Between two pictures of the whole frame, only the part around the faces found last is
      // copied (and sent, if it changed): less to copy and send, and to convert on the host.
      const boxes = tile.faces.map((f) => f.boxNorm);
      const region = (tile.checkAt = keepCheckRegion(tile.checkAt, boxes));
      const part = Date.now() - tile.wholeAt < WHOLE_FRAME_EVERY_MS ? partAround(boxes, region) : null;
      const grab = viaCapture ? null : await this.grab(where.picture, region, part);
      if (this.ctx.isInvalid || this.tiles.get(tile.id) !== tile) return;
      const thumb = grab?.thumb ?? null;
      if (thumb && source instanceof HTMLCanvasElement) {
        // One flat colour: a WebGL canvas whose drawing buffer is cleared after each paint reads back
        // blank outside the site's own drawing (or the canvas shows nothing yet).
        tile.needsCapture = Math.max(...thumb) - Math.min(...thumb) < 2;
        if (tile.needsCapture && !this.captureOn()) {
          this.show(tile, this.withCaptureHint("can't read this canvas (it reads back blank)"));
          this.schedule(tile, 2000);
          return;
        }
        viaCapture = tile.needsCapture;
      }
      const reason = viaCapture || thumb === null || tile.analysedAt === 0 ? 'changed' : pictureReason(pictureChange(tile.thumb, thumb), Date.now() - tile.analysedAt, tile.settled);
      const unchanged = reason === null;
      tile.still = unchanged;
      if (unchanged) {
        this.unchangedFrames++;
        if (slot) {
          slot = false;
          this.releaseSlot();
        }
      } else if (!slot && !(slot = this.gate.tryTake(tile.id))) {
        // It changed after all: in line for a slot, its copy back to the pool (`drain` takes a new one).
        this.transport.buffers.give(grab?.raw?.buffer);
        queued = true;
        return;
      }
      if (!unchanged) {
        tile.thumb = thumb;
        tile.analysedAt = Date.now();
        tile.settled = reason === 'due';
      }
      const mode = viaCapture ? 'capture' : unchanged ? 'unchanged' : 'picture';
      if (mode !== 'picture') this.transport.buffers.give(grab?.raw?.buffer); // not sent: its buffer serves the next copy
      const holder = this.transport.holder;
      if (mode === 'unchanged' && holder && tile.viaChannel && this.tabId !== null) {
        // Still, and the host can repeat it (utils/hold.ts): say so once, renew it now and then,
        // and send nothing else; the host's repeats are the tile's frames, and it pushes whatever
        // changes on the overlay (this.pushed). A repeat costs the engine what an "unchanged"
        // frame did (the scheduler's input, as if it had been answered).
        this.cost.add(UNCHANGED_COST_MS);
        const now = Date.now();
        tile.holdAsk = { tabId: this.tabId, tileId: tile.id, name: tile.name, everyMs: interval, mediaTime: mediaTimeOf(source, grab?.mediaTime), capturedAt: now, lines: this.badgeLines };
        if (now - tile.heldAt >= HOLD_RENEW_MS) this.renewHolds(holder, tile, now);
        return;
      }
      tile.heldAt = 0; // a frame of the tile ends its hold at the host
      await this.analyse(tile, where, mode, grab?.pageMs ?? 0, mode === 'picture' ? grab?.raw : undefined, mode === 'capture' ? undefined : grab?.mediaTime, part);
    } finally {
      tile.inFlight = false;
      if (!queued) this.schedule(tile, Math.max(0, interval - (performance.now() - started)));
      if (slot) this.releaseSlot();
    }
  }

  /** A frame came back (or was never sent): its slot goes to the first tile waiting for one. */
  private releaseSlot(): void {
    this.gate.release();
    this.gate.drain((id) => {
      const next = this.tiles.get(id);
      if (next && next.timer === null) void this.tick(next);
    });
  }

  /**
   * Analyse the tile's current frame. `picture`: send its pixels; `unchanged`: only say the picture
   * did not change (no pixels); `capture`: send its on-screen rectangle, cut from the tab capture.
   * `pageMs`: the page's cost of grabbing and deciding; `raw`: the frame's copied planes, when taken,
   * and `copiedAt`: the media time of the frame they were copied from; `part`: the part of the frame
   * around the faces to send rather than the whole (a copy says which part it holds).
   */
  private async analyse(
    tile: Tile,
    where: { picture: Picture; box: Rect },
    mode: 'picture' | 'unchanged' | 'capture',
    pageMs: number,
    raw?: RawFrame,
    copiedAt?: number,
    part?: NormRegion | null,
  ): Promise<void> {
    const { picture } = where;
    const source = picture.el;
    const mediaTime = mediaTimeOf(source, copiedAt);
    const capturedAt = Date.now();
    let reply: FrameReply | undefined;
    if (mode === 'unchanged') this.messages.unchanged++;
    else this.messages.pictures++;
    if (raw) this.messages.pictureBytes += raw.buffer.byteLength;
    // A picture of the part around the faces, or of the whole frame (the last one's time noted).
    const sentPart = mode !== 'picture' ? null : raw ? (raw.crop ? rawRegion(raw) : null) : (part ?? null);
    if (mode === 'picture' && !sentPart) tile.wholeAt = Date.now();
    try {
      const meta = {
        tileId: tile.id,
        name: tile.name,
        mediaTime,
        capturedAt,
        ...(this.drawMs === null ? {} : { drawMs: this.drawMs }),
        ...(this.tabId === null ? {} : { tabId: this.tabId }),
        ...(sentPart ? { part: sentPart } : {}),
        ...(mode === 'picture' && tile.settled ? { still: true as const } : {}),
      };
      if (mode === 'unchanged') reply = await this.transport.unchanged(meta, pageMs);
      else if (mode === 'capture') {
        const region = { ...where.box, viewW: window.innerWidth, viewH: window.innerHeight };
        reply = await send('cs-off-frame', 'offscreen', { ...frameWithoutImage(meta, pageMs, 'capture'), region }).catch(() => undefined);
      } else if (raw) reply = await this.transport.analyseRaw(raw, meta, pageMs);
      else reply = await this.transport.analyse(picture, meta);
    } catch (err) {
      if (err instanceof UnreadableVideoError) {
        tile.unreadable = identity(source);
        tile.needsCapture = source instanceof HTMLCanvasElement;
        this.show(tile, source instanceof HTMLCanvasElement ? this.withCaptureHint(unreadableText(source)) : unreadableText(source));
      } else {
        this.show(tile, 'waiting for video');
      }
      return;
    }
    if (this.ctx.isInvalid) return; // the extension went away while this frame was out
    if (!reply) {
      // The inference document or the service worker is gone: ask for a new one.
      this.engine = { state: 'loading', detail: 'restarting analysis' };
      void this.hello();
      this.show(tile, 'restarting analysis…');
      return;
    }
    if (!reply.ok) {
      if (reply.reason === 'dropped') return;
      if (reply.reason === 'no-capture') {
        // The capture ended (stopped from Chrome's indicator, or the offscreen document restarted).
        tile.captured = false;
        this.show(tile, this.withCaptureHint('tab capture stopped'));
        return;
      }
      if (reply.reason === 'need-picture') {
        tile.analysedAt = 0; // the host has no earlier frame of this tile: send the picture next time
        return;
      }
      if (reply.reason === 'need-whole') {
        // No face in the part around where they were: the whole frame next.
        tile.analysedAt = 0;
        tile.wholeAt = 0;
        return;
      }
      this.engine = reply.status;
      this.show(tile, reply.reason === 'error' ? 'analysis error, retrying' : (this.engineMessage() ?? 'starting analysis…'));
      return;
    }
    // The host's cost of this frame (an unchanged one costs next to nothing; the engine waits for a
    // tab capture's cut, so that counts too): the scheduler's input.
    this.cost.add(Math.max(UNCHANGED_COST_MS, engineWorkMs(reply.result.timings)));
    tile.captured = mode === 'capture';
    tile.viaChannel = reply.result.via === 'channel';
    this.showFaces(tile, reply.result.faces, mode !== 'capture');
  }

  /**
   * The faces of a tile's latest result (its own frame's, or a held tile's pushed repeat) on its
   * overlay. `relayed`: it came through the relay iframe, whose overlay (if it draws there) has
   * drawn it already.
   */
  private showFaces(tile: Tile, faces: FaceResult[], relayed: boolean): void {
    tile.faces = faces;
    tile.status = faceStatus(faces);
    const wasOwn = tile.own;
    tile.own = !(relayed && this.overlay.drawsRelayedResults);
    // Drawn by the page; or drawn by the relay already, and the page's word taken back (it may have
    // reached the relay after this answer).
    if (tile.own || wasOwn) this.render(tile, true);
  }

  /**
   * The relay found the inference host gone (the offscreen document closed): the tiles it held say
   * so at once, rather than show their last reading, and a new host is asked for. (Tiles with a
   * frame out learn it from its answer.)
   */
  private hostLost(): void {
    if (this.ctx.isInvalid) return;
    this.engine = { state: 'loading', detail: 'restarting analysis' };
    void this.hello();
    for (const tile of this.tiles.values()) {
      if (tile.heldAt === 0) continue;
      tile.heldAt = 0; // its hold went with the host
      this.show(tile, 'restarting analysis…'); // (and its picture goes next: the new host has no frame of it)
    }
  }

  /** Start or renew `tile`'s hold at the host, with the other held tiles' (utils/hold.ts `renewalBatch`): one message. */
  private renewHolds(holder: TileHolder, tile: Tile, now: number): void {
    const asks: HoldRequest[] = [];
    for (const t of renewalBatch(this.tiles.values(), tile, now)) {
      if (!t.holdAsk) continue;
      asks.push(t.holdAsk);
      t.heldAt = now;
    }
    this.messages.holds++;
    holder.hold(asks);
  }

  /** The host stops repeating this tile (utils/hold.ts), if it was. */
  private unhold(tile: Tile): void {
    if (tile.heldAt === 0) return;
    tile.heldAt = 0;
    const holder = this.transport.holder;
    if (this.tabId === null || !holder) return;
    this.messages.releases++;
    holder.release(this.tabId, tile.id);
  }

  /** A held tile's repeat that changes what its overlay shows (the smoothing settling on the still picture). */
  private pushed({ tabId, tileId, reply }: TilePush): void {
    this.messages.pushes++;
    const tile = this.tiles.get(tileId);
    // A push that crossed the tile's next picture on the way is old news.
    if (this.ctx.isInvalid || tabId !== this.tabId || !tile || tile.heldAt === 0) return;
    if (!reply.ok) {
      // The host had no earlier frame of the tile (a new inference document), or the relay lost its
      // direct channel to the host: the picture goes next.
      if (reply.reason === 'need-picture') {
        tile.heldAt = 0;
        tile.analysedAt = 0;
      }
      return;
    }
    this.showFaces(tile, reply.result.faces, true);
  }

  /**
   * Milliseconds between two frames of a tile: the user's frame-rate cap, the CPU budget shared by
   * the tiles being analysed, and the engine's measured cost (utils/scheduler.ts). The inference
   * host analyses one frame at a time per engine thread (utils/config.ts `engineThreads`), so it can
   * use at most that many cores: the budget, a share of all cores, becomes a share of those.
   */
  private intervalMs(): number {
    const cores = Math.max(1, navigator.hardwareConcurrency || 1);
    const active = [...this.tiles.values()].filter((t) => !t.hidden && t.source !== null && !(t.source instanceof HTMLVideoElement && (t.source.paused || t.source.ended))).length;
    return tileIntervalMs({ tiles: Math.max(1, active), engineMs: this.cost.ms, budgetPct: Math.min(100 * engineThreads(cores), this.budget.cpuPercent * cores), maxFps: this.budget.fpsPerTile });
  }

  /**
   * The picture's change-check thumbnail (see `thumbnail`), and with a transport that takes them
   * (Chrome's relay) the video frame's copied planes to send if it changed — a copy, where drawing
   * the video would convert and scale it on the page's main thread. `pageMs`: the page's share.
   */
  private async grab(picture: Picture, region: NormRegion, part: NormRegion | null): Promise<{ thumb: Uint8Array | null; pageMs: number; raw?: RawFrame; mediaTime?: number }> {
    if (this.transport.takesRaw && picture.el instanceof HTMLVideoElement && !picture.crop) {
      try {
        const copied = await copyVideoFrame(picture.el, this.transport.buffers, part);
        if (copied) {
          const t0 = performance.now();
          const thumb = lumaThumbnail(copied.raw, region);
          return { thumb, raw: copied.raw, mediaTime: copied.mediaTime, pageMs: copied.pageMs + performance.now() - t0 };
        }
      } catch {
        // A cross-origin video: drawing it below says so (UnreadableVideoError).
      }
    }
    const t0 = performance.now();
    const thumb = this.thumbnail(picture, region);
    return { thumb, pageMs: performance.now() - t0 };
  }

  /**
   * A 16×16 grey thumbnail of the picture — of the region around the tile's faces when it has
   * some (a smile changes a face region far more than the whole tile), else of the whole frame —
   * or null when the video cannot be read.
   */
  private thumbnail(picture: Picture, region: NormRegion): Uint8Array | null {
    try {
      if (!this.thumbCtx) {
        const c = document.createElement('canvas');
        c.width = c.height = 16;
        this.thumbCtx = c.getContext('2d', { willReadFrequently: true });
      }
      const ctx = this.thumbCtx;
      if (!ctx) return null;
      const r = pictureRegion(picture);
      const { x0, y0, x1, y1 } = region;
      ctx.drawImage(picture.el, r.x + x0 * r.w, r.y + y0 * r.h, Math.max(1, (x1 - x0) * r.w), Math.max(1, (y1 - y0) * r.h), 0, 0, 16, 16);
      const rgba = ctx.getImageData(0, 0, 16, 16).data;
      const grey = new Uint8Array(256);
      for (let i = 0; i < 256; i++) grey[i] = (rgba[i * 4]! * 77 + rgba[i * 4 + 1]! * 150 + rgba[i * 4 + 2]! * 29) >> 8;
      return grey;
    } catch {
      return null; // cross-origin: the frame grabber reports it
    }
  }

  /** Tab capture is on for this tab (the user started it in the popup). */
  private captureOn(): boolean {
    return this.canCapture && this.state.capture === true;
  }

  /** A status for a canvas the page will not give, with what the user can do about it (Chrome). */
  private withCaptureHint(text: string): string {
    return this.canCapture ? `${text}: click the AffectLens button to capture this tab` : text;
  }

  private applySettings(settings: PageSettings): void {
    this.budget = settings.frameBudget;
    if (JSON.stringify(settings.overlayContents) !== JSON.stringify(this.badgeLines)) {
      this.badgeLines = settings.overlayContents;
      this.overlay.setLines(this.badgeLines);
      this.queueLayout();
    }
    if (settings.selfView !== this.selfView) {
      this.selfView = settings.selfView;
      this.rescan();
    }
  }

  private engineMessage(): string | null {
    const e = this.engine;
    switch (e.state) {
      case 'ready':
        return null;
      case 'model-missing':
        return `model missing: ${e.file}`;
      case 'error':
        return 'analysis unavailable: ' + e.message.slice(0, 60);
      case 'loading':
        return 'loading models…';
      case 'idle':
        return 'starting analysis…';
    }
  }

  private async refreshEngine(): Promise<void> {
    if (this.engine.state === 'model-missing') return; // needs a rebuild, not a retry
    const status = await send('any-off-status', 'offscreen', {}).catch(() => undefined);
    if (status) this.engine = status;
    else await this.hello();
  }

  private show(tile: Tile, status: string): void {
    // Once cut off from the extension, only that is said: a frame still in flight must not replace it.
    if (status !== ORPHANED && this.ctx.isInvalid) return;
    this.unhold(tile); // not analysed now (paused, no camera, …): the host stops repeating it
    // Its next frame goes as a picture, even if it did not change: the answer takes the word back
    // (an unchanged frame would only hold it again, and a held tile hears back only when its badge changes).
    tile.analysedAt = 0;
    tile.status = status;
    tile.faces = [];
    tile.own = true;
    this.render(tile, true);
  }

  /**
   * Draw the tile's badges (or status) over its picture at the next draw of the overlay (an
   * animation frame, at most every OVERLAY_MIN_INTERVAL_MS; `urgent`: at the next frame); `visible`
   * false: nothing on this tile. The tiles drawn together read their layout first and write the
   * overlay after, so the page lays out once per draw, not once per tile.
   */
  private render(tile: Tile, visible: boolean, urgent = false): void {
    tile.shown = visible;
    this.dirty.add(tile);
    // Results are drawn at most every OVERLAY_MIN_INTERVAL_MS: each draw that changes the overlay
    // costs the page a style, layout and paint pass. Scrolling and resizing draw at the next frame,
    // so the boxes stay on the faces.
    if (urgent && this.flushTimer !== null) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
      this.flushQueued = false;
    }
    if (this.flushQueued) return;
    this.flushQueued = true;
    const wait = urgent ? 0 : this.lastFlush + OVERLAY_MIN_INTERVAL_MS - performance.now();
    const flush = () =>
      requestAnimationFrame(() => {
        this.flushQueued = false;
        const t0 = (this.lastFlush = performance.now());
        const draws: [string, TileDraw][] = [];
        for (const t of this.dirty) {
          // A reply can arrive after its tile left the page (layout change): draw nothing for it.
          if (this.tiles.get(t.id) !== t) continue;
          const place = (t.placed = this.place(t));
          t.placedPixels = t.source && place ? elementPixels(t.source) : null;
          draws.push([t.id, { place, status: t.status, faces: t.faces, own: t.own }]);
        }
        this.dirty.clear();
        this.overlay.draw(draws);
        this.drawMs = performance.now() - t0;
      });
    // The page's own timer, not the context's: a script cut off by an update still draws its last word.
    if (wait > 0)
      this.flushTimer = window.setTimeout(() => {
        this.flushTimer = null;
        flush();
      }, wait);
    else flush();
  }

  /** Where the overlay shows a tile now, null for nowhere (layout reads only). */
  private place(tile: Tile): TilePlace | null {
    const where = !tile.shown ? null : tile.source ? locate(tile, tile.source) : onAnchor(tile);
    if (!where) return null;
    const { box, picture } = where;
    const el = tile.source ?? tile.anchor;
    const style = getComputedStyle(el);
    if (box.w === 0 || box.h === 0 || style.visibility === 'hidden') return null;
    // Where the picture is inside the element's box (object-fit); a shared canvas's region is the box itself.
    const pixels = tile.source && !picture?.crop ? elementPixels(tile.source) : null;
    return { box, content: pixels ? contentRect(box, pixels.width, pixels.height, style.objectFit) : box };
  }

  private queueLayout(): void {
    // Scrolled or resized: every tile again where it shows.
    for (const tile of this.tiles.values()) this.render(tile, tile.shown, true);
  }
}

function sameRect(a: Rect, b: Rect | undefined): boolean {
  return !!b && a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h;
}

/** Whether a video's or canvas's size in pixels is the one the overlay placed its faces for. */
function samePixels(a: { width: number; height: number }, b: { width: number; height: number } | null): boolean {
  return !!b && a.width === b.width && a.height === b.height;
}

/** A frame's media time: the copied frame's, else the video's clock; a canvas has none, the page's clock stands in. */
function mediaTimeOf(source: HTMLVideoElement | HTMLCanvasElement, copiedAt?: number): number {
  return copiedAt ?? (source instanceof HTMLVideoElement ? source.currentTime : performance.now() / 1000);
}


/**
 * Where a tile's pixels are and where they show: the element region to capture and its on-screen
 * box (layout read only; the object-fit content rectangle is worked out where the overlay is drawn).
 * A canvas that several tiles share (Zoom's gallery draws everyone into one) is cropped to the part
 * under the tile's anchor; null when that part is empty (the tile is off the canvas).
 */
function locate(tile: Tile, el: HTMLVideoElement | HTMLCanvasElement): { picture: Picture; box: Rect } | null {
  const r = el.getBoundingClientRect();
  const whole = { x: r.left, y: r.top, w: r.width, h: r.height };
  const shared = el instanceof HTMLCanvasElement && tile.anchor !== el && !tile.anchor.contains(el);
  if (!shared) return { picture: { el, crop: null }, box: whole };
  const a = tile.anchor.getBoundingClientRect();
  const x0 = Math.max(a.left, r.left);
  const y0 = Math.max(a.top, r.top);
  const x1 = Math.min(a.right, r.right);
  const y1 = Math.min(a.bottom, r.bottom);
  if (x1 - x0 < 1 || y1 - y0 < 1 || r.width === 0 || r.height === 0) return null;
  const sx = el.width / r.width;
  const sy = el.height / r.height;
  const box = { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  return { picture: { el, crop: { x: (x0 - r.left) * sx, y: (y0 - r.top) * sy, w: box.w * sx, h: box.h * sy } }, box };
}

/** A tile without a picture (camera off): its anchor's box, for the status. */
function onAnchor(tile: Tile): { box: Rect; picture?: undefined } {
  const r = tile.anchor.getBoundingClientRect();
  return { box: { x: r.left, y: r.top, w: r.width, h: r.height } };
}
