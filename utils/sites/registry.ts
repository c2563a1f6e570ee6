/**
 * The one list of meeting-site adapters, and how a page gets its adapter.
 *
 * Adding a site: write `utils/sites/<id>.ts`, add it to `ADAPTERS`, add fixtures under
 * `tests/fixtures/sites/<id>/` and `tests/unit/sites/<id>.test.ts` (the registry test fails
 * without them).
 */
import { generic } from './generic';
import { googleMeet } from './google-meet';
import { jitsi } from './jitsi';
import { microsoftTeams } from './microsoft-teams';
import type { AdapterHealth, SiteAdapter, Tile } from './types';
import { zoomWeb } from './zoom-web';

/** Every adapter, most specific first; `generic` is last and claims any page. */
export const ADAPTERS: readonly SiteAdapter[] = [googleMeet, microsoftTeams, jitsi, zoomWeb, generic];

/** The adapter for pages no site claims, and for sites whose selectors stopped matching. */
export const FALLBACK_ADAPTER: SiteAdapter = generic;

/** Local pages for development and e2e tests (served by a local HTTP server). */
export const DEV_MATCHES: readonly string[] = ['http://localhost/*', 'http://127.0.0.1/*'];

/** Content-script match patterns: every adapter's patterns plus the development hosts, without duplicates. */
export function allMatchPatterns(): string[] {
  return [...new Set([...ADAPTERS.flatMap((a) => a.matches), ...DEV_MATCHES])];
}

/**
 * How the adapter was chosen:
 * - `url`: a site adapter claimed the URL;
 * - `structure`: no URL matched but the page is built like a known site (self-hosted Jitsi, local pages);
 * - `fallback`: a site was recognised but its selectors found no tiles on a page showing video,
 *   so the generic adapter took over (see `status`);
 * - `generic`: nothing recognised the page.
 */
export type PickedVia = 'url' | 'structure' | 'fallback' | 'generic';

export interface AdapterChoice {
  /** The adapter to use for this scan. */
  adapter: SiteAdapter;
  via: PickedVia;
  /** The recognised site's adapter, also when it was replaced by the fallback. */
  site: SiteAdapter | null;
  /** `adapter.listTiles(doc)`, already computed. */
  tiles: Tile[];
  /** The recognised site's health (the generic adapter's when no site was recognised). */
  health: AdapterHealth;
  /** One line for the user when something is off (e.g. why generic detection is in use), else null. */
  status: string | null;
}

function parse(url: URL | string): URL | null {
  if (typeof url !== 'string') return url;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * Choose the adapter for a page: URL match first, then page structure, then generic; a recognised
 * site whose selectors no longer fit falls back to generic with a status. Pure and cheap enough to
 * call on every rescan (sites render tiles late, and layouts change under a running content script).
 */
export function pickAdapter(url: URL | string, doc: Document): AdapterChoice {
  const parsed = parse(url);
  const sites = ADAPTERS.filter((a) => a !== FALLBACK_ADAPTER);
  let site: SiteAdapter | undefined;
  let via: PickedVia = 'url';
  if (parsed) site = sites.find((a) => a.matchesUrl(parsed));
  if (!site) {
    via = 'structure';
    site = sites.find((a) => safeDetect(a, doc));
  }
  if (site) {
    const tiles = site.listTiles(doc);
    const health = site.health(doc, tiles);
    if (health.ok) return { adapter: site, via, site, tiles, health, status: null };
    return {
      adapter: FALLBACK_ADAPTER,
      via: 'fallback',
      site,
      tiles: FALLBACK_ADAPTER.listTiles(doc),
      health,
      status: `${health.status ?? `${site.label}: page layout not recognised`} — using generic video detection`,
    };
  }
  const tiles = FALLBACK_ADAPTER.listTiles(doc);
  const health = FALLBACK_ADAPTER.health(doc, tiles);
  return { adapter: FALLBACK_ADAPTER, via: 'generic', site: null, tiles, health, status: null };
}

function safeDetect(adapter: SiteAdapter, doc: Document): boolean {
  try {
    return adapter.detect?.(doc) ?? false;
  } catch {
    return false;
  }
}

/** The adapter with this id, if registered. */
export function adapterById(id: string): SiteAdapter | undefined {
  return ADAPTERS.find((a) => a.id === id);
}
