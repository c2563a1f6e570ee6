/**
 * Zoom web client (`https://app.zoom.us/wc/…`, also `zoom.us/wc/…` and company `*.zoom.us` hosts).
 *
 * Zoom draws participant video into `<canvas>` elements, not `<video>`: a tile's source is a canvas,
 * and in gallery view one canvas may be shared by all tiles, with the tiles as positioned frames over
 * it — the caller then crops the canvas by the anchor's on-screen rectangle. The pixels may be
 * unreadable (a WebGL canvas without `preserveDrawingBuffer` reads back blank; a tainted canvas
 * throws): tab capture, started by the user's click, is the fallback, mapped to tiles by the same
 * rectangles. Existing Zoom emotion extensions all fall back to tab capture.
 *
 * Where the selectors come from (read, not copied; see ../shared/SITES.md):
 * - Vexa's meeting-bot selector file `platforms/zoom/web/selectors.ts` (from live DOM inspection):
 *   tile frames `.speaker-active-container__video-frame` and `.speaker-bar-container__video-frame`,
 *   names in `.video-avatar__avatar-footer` (a `span` inside).
 * - SITES.md: gallery frames `.gallery-video-container__video-frame`; participants panel names
 *   `.participants-item__display-name` (not used: no video there).
 * Unverified: Zoom exposes no participant id and no self-view marker in the tile DOM that public
 * projects rely on, so keys are display names and `isSelf` is always false; which element holds the
 * canvas (inside the frame or beside the frames) varies by version, so both are handled.
 *
 * Check by hand (join a test meeting at https://app.zoom.us/wc/<id>/join with two browsers), in DevTools:
 *   [...document.querySelectorAll('[class*="video-frame"]')].map(e => [e.className, e.querySelector('.video-avatar__avatar-footer')?.textContent])
 *   document.querySelectorAll('canvas, video') → where the pixels are
 * Switch Speaker ↔ Gallery view, pin someone, rename, and check the names still match the frames.
 */
import { asHtml, finalizeTiles, firstText, isSource, mediaHealth, pickSource, safeList } from './dom';
import type { TileDraft } from './dom';
import type { SiteAdapter, Tile, TileSource } from './types';

const FRAME =
  '.gallery-video-container__video-frame, .speaker-active-container__video-frame, .speaker-bar-container__video-frame';
const NAME = ['.video-avatar__avatar-footer span', '.video-avatar__avatar-footer'];
/** How far up from a frame to look for a canvas shared by the frames (gallery view). */
const SHARED_CANVAS_DEPTH = 3;

function isZoomHost(host: string): boolean {
  return host === 'zoom.us' || host.endsWith('.zoom.us');
}

/** The frame's own canvas/video, else a canvas next to the frames that no frame owns. */
function sourceFor(frame: Element): TileSource | null {
  const own = pickSource(frame, 'canvas, video');
  if (own) return own;
  let node = frame.parentElement;
  for (let depth = 0; node && depth < SHARED_CANVAS_DEPTH; depth++, node = node.parentElement) {
    for (const el of node.querySelectorAll('canvas, video')) {
      if (isSource(el) && el.closest(FRAME) === null) return el;
    }
  }
  return null;
}

function listTiles(doc: Document): Tile[] {
  const drafts: TileDraft[] = [];
  for (const frame of doc.querySelectorAll(FRAME)) {
    const anchor = asHtml(frame);
    if (!anchor || frame.parentElement?.closest(FRAME)) continue; // nested frame: the outer one is the tile
    const source = sourceFor(frame);
    if (!source) continue;
    drafts.push({ siteId: null, isSelf: false, name: firstText(frame, NAME), source, anchor });
  }
  return finalizeTiles(drafts);
}

export const zoomWeb: SiteAdapter = {
  id: 'zoom-web',
  label: 'Zoom',
  matches: ['https://*.zoom.us/*'],
  matchesUrl: (url) => url.protocol === 'https:' && isZoomHost(url.hostname) && url.pathname.startsWith('/wc/'),
  detect: (doc) => doc.querySelector(FRAME) !== null,
  listTiles: (doc) => safeList(() => listTiles(doc)),
  health: (doc, tiles) => mediaHealth('Zoom', doc, tiles ?? zoomWeb.listTiles(doc), 'video, canvas', 'video/canvas element'),
};
