// The frame relay: an extension iframe on the meeting page (its own process). It takes frames
// from the content script over a private MessageChannel — a video frame's copied planes, a drawn
// ImageBitmap, or "unchanged" — so that the meeting page's main thread never encodes a frame.
//
// It hands them on to the inference host over a second, direct channel, whose far end the service
// worker passes to the offscreen document once and the document to its router worker (which gives
// each tile's frames to an engine worker): no encode, no decode, no base64. Where that channel cannot
// be made, or the host stops answering on it, the relay encodes a JPEG and sends it with
// runtime.sendMessage instead (the path before the direct channel), and tries the channel again later.
//
// A still tile's hold (utils/hold.ts) goes to the host on the direct channel too, and what the host
// pushes for a held tile comes back to the page on the private channel.
//
// It also draws the page's overlay (components/overlay-board.ts): this frame lies over the whole
// page, transparent; the page says where its tiles show (and its own word for a tile, a status),
// and every answer and push this frame carries to the page is drawn here as it passes, so that
// neither the overlay's style, layout and paint nor a message per draw cost the meeting page.
import { Overlay } from '@/components/overlay';
import { OverlayBoard } from '@/components/overlay-board';
import { CAPTURE } from '@/utils/config';
import { send } from '@/utils/messaging';
import { PendingReplies, answerFrame } from '@/utils/pending';
import { BufferPool, fromWire, rawToBitmap, type RawFrame } from '@/utils/raw-frame';
import { HOST_PORT_MESSAGE, frameWithoutImage, type HoldMessage, type HostMessage, type HostReply, type HostRequest, type OverlayMessage, type RelayReply, type RelayRequest } from '@/utils/transport';
import type { FrameReply } from '@/utils/protocol';

const token = location.hash.slice(1);
let port: MessagePort | null = null;
// A synchronous encode (toDataURL) on purpose: this frame does not render while the overlay is
// hidden, so the idle-time scheduling behind convertToBlob would delay each frame by up to a second.
const canvas = document.createElement('canvas');
const ctx = canvas.getContext('2d', { alpha: false });

/** A frame the host has not answered on the direct channel after this long: the host is gone. */
const HOST_REPLY_TIMEOUT_MS = 5000;
/** After the direct channel failed, frames take the runtime.sendMessage path this long before it is tried again. */
const RETRY_HOST_MS = 10_000;
/**
 * The host is asked whether it is there every HOST_PING_MS, and taken for gone when a question has
 * gone unanswered for HOST_SILENT_MS: Chrome does not fire `close` on this end when the offscreen
 * document goes away, and a frame's own timeout (or a held tile's next picture) left the page
 * showing its last reading for 5 s and more (measured: 5.2 s before the tiles said anything).
 * Only an unanswered question counts: in a background tab the timer may run once a minute.
 */
const HOST_PING_MS = 500;
const HOST_SILENT_MS = 1500;

addEventListener('message', (e: MessageEvent<{ type?: string; token?: string }>) => {
  // Only the first channel that proves it knows the secret in our URL is ever used.
  if (port || !token || e.data?.type !== 'affectlens-relay' || e.data.token !== token || !e.ports[0]) return;
  port = e.ports[0];
  port.onmessage = (m: MessageEvent<RelayRequest | HoldMessage | OverlayMessage>) => {
    const data = m.data;
    if ('overlay' in data) return board.apply(data.overlay);
    if ('holds' in data) board.hold(data.holds.map((h) => h.tileId));
    else if ('release' in data) board.unhold(data.release.tileId);
    if ('holds' in data || 'release' in data) {
      if (host) host.postMessage(data satisfies HostMessage);
      else if ('holds' in data) {
        // Only the direct channel carries holds. Without it, the page is asked for each tile's
        // picture: it goes the other way, and its answer (`via`) tells the page to send "unchanged"
        // frames again.
        for (const { tabId, tileId } of data.holds) {
          port?.postMessage({ push: { tabId, tileId, reply: { ok: false, reason: 'need-picture', status: { state: 'loading', detail: 'no direct channel to the inference host' } } } } satisfies RelayReply);
        }
      }
      return;
    }
    void relay(data);
  };
  port.postMessage({ ready: true } satisfies RelayReply);
  void hostChannel();
});

// ------------------------------------------------------------------------------------------------
// The overlay, drawn here for the page.

const board = new OverlayBoard(new Overlay(document));

// ------------------------------------------------------------------------------------------------
// The direct channel to the inference host.

let host: MessagePort | null = null;
let connecting: Promise<MessagePort | null> | null = null;
let retryAfter = 0;
/** Frames out on the direct channel, by id; unanswered after HOST_REPLY_TIMEOUT_MS, the host is taken for gone. */
const hostReplies = new PendingReplies<{ reply: FrameReply; buffer?: ArrayBuffer }>(HOST_REPLY_TIMEOUT_MS);

function sleep(ms: number): Promise<null> {
  return new Promise((r) => setTimeout(() => r(null), ms));
}

