// Content script: finds the page's <video> tiles, samples frames, sends them to the inference
// host and draws the results on each tile. Everything is tied to WXT's `ctx`, so a reloaded or
// removed extension leaves no listener, timer or element behind.
import { defineContentScript } from 'wxt/utils/define-content-script';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { Overlay, type FaceView } from '@/components/overlay';
import { strongestAus } from '@/models/aus';
import { topExpression } from '@/models/affect/postprocess';
import { UnreadableVideoError } from '@/utils/capture';
import { DirectTransport, RelayTransport, type FrameTransport } from '@/utils/transport';
import { CAPTURE } from '@/utils/config';
import { contentRect, placeBox } from '@/utils/geometry';
import type { FrameReply } from '@/utils/protocol';
import { listen, send } from '@/utils/messaging';
import { allMatchPatterns, pickAdapter } from '@/utils/sites/registry';
import { DEFAULT_TAB_STATE, type EngineStatus, type FaceResult, type TabState } from '@/utils/types';

export default defineContentScript({
  matches: allMatchPatterns(),
  runAt: 'document_idle',
  main(ctx) {
    // Injected a second time ("enable on this site")? WXT invalidates the older instance's ctx,
    // which removes its overlay, listeners and timers: only the newest one runs.
    new Controller(ctx).start();
  },
});

interface Tile {
  /** The participant key from the site adapter (stable across layout switches where the site has ids). */
  id: string;
  /** Display name from the site adapter (or the generic one). */
  name: string;
  video: HTMLVideoElement;
  /** Hidden by the page (e.g. a collapsed tile): not analysed, no overlay. */
  hidden: boolean;
  inFlight: boolean;
  status: string | null;
  faces: FaceResult[];
  /** `currentSrc` when the video was found unreadable (cross-origin); cleared when it changes. */
  unreadableSrc: string | null;
  timer: number | null;
}

class Controller {
  private state: TabState = DEFAULT_TAB_STATE;
  private engine: EngineStatus = { state: 'idle' };
  private readonly tiles = new Map<string, Tile>();
  /** Which site adapter reads this page, and its status when it had to fall back to generic. */
  private site: { id: string; label: string; status: string | null } = { id: 'generic', label: 'Any page with video', status: null };
  private readonly overlay = new Overlay();
  /** Direct until the relay iframe is up (Chrome); Firefox stays direct (see utils/transport.ts). */
  private transport: FrameTransport = new DirectTransport();
  private helloInFlight: Promise<void> | null = null;
  private layoutQueued = false;
  private rescanQueued = false;

  constructor(private readonly ctx: ContentScriptContext) {}

