/**
 * Jitsi Meet (meet.jit.si, 8x8.vc, and any self-hosted deployment: matched by page structure).
 *
 * Where the selectors come from (read, not copied; see ../shared/SITES.md):
 * - jitsi-meet's `react/features/filmstrip/components/web/Thumbnail.tsx`: each thumbnail is a
 *   `span.videocontainer` with id `participant_<participantId>` (suffixed `_<filmstripType>` outside
 *   the main filmstrip, e.g. `_stage`), the local one `localVideoContainer`; remote videos are
 *   `<video id="remoteVideo_<trackId>">`.
 * - jitsi-meet's `ThumbnailBottomIndicators.tsx`: the display name element has id
 *   `participant_<participantId>_name`, or `localDisplayName` for yourself.
 * - Vexa's meeting-bot notes and SITES.md: the most stable of the sites (open source, ids carry the
 *   participant id); the dominant speaker's thumbnail gets class `dominant-speaker`.
 * Not covered: the large video (`#largeVideo`) in stage view has no participant marker in the DOM; the
 * same person's thumbnail is listed instead.
 *
 * Check by hand (open a room on meet.jit.si in two browser windows, cameras on), in DevTools:
 *   [...document.querySelectorAll('.videocontainer')].map(e => [e.id, !!e.querySelector('video')])
 *   document.querySelector('#localDisplayName')?.textContent
 * Toggle tile view (the grid button or `w`), pin someone, rename in the other window, and check the
 * `participant_<id>` ids stay the same. On a self-hosted server check that `detect()` holds:
 *   !!document.querySelector('#localVideoContainer, span.videocontainer[id^="participant_"]')
 */
import { asHtml, finalizeTiles, firstText, mediaHealth, pickSource, safeList, type TileDraft } from './dom';
import type { SiteAdapter, Tile } from './types';

const TILE = '.videocontainer';
const LOCAL_ID = /^localVideoContainer(?:_[a-z]+)?$/;
/** `participant_<id>` with an optional filmstrip suffix; participant ids are hex, virtual screen shares `<id>-v1`. */
const REMOTE_ID = /^participant_(.+?)(?:_(?:main|stage|screenshare))?$/;
const NAME = ['#localDisplayName', '[id^="participant_"][id$="_name"]', '.displayname'];
const STRUCTURE = '#localVideoContainer, span.videocontainer[id^="participant_"]';

function listTiles(doc: Document): Tile[] {
  const drafts: TileDraft[] = [];
  const roots = new Set<Element>();
  for (const video of doc.querySelectorAll('video')) {
    const root = video.closest(TILE);
    const anchor = asHtml(root);
    if (!root || !anchor || roots.has(root)) continue;
    roots.add(root);
    const isSelf = LOCAL_ID.test(root.id);
    const remote = REMOTE_ID.exec(root.id);
    if (!isSelf && !remote) continue; // a videocontainer that is not a participant thumbnail
    const source = pickSource(root, 'video');
    if (!source) continue;
    drafts.push({ siteId: remote?.[1] ?? null, isSelf, name: firstText(root, NAME), source, anchor });
  }
  // Thumbnails without video (camera off: `display-avatar-only`).
  for (const root of doc.querySelectorAll(TILE)) {
    const anchor = asHtml(root);
    if (!anchor || roots.has(root) || root.querySelector('video')) continue;
    const isSelf = LOCAL_ID.test(root.id);
    const remote = REMOTE_ID.exec(root.id);
    if (!isSelf && !remote) continue;
    roots.add(root);
    drafts.push({ siteId: remote?.[1] ?? null, isSelf, name: firstText(root, NAME), source: null, anchor });
  }
  return finalizeTiles(drafts);
}

export const jitsi: SiteAdapter = {
  id: 'jitsi',
  label: 'Jitsi Meet',
  matches: ['https://meet.jit.si/*', 'https://8x8.vc/*'],
  matchesUrl: (url) => url.protocol === 'https:' && (url.hostname === 'meet.jit.si' || url.hostname === '8x8.vc'),
  detect: (doc) => doc.querySelector(STRUCTURE) !== null,
  listTiles: (doc) => safeList(() => listTiles(doc)),
  health: (doc, tiles) => mediaHealth('Jitsi Meet', doc, tiles ?? jitsi.listTiles(doc), 'video'),
};
