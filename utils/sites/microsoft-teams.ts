/**
 * Microsoft Teams on the web (teams.microsoft.com, teams.live.com, teams.cloud.microsoft).
 *
 * Where the selectors come from (read, not copied; see ../shared/SITES.md):
 * - Vexa's meeting-bot selector files `platforms/msteams/selectors.ts` and the shared Teams
 *   speaker module it re-exports: the stream wrapper `[data-stream-type][data-tid]` whose `data-tid`
 *   carries the display name, the voice-level outline, and candidate id attributes
 *   (`data-participant-id`, `data-user-id`, `data-object-id`) on participant roots.
 * - SITES.md: tiles `[data-cid="calling-participant-stream"]` and `[data-tid="stage-layout"]
 *   [role=menuitem]`; name = the first comma-separated part of the tile's `aria-label`, or
 *   `[data-tid="participant-info-nametag"]`.
 * Teams is "frequently updated" and whether every tile holds a `<video>` was not verified; Fluent UI
 * class hashes churn every release, so no class names are used. Unverified guesses, marked below:
 * the self-view is recognised only by a "(You)" / "(Me)" suffix on the name, and
 * teams.cloud.microsoft is Microsoft's newer host for the same app.
 *
 * Check by hand on a live call (second account or guest link, cameras on), in DevTools:
 *   document.querySelectorAll('[data-cid="calling-participant-stream"] video').length
 *   [...document.querySelectorAll('[data-cid="calling-participant-stream"]')].map(e => e.getAttribute('aria-label'))
 *   [...document.querySelectorAll('[data-stream-type]')].map(e => [e.dataset.streamType, e.dataset.tid])
 * Look at your own tile's name/aria-label for the self marker, then switch gallery / speaker /
 * Together mode and pin someone, and check the names and any id attributes stay with the person.
 */
import { asHtml, cleanName, finalizeTiles, firstText, mediaHealth, outermost, pickSource, safeList, type TileDraft } from './dom';
import type { SiteAdapter, Tile } from './types';

/** A participant tile in gallery/stage layouts. */
const TILE = '[data-cid="calling-participant-stream"], [data-tid="stage-layout"] [role="menuitem"]';
/** The stream wrapper: `data-stream-type` = Video / ScreenSharing…, `data-tid` = display name. */
const STREAM = '[data-stream-type]';
const NAMETAG = '[data-tid="participant-info-nametag"]';
/** Attributes that may carry a participant id (unverified on live calls: used when present). */
const ID_ATTRS = ['data-participant-id', 'data-user-id', 'data-object-id'] as const;
const ID_SELECTOR = ID_ATTRS.map((a) => `[${a}]`).join(', ');
/** Guess: Teams suffixes the local user's name. */
const SELF_SUFFIX = /\s*\((?:you|me)\)\s*$/i;
/** `data-tid` values that are machine tokens (`video-stream-2`, `videoTile`), not names. */
const MACHINE_TOKEN = /^(?:[a-z0-9]+(?:[-_][a-z0-9]+)+|[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*|\d+)$/;

function siteId(root: Element): string | null {
  const el = root.matches(ID_SELECTOR) ? root : root.querySelector(ID_SELECTOR);
  if (!el) return null;
  for (const attr of ID_ATTRS) {
    const v = el.getAttribute(attr)?.trim();
    if (v) return v;
  }
  return null;
}

/** Name sources, most specific first: the nametag, the stream wrapper's `data-tid`, the tile's aria-label. */
function rawName(root: Element, inner: Element | null, stream: Element | null): string | null {
  const tag = firstText(root, NAMETAG);
  if (tag) return tag;
  const tid = cleanName(stream?.getAttribute('data-tid'));
  if (tid && !MACHINE_TOKEN.test(tid)) return tid;
  const label = root.getAttribute('aria-label') ?? inner?.getAttribute('aria-label');
  return label ? cleanName(label.split(',')[0]) : null;
}

/** Screen shares and other non-camera streams have no face and would displace the camera tile. */
function isCamera(el: Element): boolean {
  const stream = el.closest(STREAM);
  return !stream || stream.getAttribute('data-stream-type') === 'Video';
}

function listTiles(doc: Document): Tile[] {
  const drafts: TileDraft[] = [];
  const roots = new Set<Element>();
  for (const video of doc.querySelectorAll('video')) {
    if (!isCamera(video)) continue;
    const stream = video.closest(STREAM);
    const inner = video.closest(TILE);
    const root = inner ? outermost(inner, (el) => el.matches(TILE)) : stream;
    const anchor = asHtml(root);
    if (!root || !anchor || roots.has(root)) continue;
    roots.add(root);
    const source = pickSource(root, 'video', isCamera);
    if (!source) continue;
    const name = rawName(root, inner, stream);
    const isSelf = name !== null && SELF_SUFFIX.test(name);
    drafts.push({
      siteId: siteId(root),
      isSelf,
      name: isSelf ? cleanName(name.replace(SELF_SUFFIX, '')) : name,
      source,
      anchor,
    });
  }
  // Tiles without any video (camera off: an avatar and the nametag). A tile whose only video is a
  // screen share is not a camera tile and stays out.
  for (const el of doc.querySelectorAll(TILE)) {
    const root = outermost(el, (x) => x.matches(TILE));
    const anchor = asHtml(root);
    if (!anchor || roots.has(root) || root.querySelector('video')) continue;
    roots.add(root);
    const name = rawName(root, null, root.querySelector(STREAM));
    const isSelf = name !== null && SELF_SUFFIX.test(name);
    drafts.push({ siteId: siteId(root), isSelf, name: isSelf ? cleanName(name.replace(SELF_SUFFIX, '')) : name, source: null, anchor });
  }
  return finalizeTiles(drafts);
}

export const microsoftTeams: SiteAdapter = {
  id: 'microsoft-teams',
  label: 'Microsoft Teams',
  matches: ['https://teams.microsoft.com/*', 'https://teams.live.com/*', 'https://teams.cloud.microsoft/*'],
  matchesUrl: (url) =>
    url.protocol === 'https:' && ['teams.microsoft.com', 'teams.live.com', 'teams.cloud.microsoft'].includes(url.hostname),
  detect: (doc) => doc.querySelector(`:is(${TILE}) video, [data-stream-type="Video"] video`) !== null,
  listTiles: (doc) => safeList(() => listTiles(doc)),
  health: (doc, tiles) => mediaHealth('Microsoft Teams', doc, tiles ?? microsoftTeams.listTiles(doc), 'video'),
};