  start(): void {
    this.overlay.mount();
    this.ctx.onInvalidated(() => this.overlay.unmount());
    this.ctx.onInvalidated(
      listen('content', {
        'bg-cs-state': (state) => this.applyState(state),
        'ui-cs-ping': () => ({ tiles: this.tiles.size, site: this.site }),
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
    void this.hello();
    this.rescan();
    if (!import.meta.env.FIREFOX) {
      void RelayTransport.start().then((relay) => {
        if (!relay) return;
        if (this.ctx.isInvalid) return relay.dispose();
        this.transport = relay;
      });
    }
    this.ctx.onInvalidated(() => this.transport.dispose());
  }

  /** Ask the background for this tab's state; this also (re)creates the inference host. */
  private hello(): Promise<void> {
    this.helloInFlight ??= (async () => {
      try {
        const reply = await send('cs-bg-hello', 'background', {});
        if (reply) {
          this.engine = reply.engine;
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
    this.ctx.setTimeout(() => {
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
    for (const t of choice.tiles) {
      // Canvas-drawn video (Zoom web) needs tab capture, which is not wired yet.
      if (!(t.source instanceof HTMLVideoElement)) continue;
      seen.add(t.key);
      const tile = this.tiles.get(t.key);
      if (tile) {
        // Same participant, possibly a new element after a layout switch.
        tile.video = t.source;
        tile.name = t.name ?? t.key;
        tile.hidden = t.hidden;
      } else {
        this.tiles.set(t.key, { id: t.key, name: t.name ?? t.key, video: t.source, hidden: t.hidden, inFlight: false, status: null, faces: [], unreadableSrc: null, timer: null });
      }
    }
    for (const [key, tile] of this.tiles) {
      if (!seen.has(key)) this.dropTile(key, tile);
    }
    for (const tile of this.tiles.values()) this.schedule(tile, 0);
  }

  private dropTile(key: string, tile: Tile): void {
    if (tile.timer !== null) clearTimeout(tile.timer);
    this.overlay.remove(tile.id);
    this.transport.forget(tile.id);
    this.tiles.delete(key);
  }

  private schedule(tile: Tile, delayMs: number): void {
    if (tile.timer !== null || !this.state.analysis) return;
    tile.timer = this.ctx.setTimeout(() => {
      tile.timer = null;
      void this.tick(tile);
    }, delayMs);
  }

  /** One sampling step for a tile: decide whether to capture, then capture and analyse. */
  private async tick(tile: Tile): Promise<void> {
    if (this.ctx.isInvalid || this.tiles.get(tile.id) !== tile) return;
    if (!this.state.analysis) {
      this.overlay.remove(tile.id);
      return;
    }
    const interval = 1000 / CAPTURE.fpsPerTile;
    const video = tile.video;
    const box = video.getBoundingClientRect();
    if (document.hidden) {
      // Timers are throttled in background tabs; visibilitychange restarts sampling.
      tile.status = 'paused: tab in background';
      return;
    }
    if (tile.hidden || box.width < CAPTURE.minTilePx || box.height < CAPTURE.minTilePx) {
      this.render(tile, null);
      this.schedule(tile, interval * 4);
      return;
    }
    if (tile.unreadableSrc !== null && tile.unreadableSrc === video.currentSrc) {
      this.show(tile, "can't read this video (cross-origin)");
      this.schedule(tile, 2000);
      return;
    }
    tile.unreadableSrc = null;
    if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || video.videoWidth === 0 || video.videoHeight === 0) {
      this.show(tile, 'waiting for video');
      this.schedule(tile, interval * 2);
      return;
    }
    if (video.paused || video.ended) {
      this.show(tile, video.ended ? 'video ended' : 'paused');
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
    if (tile.inFlight) return; // rescheduled when the reply comes
    const started = performance.now();
    tile.inFlight = true;
    try {
      await this.analyse(tile);
    } finally {
      tile.inFlight = false;
      this.schedule(tile, Math.max(0, interval - (performance.now() - started)));
    }
  }

  private async analyse(tile: Tile): Promise<void> {
    const video = tile.video;
    const mediaTime = video.currentTime;
    const capturedAt = Date.now();
    let reply: FrameReply | undefined;
    try {
      reply = await this.transport.analyse(video, { tileId: tile.id, name: tile.name, mediaTime, capturedAt });
    } catch (err) {
      if (err instanceof UnreadableVideoError) {
        tile.unreadableSrc = video.currentSrc;
        this.show(tile, "can't read this video (cross-origin)");
      } else {
        this.show(tile, 'waiting for video');
      }
      return;
    }
    if (!reply) {
      // The inference document or the service worker is gone: ask for a new one.
      this.engine = { state: 'loading', detail: 'restarting analysis' };
      void this.hello();
      this.show(tile, 'restarting analysis…');
      return;
    }
    if (!reply.ok) {
      if (reply.reason === 'dropped') return;
      this.engine = reply.status;
      this.show(tile, reply.reason === 'error' ? 'analysis error, retrying' : (this.engineMessage() ?? 'starting analysis…'));
      return;
    }
    tile.faces = reply.result.faces;
    tile.status = tile.faces.length ? null : 'no face';
    this.render(tile, video);
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
    tile.status = status;
    tile.faces = [];
    this.render(tile, tile.video);
  }

  private render(tile: Tile, video: HTMLVideoElement | null): void {
    if (!video) {
      this.overlay.render(tile.id, { rect: null, status: null, faces: [] });
      return;
    }
    const r = video.getBoundingClientRect();
    const box = { x: r.left, y: r.top, w: r.width, h: r.height };
    const style = getComputedStyle(video);
    const hidden = r.width === 0 || r.height === 0 || style.visibility === 'hidden';
    const picture = contentRect(box, video.videoWidth, video.videoHeight, style.objectFit);
    const faces: FaceView[] = [];
    for (const f of tile.faces) {
      const rect = placeBox(f.boxNorm, picture, box);
      if (!rect) continue;
      faces.push({ rect, ...describeFace(f) });
    }
    this.overlay.render(tile.id, { rect: hidden ? null : box, status: tile.status, faces });
  }

  private queueLayout(): void {
    if (this.layoutQueued) return;
    this.layoutQueued = true;
    requestAnimationFrame(() => {
      this.layoutQueued = false;
      for (const tile of this.tiles.values()) this.render(tile, tile.video);
    });
  }
}


/**
 * What the badge says about one face: the smoothed top expression (the raw frame's when no window
 * yet), smile (relative to the person's own resting face once known) and the strongest AUs, the
 * engagement index and a pronounced compound expression, and V/A on a small circumplex.
 */
function describeFace(f: FaceResult): Omit<FaceView, 'rect'> {
  const aus = strongestAus({ intensity: f.aus, active: f.active }, 3).map((a) => `${a.au} ${a.value.toFixed(2)}`);
  const live = f.live;
  const smile = live?.smile ?? f.smile;
  const detail = [smile ? 'Smile' : 'No smile', ...aus].join(' · ');
  const extra = live
    ? [live.engagement.index === null ? null : `Engagement ${Math.round(live.engagement.index * 100)}%`, live.compound?.label ?? null].filter(Boolean).join(' · ')
    : '';
  if (f.tooSmall) {
    // Said on the badge rather than guessed: below this size the expression model is near chance.
    return { title: 'Face too small for expressions', detail: [`${f.tooSmall.sizePx} px, needs ${f.tooSmall.minPx}`, smile ? 'Smile' : null, ...aus].filter(Boolean).join(' · '), extra, tone: 'neutral' };
  }
  if (!f.affect) return { title: smile ? 'Smile' : 'No smile', detail: aus.join(' · ') || 'no active AU', extra, tone: smile ? 'positive' : 'neutral' };
  const probs = live?.probs ?? f.affect.probs;
  const { label, probability } = topExpression({ probs });
  const v = live?.valence ?? f.affect.valence;
  const a = live?.arousal ?? f.affect.arousal;
  return {
    title: `${label} ${Math.round(probability * 100)}%`,
    detail,
    extra,
    tone: v > 0.2 ? 'positive' : v < -0.2 ? 'negative' : 'neutral',
    va: { valence: v, arousal: a, estimated: f.affect.vaSource !== 'model' },
  };
}
