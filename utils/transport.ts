/**
 * How a tile's frame gets from the meeting page to the inference host, behind one interface.
 *
 * - `RelayTransport` (Chrome): the page copies a video frame's planes (WebCodecs `VideoFrame`,
 *   utils/raw-frame.ts) — or, for a canvas, draws it into a small canvas and detaches an ImageBitmap —
 *   and transfers it (no encode) over a private MessageChannel to a hidden extension iframe. The
 *   iframe passes it on over a direct channel to the inference host (brokered once by the service
 *   worker), so nothing is encoded or decoded on the way; where that channel cannot be made, the
 *   iframe encodes a JPEG and sends it with runtime messaging (../shared/SPIKE.md measured that path).
 * - `DirectTransport` (Firefox, or wherever the iframe cannot load, e.g. a page CSP): the content
 *   script encodes the JPEG itself and sends it with `runtime.sendMessage`.
 *
 * The relay iframe also draws the overlay (`RemoteOverlay`): it lies over the whole page,
 * transparent and taking no pointer events, and draws the results it carries to the page by
 * itself, so the overlay's style, layout, paint and commit run in the extension's process, not on
 * the meeting page's main thread. Without it the page draws it.
 */
import { browser } from 'wxt/browser';
import { FrameGrabber, type Picture } from './capture';
import { BufferPool, toWire, type RawFrame, type WireRawFrame } from './raw-frame';
import { CAPTURE } from './config';
import { send } from './messaging';
import { PendingReplies, type FrameAnswer } from './pending';
import type { FrameReply, FrameRequest } from './protocol';
import type { OverlaySurface, TileDraw } from '../components/overlay';
import type { OverlayCommand, TileUpdate } from '../components/overlay-board';
import type { OverlayContents } from './settings';
import type { HoldRequest } from './hold';

/** A held tile's repeat, pushed to its page unasked (utils/hold.ts). */
export type TilePush = { tabId: number; tileId: string; reply: FrameReply };

export type FrameMeta = Pick<FrameRequest, 'tileId' | 'name' | 'mediaTime' | 'capturedAt' | 'drawMs' | 'part' | 'still'> & {
  /** The tab the frame comes from (from the background's hello): the relay's direct channel to the host needs it. */
  tabId?: number;
};

/** The FrameRequest fields of a frame without an encoded image. */
export function frameWithoutImage(meta: FrameMeta, pageMs: number, via: FrameRequest['via']): FrameRequest {
  const rest: Partial<FrameMeta> & Omit<FrameMeta, "tabId"> = { ...meta };
  delete rest.tabId;
  return { ...rest, image: '', width: 0, height: 0, pageMs, via };
}

export interface FrameTransport {
  readonly kind: 'relay' | 'direct';
  /** Tiles with a frame grabber (canvas) held. */
  readonly tileCount: number;
  /**
   * Capture the tile's current picture (only `meta.part` of it, when set) and have it analysed.
   * Resolves `undefined` when the inference host did not answer (gone, restarting). Throws
   * UnreadableVideoError (utils/capture.ts) for a cross-origin video or a tainted canvas.
   */
  analyse(picture: Picture, meta: FrameMeta): Promise<FrameReply | undefined>;
  /** Whether `analyseRaw` takes a video frame's copied planes (utils/raw-frame.ts); otherwise draw with `analyse`. */
  readonly takesRaw: boolean;
  /** Have a copied video frame analysed (only when `takesRaw`). */
  analyseRaw(raw: RawFrame, meta: FrameMeta, pageMs: number): Promise<FrameReply | undefined>;
  /** Buffers for the next copies: an unsent copy's, and a sent one's (its bytes go in pieces, the buffer stays; utils/raw-frame.ts `toWire`). */
  readonly buffers: BufferPool;
  /** Tell the host the tile's picture did not change: it repeats the last analysis at the new time. */
  unchanged(meta: FrameMeta, pageMs: number): Promise<FrameReply | undefined>;
  /**
   * How to have the host hold a still tile (utils/hold.ts), where it can: only the relay's direct
   * channel can, and only a tile whose last frame went over it (`via: 'channel'`).
   */
  readonly holder: TileHolder | null;
  /** Forget a tile's buffers. */
  forget(tileId: string): void;
  dispose(): void;
}

