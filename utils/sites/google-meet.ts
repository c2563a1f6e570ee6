/**
 * Google Meet (meet.google.com).
 *
 * Where the selectors come from (read, not copied; see ../shared/SITES.md):
 * - Vexa's meeting-bot selector file `platforms/googlemeet/selectors.ts`: participant containers
 *   `[data-participant-id]`, the self tile `[data-self-name]`, names in `span.notranslate`.
 * - google-meet-grid-view extensions and their issues about Meet DOM changes: tiles carry
 *   `data-participant-id` / `data-requested-participant-id` with real `<video>` elements inside;
 *   obfuscated class names and `jsname` values rotate every few weeks, so none are used here.
 * - SITES.md notes a 2025 report that the `data-*` attributes are gone, probably from an
 *   accessibility-tree snapshot that strips them. If they really go, `health()` reports it and the
 *   registry falls back to the generic adapter with a status line.
 *
 * Check by hand on a live call (two browsers or a second account, both cameras on), in DevTools:
 *   document.querySelectorAll('[data-participant-id] video, [data-requested-participant-id] video')
 *     → one or more per participant with camera on;
 *   [...document.querySelectorAll('[data-participant-id]')].map(e => e.querySelector('span.notranslate')?.textContent)
 *     → display names;
 *   document.querySelector('[data-self-name]')?.closest('[data-participant-id]') → your own tile.
 * Then switch layout (⋮ → Change layout: Tiled / Spotlight / Sidebar), rename in a second window,
 * and check the participant ids stay the same.
 */
import { asHtml, finalizeTiles, firstText, mediaHealth, outermost, pickSource, safeList, type TileDraft } from './dom';
import type { SiteAdapter, Tile } from './types';

/** A tile (or an element inside one) that names its participant. */
const PARTICIPANT = '[data-participant-id], [data-requested-participant-id]';
/** Marks the local user's own tile; the attribute's value is a (localised) label such as "You". */
const SELF = '[data-self-name]';
/** A tile container (in the grid, spotlight or filmstrip), with or without video. */
const CAMERA_OFF_TILE = '[data-requested-participant-id]';
/** The display name inside a tile (Meet marks it `notranslate` so page translation leaves it alone). */
const NAME = 'span.notranslate';

function participantId(el: Element): string | null {
  return el.getAttribute('data-participant-id') || el.getAttribute('data-requested-participant-id') || null;
}

function listTiles(doc: Document): Tile[] {
  const drafts: TileDraft[] = [];
  const roots = new Set<Element>();
  for (const video of doc.querySelectorAll('video')) {
    const inner = video.closest(PARTICIPANT);
    const id = inner && participantId(inner);
    if (!inner || !id) continue; // e.g. the lobby preview
    // Meet nests elements carrying the same id; the outermost one spans the name bar too.
    const root = outermost(inner, (el) => el.matches(PARTICIPANT) && participantId(el) === id);
    const anchor = asHtml(root);
    if (roots.has(root) || !anchor) continue;
    roots.add(root);
    const source = pickSource(root, 'video');
    if (!source) continue;
    const selfEl = root.closest(SELF) ?? root.querySelector(SELF);
    drafts.push({
      siteId: id,
      isSelf: selfEl !== null,
      name: firstText(root, NAME) ?? (selfEl?.getAttribute('data-self-name')?.trim() || null),
      source,
      anchor,
    });
  }
  // Tiles without video (camera off: an avatar): the tile container, which the People panel's
  // entries are not (they carry only `data-participant-id`).
  for (const el of doc.querySelectorAll(CAMERA_OFF_TILE)) {
    const root = outermost(el, (x) => x.matches(PARTICIPANT) && participantId(x) === participantId(el));
    const anchor = asHtml(root);
    const id = participantId(root);
    if (!anchor || !id || roots.has(root) || root.querySelector('video')) continue;
    roots.add(root);
    const selfEl = root.closest(SELF) ?? root.querySelector(SELF);
    drafts.push({ siteId: id, isSelf: selfEl !== null, name: firstText(root, NAME) ?? (selfEl?.getAttribute('data-self-name')?.trim() || null), source: null, anchor });
  }
  return finalizeTiles(drafts);
}

export const googleMeet: SiteAdapter = {
  id: 'google-meet',
  label: 'Google Meet',
  matches: ['https://meet.google.com/*'],
  matchesUrl: (url) => url.protocol === 'https:' && url.hostname === 'meet.google.com',
  detect: (doc) => doc.querySelector(SELF) !== null && doc.querySelector(`:is(${PARTICIPANT}) video`) !== null,
  listTiles: (doc) => safeList(() => listTiles(doc)),
  health: (doc, tiles) => mediaHealth('Google Meet', doc, tiles ?? googleMeet.listTiles(doc), 'video'),
};