/** The channel to the host: made once (the service worker passes its far end to the offscreen document), null when it cannot be. */
function hostChannel(): Promise<MessagePort | null> {
  if (host) return Promise.resolve(host);
  if (Date.now() < retryAfter || !('serviceWorker' in navigator)) return Promise.resolve(null);
  connecting ??= (async () => {
    try {
      const registration = await Promise.race([navigator.serviceWorker.ready, sleep(2000)]);
      const worker = registration?.active;
      if (!worker) return null;
      const channel = new MessageChannel();
      const ready = new Promise<boolean>((resolve) => {
        channel.port1.onmessage = (e: MessageEvent<HostReply>) => resolve('ready' in e.data);
        setTimeout(() => resolve(false), 5000);
      });
      worker.postMessage({ type: HOST_PORT_MESSAGE }, [channel.port2]);
      if (!(await ready)) {
        channel.port1.close();
        return null;
      }
      // When the oldest question the host has not answered yet was asked (null: none open).
      let askedAt: number | null = null;
      channel.port1.onmessage = (e: MessageEvent<HostReply>) => {
        askedAt = null; // anything from the host answers it
        if ('id' in e.data) hostReplies.answer(e.data.id, { reply: e.data.reply, ...(e.data.buffer ? { buffer: e.data.buffer } : {}) });
        else if ('push' in e.data) {
          // A held tile's repeat that changes its badge: drawn here, and the page hears of it.
          const { push } = e.data;
          if (push.reply.ok) board.pushed(push.tileId, push.reply.result.faces);
          port?.postMessage(e.data satisfies RelayReply);
        }
      };
      let pings = 0;
      const alive = setInterval(() => {
        if (host !== channel.port1) return clearInterval(alive);
        if (askedAt !== null) {
          if (Date.now() - askedAt > HOST_SILENT_MS) dropHost(channel.port1);
          return;
        }
        askedAt = Date.now();
        channel.port1.postMessage({ ping: ++pings } satisfies HostMessage);
      }, HOST_PING_MS);
      // Where Chrome says that the far end went away, that is the quickest sign (it did not, here,
      // when the offscreen document closed: the questions above are what notice that).
      channel.port1.addEventListener('close', () => dropHost(channel.port1));
      return (host = channel.port1);
    } catch (err) {
      console.warn('[AffectLens relay] no direct channel to the inference host', err);
      return null;
    } finally {
      connecting = null;
      if (!host) retryAfter = Date.now() + RETRY_HOST_MS;
    }
  })();
  return connecting;
}

/** The host behind this channel is gone: every frame out on it gets "no answer" (the content script asks the background for a new host). */
function dropHost(which: MessagePort): void {
  if (host !== which) return;
  host = null;
  which.close();
  hostReplies.clear();
  // Held tiles have no frame out to learn it from: the page is told (it asks for a new host).
  port?.postMessage({ hostLost: true } satisfies RelayReply);
}

/** Send a frame on the direct channel; undefined when the host does not answer (then the channel is dropped). */
function viaHost(channel: MessagePort, request: HostRequest, transfer: Transferable[]): Promise<{ reply: FrameReply; buffer?: ArrayBuffer } | undefined> {
  const reply = hostReplies.wait(request.id, () => dropHost(channel));
  channel.postMessage(request, transfer);
  return reply;
}

// ------------------------------------------------------------------------------------------------

/**
 * Buffers the page's copied frames are put back together in (`fromWire`); each comes back with the
 * host's answer for the next one.
 */
const buffers = new BufferPool();

async function relay(req: RelayRequest): Promise<void> {
  board.unhold(req.meta.tileId); // a frame of the tile ends its hold
  let answer: FrameReply | null = null;
  let raw: RawFrame | null = null;
  try {
    if (req.kind === 'raw') raw = fromWire(req.raw, buffers);
    const channel = req.meta.tabId === undefined ? null : await hostChannel();
    if (channel && req.meta.tabId !== undefined) {
      const request: HostRequest = { id: req.id, tabId: req.meta.tabId, request: frameWithoutImage(req.meta, req.pageMs, 'channel') };
      if (req.kind === 'unchanged') request.request.unchanged = true;
      if (req.kind === 'bitmap') request.bitmap = req.bitmap;
      if (raw) request.raw = raw;
      const answered = await viaHost(channel, request, req.kind === 'bitmap' ? [req.bitmap] : raw ? [raw.buffer] : []);
      answer = answered?.reply ?? null;
      buffers.give(answered?.buffer);
    } else {
      answer = (await sendEncoded(req, req.kind === 'bitmap' ? req.bitmap : raw)) ?? null;
      buffers.give(raw?.buffer);
    }
  } catch (err) {
    console.warn('[AffectLens relay]', err);
  } finally {
    if (req.kind === 'bitmap') req.bitmap.close(); // a no-op once transferred on
  }
  if (answer?.ok) board.answered(req.meta.tileId, answer.result.faces);
  if (port) answerFrame<FrameReply | null>(port, { id: req.id, reply: answer });
}

/** The runtime.sendMessage path: the frame's `picture` as a JPEG data URL (none: only "unchanged"). */
async function sendEncoded(req: RelayRequest, picture: ImageBitmap | RawFrame | null): Promise<FrameReply | undefined> {
  const frame = frameWithoutImage(req.meta, req.pageMs, 'relay');
  if (!picture) return send('cs-off-frame', 'offscreen', { ...frame, unchanged: true });
  if (!ctx) throw new Error('2d context unavailable');
  const bitmap = picture instanceof ImageBitmap ? picture : await rawToBitmap(picture, CAPTURE.maxSide);
  try {
    if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
    }
    ctx.drawImage(bitmap, 0, 0);
  } finally {
    bitmap.close();
  }
  const image = canvas.toDataURL('image/jpeg', CAPTURE.jpegQuality);
  return send('cs-off-frame', 'offscreen', { ...frame, image, width: canvas.width, height: canvas.height });
}