/** Still tiles held by the host (utils/hold.ts); what it pushes back comes to RelayTransport.onPush. */
export interface TileHolder {
  /** Start or renew still tiles' holds, in one message (no answer; the host pushes what changes). */
  hold(requests: HoldRequest[]): void;
  /** End a tile's hold. */
  release(tabId: number, tileId: string): void;
}

/** One FrameGrabber (reused canvas) per tile, shared by both transports. */
class Grabbers {
  private readonly byTile = new Map<string, FrameGrabber>();

  for(tileId: string): FrameGrabber {
    let g = this.byTile.get(tileId);
    if (!g) this.byTile.set(tileId, (g = new FrameGrabber()));
    return g;
  }

  forget(tileId: string): void {
    this.byTile.delete(tileId);
  }

  clear(): void {
    this.byTile.clear();
  }

  get size(): number {
    return this.byTile.size;
  }
}

export class DirectTransport implements FrameTransport {
  readonly kind = 'direct';
  private readonly grabbers = new Grabbers();
  get tileCount(): number {
    return this.grabbers.size;
  }

  readonly takesRaw = false;
  readonly buffers = new BufferPool();

  async analyse(picture: Picture, meta: FrameMeta): Promise<FrameReply | undefined> {
    const frame = await this.grabbers.for(meta.tileId).jpeg(picture, CAPTURE.maxSide, CAPTURE.jpegQuality, meta.part);
    return send('cs-off-frame', 'offscreen', { ...frameWithoutImage(meta, frame.pageMs, 'direct'), ...frame }).catch(() => undefined);
  }

  analyseRaw(): Promise<FrameReply | undefined> {
    return Promise.reject(new Error('the direct transport takes drawn frames only'));
  }

  unchanged(meta: FrameMeta, pageMs: number): Promise<FrameReply | undefined> {
    return send('cs-off-frame', 'offscreen', { ...frameWithoutImage(meta, pageMs, 'direct'), unchanged: true }).catch(() => undefined);
  }

  readonly holder = null;

  forget(tileId: string): void {
    this.grabbers.forget(tileId);
  }

  dispose(): void {
    this.grabbers.clear();
  }
}

/** Messages on the private channel between the content script and the relay iframe. */
export type RelayRequest = { id: number; meta: FrameMeta; pageMs: number } & (
  | { kind: 'bitmap'; bitmap: ImageBitmap }
  | { kind: 'raw'; raw: WireRawFrame }
  | { kind: 'unchanged' }
);
/**
 * Still tiles' holds, started or renewed together in one message (each message to the relay's
 * process costs the page ~1 ms, README → Performance), and a tile's release (utils/hold.ts): no answer.
 */
export type HoldMessage = { holds: HoldRequest[] } | { release: { tabId: number; tileId: string } };
/** What the page tells the relay to draw on its overlay (see RemoteOverlay): no answer. */
export type OverlayMessage = { overlay: OverlayCommand };
/** A frame's answer carries no buffer to the page: the page kept its copy's buffer (`toWire`). */
export type RelayReply = Omit<FrameAnswer<FrameReply | null>, 'buffer'> | { ready: true } | { push: TilePush } | { hostLost: true };

/**
 * Messages on the direct channel between the relay iframe and the inference host's router worker
 * (utils/engine-router.ts; brokered once by the service worker and the offscreen document): the
 * frame's pixels go from the page to the models without an encode, a decode or a base64 copy.
 */
export type HostRequest = { id: number; tabId: number; request: FrameRequest; bitmap?: ImageBitmap; raw?: RawFrame };
/**
 * Everything the relay sends on the direct channel: frames, still tiles' holds, and a liveness
 * `ping` the router answers at once with `pong` (it never runs a model): Chrome does not tell the
 * relay when the document at the far end closes, and a held tile has no frame out to notice it.
 */
