/**
 * Site-neutral DOM helpers shared by the adapters. Nothing here knows a meeting site: selectors that
 * belong to a site stay in that site's adapter. Like the adapters, these are pure reads of the
 * document they are handed (no globals, no timers, no listeners).
 */
import type { AdapterHealth, Tile, TileSource } from './types';

export function isVideo(el: Element | null | undefined): el is HTMLVideoElement {
  return el?.tagName === 'VIDEO';
}

export function isCanvas(el: Element | null | undefined): el is HTMLCanvasElement {
  return el?.tagName === 'CANVAS';
}

export function isSource(el: Element | null | undefined): el is TileSource {
  return isVideo(el) || isCanvas(el);
}

/** `el` as an HTMLElement when it is one (SVG and MathML elements are not anchors). */
export function asHtml(el: Element | null | undefined): HTMLElement | null {
  return el && 'style' in el && el.namespaceURI === 'http://www.w3.org/1999/xhtml' ? (el as HTMLElement) : null;
}

/**
 * Whether the page hides `el`: the `hidden` attribute or `display: none` on it or any ancestor, or
 * `visibility: hidden` on it. Computed styles come from the element's own document's view (class-based
 * hiding is the common case on meeting sites); a document without a view falls back to inline styles.
 */
export function isHidden(el: Element): boolean {
  const view = el.ownerDocument.defaultView;
  for (let node: Element | null = el; node; node = node.parentElement) {
    if (node.hasAttribute('hidden')) return true;
    const html = asHtml(node);
    const style = view ? view.getComputedStyle(node) : html?.style;
    if (!style) continue;
    if (style.display === 'none') return true;
    if (node === el && (style.visibility === 'hidden' || style.visibility === 'collapse')) return true;
  }
  return false;
}

/** Whitespace-collapsed, trimmed text, or null when empty. Long strings are cut: they are not names. */
export function cleanName(text: string | null | undefined): string | null {
  const t = (text ?? '').replace(/\s+/g, ' ').trim();
  if (!t) return null;
  return t.length > 80 ? t.slice(0, 80) : t;
}

/**
 * The text of the first element inside `root` (or `root` itself) matching a selector, trying the
 * selectors in order (the most specific first) and skipping empty elements.
 */
export function firstText(root: Element, selectors: string | readonly string[]): string | null {
  for (const selector of typeof selectors === 'string' ? [selectors] : selectors) {
    if (root.matches(selector)) {
      const own = cleanName(root.textContent);
      if (own) return own;
    }
    for (const el of root.querySelectorAll(selector)) {
      const t = cleanName(el.textContent);
      if (t) return t;
    }
  }
  return null;
}

/**
 * The first media element inside `root` matching `selector` (and `accept`, when given) that is not
 * hidden, else the first one.
 */
export function pickSource(root: Element, selector: string, accept?: (el: TileSource) => boolean): TileSource | null {
  let first: TileSource | null = null;
  for (const el of root.querySelectorAll(selector)) {
    if (!isSource(el) || (accept && !accept(el))) continue;
    if (!isHidden(el)) return el;
    first ??= el;
  }
  return first;
}

/** The outermost ancestor-or-self of `el` that satisfies `same` (`el` itself when none does). */
export function outermost(el: Element, same: (candidate: Element) => boolean): Element {
  let best = el;
  for (let node = el.parentElement; node; node = node.parentElement) {
    if (same(node)) best = node;
  }
  return best;
}

/** A tile as an adapter first finds it; `finalizeTiles` turns a list of these into unique keys. */
export interface TileDraft {
  /** The site's participant id, if any. */
  siteId: string | null;
  /** Whether this is the local self-view (used as the key when there is no site id). */
  isSelf: boolean;
  name: string | null;
  /** Null: the site shows this participant without video (camera off). */
  source: TileSource | null;
  anchor: HTMLElement;
}

/**
 * Give every draft its key and make keys unique:
 * - a site id (or the self-view without one) names one person, so duplicates collapse to one tile —
 *   the first visible copy (sites render a person twice, e.g. on stage and in the filmstrip);
 * - a name does not: duplicates are different people and get `~2`, `~3`… in document order;
 * - neither: `tile:<n>` by position among such tiles.
 */
export function finalizeTiles(drafts: readonly TileDraft[]): Tile[] {
  const out: Tile[] = [];
  const byKey = new Map<string, number>();
  const nameCount = new Map<string, number>();
  let anonymous = 0;
  for (const d of drafts) {
    // The source's walk up the tree covers the anchor when the anchor contains it.
    const hidden = d.source ? isHidden(d.source) || (!d.anchor.contains(d.source) && isHidden(d.anchor)) : isHidden(d.anchor);
    const base: Omit<Tile, 'key'> = { name: d.name, isSelf: d.isSelf, source: d.source, anchor: d.anchor, hidden };
    const personKey = d.siteId !== null ? `id:${d.siteId}` : d.isSelf ? 'self' : null;
    if (personKey !== null) {
      const at = byKey.get(personKey);
      if (at === undefined) {
        byKey.set(personKey, out.length);
        out.push({ key: personKey, ...base });
      } else if ((out[at]?.hidden && !hidden) || (out[at]?.source === null && d.source !== null)) {
        // A visible copy beats a hidden one; a copy with video beats one without.
        out[at] = { key: personKey, ...base };
      }
      continue;
    }
    let key: string;
    if (d.name !== null) {
      const n = (nameCount.get(d.name) ?? 0) + 1;
      nameCount.set(d.name, n);
      key = n === 1 ? `name:${d.name}` : `name:${d.name}~${n}`;
    } else {
      key = `tile:${++anonymous}`;
    }
    byKey.set(key, out.length);
    out.push({ key, ...base });
  }
  return out;
}

/** Visible elements matching `selector`: what a page shows as candidate participant video. */
export function countVisible(doc: Document, selector: string): number {
  let n = 0;
  for (const el of doc.querySelectorAll(selector)) if (!isHidden(el)) n++;
  return n;
}

/**
 * The usual health rule: selectors stopped fitting when the page shows media but no tile was
 * recognised. (A page with no media — a lobby, a landing page — is fine: there is nothing to find.)
 */
export function mediaHealth(
  label: string,
  doc: Document,
  tiles: readonly Tile[],
  mediaSelector: string,
  noun = 'video',
): AdapterHealth {
  const media = countVisible(doc, mediaSelector);
  const ok = tiles.length > 0 || media === 0;
  return {
    ok,
    tiles: tiles.length,
    media,
    status: ok
      ? null
      : `${label}: page layout not recognised (${media} ${noun}${media === 1 ? '' : 's'}, no participant tiles)`,
  };
}

/** Run an adapter's scan without ever throwing into the caller (a bad selector or odd DOM yields []). */
export function safeList(scan: () => Tile[]): Tile[] {
  try {
    return scan();
  } catch {
    return [];
  }
}
