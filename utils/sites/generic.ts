/**
 * Generic: any page with `<video>` elements (local test pages, sites without an adapter, and the
 * fallback when a site adapter's selectors stop matching). Every `<video>` is a tile.
 *
 * No site selectors: only standard HTML and ARIA. The name is the video's own accessible label
 * (`aria-label`, `aria-labelledby`, `title`), else that of the nearest ancestor that holds no other
 * video (`aria-label`, `aria-labelledby`, `title`, or a `<figure>`'s `<figcaption>`), else the
 * video's `id`. Tiny thumbnails, paused or cross-origin videos are the caller's business: this stays
 * a pure reading of the DOM.
 *
 * Check by hand: open tests/pages/call.html (`npm run demo`) and compare each tile's caption with
 * the names listed; on any page, `document.querySelectorAll('video')` are the tiles.
 */
import { cleanName, countVisible, finalizeTiles, safeList, type TileDraft } from './dom';
import type { SiteAdapter, Tile } from './types';

function labelledBy(el: Element): string | null {
  const ids = el.getAttribute('aria-labelledby')?.split(/\s+/).filter(Boolean) ?? [];
  const parts = ids.map((id) => el.ownerDocument.getElementById(id)?.textContent ?? '');
  return cleanName(parts.join(' '));
}

function ownLabel(el: Element): string | null {
  return cleanName(el.getAttribute('aria-label')) ?? labelledBy(el) ?? cleanName(el.getAttribute('title'));
}

function caption(el: Element): string | null {
  if (el.tagName !== 'FIGURE') return null;
  for (const child of el.children) if (child.tagName === 'FIGCAPTION') return cleanName(child.textContent);
  return null;
}

/** The video's name: its own label, else the nearest ancestor that labels it alone, else its id. */
export function videoName(video: HTMLVideoElement): string | null {
  const own = ownLabel(video);
  if (own) return own;
  for (let node = video.parentElement; node && node !== video.ownerDocument.body; node = node.parentElement) {
    if (node.querySelectorAll('video').length > 1) break; // labels a group, not this video
    const label = ownLabel(node) ?? caption(node);
    if (label) return label;
  }
  return cleanName(video.id);
}

function listTiles(doc: Document): Tile[] {
  const drafts: TileDraft[] = [];
  for (const video of doc.querySelectorAll('video')) {
    // The video itself is the anchor: on an unknown page its box is the only one known to be the tile.
    drafts.push({ siteId: cleanName(video.id), isSelf: false, name: videoName(video), source: video, anchor: video });
  }
  return finalizeTiles(drafts);
}

export const generic: SiteAdapter = {
  id: 'generic',
  label: 'Any page with video',
  matches: [],
  matchesUrl: () => true,
  listTiles: (doc) => safeList(() => listTiles(doc)),
  health: (doc, tiles) => {
    const n = (tiles ?? generic.listTiles(doc)).length;
    return { ok: true, tiles: n, media: countVisible(doc, 'video'), status: null };
  },
};