export type HostMessage = HostRequest | HoldMessage | { ping: number };
export type HostReply = FrameAnswer<FrameReply> | { ready: true } | { push: TilePush } | { pong: number };
/** `type` of the service-worker message that carries the relay's end of a channel to the host. */
export const HOST_PORT_MESSAGE = 'affectlens-host-port';

/** How long the relay may take to come up before the direct path is used instead. */
const RELAY_TIMEOUT_MS = 4000;
/**
 * A frame the relay never answers (the extension was reloaded under the page, taking the relay
 * with it) resolves as "no answer" after this long, so the tile is not left waiting forever.
 */
const REPLY_TIMEOUT_MS = 10_000;

export class RelayTransport implements FrameTransport, TileHolder {
  readonly kind = 'relay';
  private readonly grabbers = new Grabbers();
  get tileCount(): number {
    return this.grabbers.size;
  }
  private readonly replies = new PendingReplies<FrameReply | undefined>(REPLY_TIMEOUT_MS);
  private nextId = 1;

  /** The overlay, drawn in the relay iframe over the page. */
  readonly overlay: RemoteOverlay;

  private constructor(
    private readonly host: HTMLElement,
    private readonly port: MessagePort,
    frame: HTMLIFrameElement,
  ) {
    this.overlay = new RemoteOverlay(frame, port);
    port.onmessage = (e: MessageEvent<RelayReply>) => {
      const data = e.data;
      if ('id' in data) {
        this.replies.answer(data.id, data.reply ?? undefined);
      } else if ('push' in data) {
        this.onPush?.(data.push);
      } else if ('hostLost' in data) {
        this.onHostLost?.();
      }
    };
  }

  /** Start the relay iframe; resolves null when it cannot come up (the caller uses DirectTransport). */
  static async start(doc: Document = document): Promise<RelayTransport | null> {
    const host = doc.createElement('affectlens-relay');
    const root = host.attachShadow({ mode: 'closed' });
    const frame = doc.createElement('iframe');
    // Over the whole viewport, like the page's own overlay layer: the relay draws the overlay
    // (RemoteOverlay). Transparent (the colour scheme its document has, or Chrome paints an opaque
    // backdrop behind it), no border, no pointer events (clicks go to the meeting underneath), out
    // of the tab order and the accessibility tree; hidden until the overlay is shown there.
    frame.setAttribute('style', 'all: initial; position: fixed; inset: 0; width: 100%; height: 100%; border: 0; margin: 0; padding: 0; background: transparent; color-scheme: normal; pointer-events: none; z-index: 2147483646; visibility: hidden;');
    frame.setAttribute('aria-hidden', 'true');
    frame.tabIndex = -1;
    // A secret in the fragment: the relay only accepts the channel from whoever knows it. The
    // iframe lives in a closed shadow root, and a cross-origin frame's URL is unreadable to the page.
    const token = crypto.randomUUID();
    frame.src = `${(browser.runtime.getURL as (p: string) => string)('/relay.html')}#${token}`;
    root.append(frame);
    doc.documentElement.append(host);
    const channel = new MessageChannel();
    const ready = new Promise<boolean>((resolve) => {
      channel.port1.onmessage = (e: MessageEvent<RelayReply>) => resolve('ready' in e.data);
      setTimeout(() => resolve(false), RELAY_TIMEOUT_MS);
    });
    frame.addEventListener(
      'load',
      () => frame.contentWindow?.postMessage({ type: 'affectlens-relay', token }, new URL(frame.src).origin, [channel.port2]),
      { once: true },
    );
    if (!(await ready)) {
      host.remove();
      channel.port1.close();
      return null;
    }
    return new RelayTransport(host, channel.port1, frame);
  }

  readonly takesRaw = true;
  readonly buffers = new BufferPool();

  analyse(picture: Picture, meta: FrameMeta): Promise<FrameReply | undefined> {
    const { bitmap, pageMs } = this.grabbers.for(meta.tileId).bitmap(picture, CAPTURE.maxSide, meta.part);
    return this.post({ id: this.nextId++, meta, pageMs, kind: 'bitmap', bitmap }, [bitmap]);
  }

  analyseRaw(raw: RawFrame, meta: FrameMeta, pageMs: number): Promise<FrameReply | undefined> {
    // Its bytes in pieces (see WireRawFrame); the copy's buffer serves the page's next copy.
    const wire = toWire(raw);
    this.buffers.give(raw.buffer);
    return this.post({ id: this.nextId++, meta, pageMs, kind: 'raw', raw: wire }, wire.chunks);
  }

  unchanged(meta: FrameMeta, pageMs: number): Promise<FrameReply | undefined> {
    return this.post({ id: this.nextId++, meta, pageMs, kind: 'unchanged' }, []);
  }

  readonly holder: TileHolder = this;
  /** Called with what the host pushes for a held tile (a repeat that changes what the overlay shows). */
  onPush: ((push: TilePush) => void) | null = null;
  /** Called when the relay found the inference host gone (its frames out are answered "no answer" too). */
  onHostLost: (() => void) | null = null;

  hold(requests: HoldRequest[]): void {
    if (requests.length) this.port.postMessage({ holds: requests } satisfies HoldMessage);
  }

  release(tabId: number, tileId: string): void {
    this.port.postMessage({ release: { tabId, tileId } } satisfies HoldMessage);
  }

  private post(request: RelayRequest, transfer: Transferable[]): Promise<FrameReply | undefined> {
    const reply = this.replies.wait(request.id);
    this.port.postMessage(request, transfer);
    return reply;
  }

  forget(tileId: string): void {
    this.grabbers.forget(tileId);
  }

  dispose(): void {
    this.replies.clear();
    this.grabbers.clear();
    this.port.close();
    this.host.remove();
  }
}

/**
 * The page's end of the overlay drawn in the relay iframe (components/overlay-board.ts is the
 * relay's): the page says where each tile shows, and its own word for a tile when it has one (a
 * status; a result that did not come through the relay). Results that do come through the relay
 * are drawn there without a word from the page, so a tile that stays where it is costs the page no
 * message at all.
 */
export class RemoteOverlay implements OverlaySurface {
  readonly drawsRelayedResults = true;
  /**
   * Where each tile was last said to show (JSON) when the page left it to the relay's results, so
   * an unchanged place goes unsaid; null: the page's own word went last (the next place is said,
   * to take it back).
   */
  private readonly placed = new Map<string, string | null>();

  constructor(
    private readonly frame: HTMLIFrameElement,
    private readonly port: MessagePort,
  ) {}

  get tileCount(): number {
    return this.placed.size;
  }

  /** The relay's frame is on the page from the start (RelayTransport.start). */
  mount(): void {}

  unmount(): void {
    this.placed.clear();
    this.frame.style.visibility = 'hidden';
    this.post({ clear: true });
  }

  setVisible(visible: boolean): void {
    // Hidden, the frame is not rendered at all; its layer says so too (as the page's overlay does).
    this.frame.style.visibility = visible ? 'visible' : 'hidden';
    this.post({ visible });
  }

  setLines(lines: OverlayContents): void {
    this.post({ lines });
  }

  draw(tiles: [string, TileDraw][]): void {
    const updates: [string, TileUpdate][] = [];
    for (const [id, t] of tiles) {
      const place = t.own ? null : JSON.stringify(t.place);
      if (place !== null && this.placed.get(id) === place) continue;
      this.placed.set(id, place);
      updates.push([id, t.own ? { place: t.place, say: { status: t.status, faces: t.faces } } : { place: t.place }]);
    }
    if (updates.length) this.post({ tiles: updates });
  }

  remove(tileId: string): void {
    if (this.placed.delete(tileId)) this.post({ remove: tileId });
  }

  private post(overlay: OverlayCommand): void {
    try {
      this.port.postMessage({ overlay } satisfies OverlayMessage);
    } catch {
      // The channel is closed (the relay went with its extension): nothing to draw on.
    }
  }
}
