/**
 * The contract every meeting-site adapter implements.
 *
 * An adapter is a pure function of the `Document` it is given: it reads the DOM and returns what it
 * found. It never touches `window`, `location` or other globals, never starts a timer, never adds a
 * listener and never mutates the page, so it can be run against saved fixture HTML in happy-dom and
 * re-run on every DOM mutation without leaking anything. Lifecycles belong to the caller.
 *
 * Every site-specific selector lives inside its adapter file (`utils/sites/<id>.ts`); shared code
 * only sees `Tile`s and statuses.
 */

/** The element whose pixels show a participant: a `<video>`, or a `<canvas>` on sites that draw video. */
export type TileSource = HTMLVideoElement | HTMLCanvasElement;

/** One participant's video tile as the page shows it right now. */
export interface Tile {
  /**
   * Stable participant key, unique within one `listTiles` result. It comes from site identity and
   * survives layout switches and renames where the site exposes an id:
   * - `id:<site id>` — the site's own participant id (Meet `data-participant-id`, Jitsi
   *   `participant_<id>`, …). One tile per id: if a site renders a person twice, the visible copy wins.
   * - `self` — the local self-view when the site marks it but gives it no id.
   * - `name:<display name>` — no id on the page; two people with the same name get `name:X` and
   *   `name:X~2` in document order, which can swap after a layout change (nothing better exists).
   * - `tile:<n>` — neither id nor name: position among such tiles (stable only while the layout is).
   */
  key: string;
  /** Display name as the page shows it (trimmed), or null when the page shows none. */
  name: string | null;
  /** Whether this is the local user's own camera (self-view). False when the site does not say. */
  isSelf: boolean;
  /**
   * Where the pixels are. Zoom web may share one `<canvas>` between several tiles: crop it with the
   * anchor's on-screen rectangle. A canvas may also be unreadable (WebGL without
   * `preserveDrawingBuffer`, or tainted): tab capture is the fallback then. Null: the site shows
   * this participant without video (camera off) — the overlay says so on the anchor.
   */
  source: TileSource | null;
  /** The element to anchor the overlay to: the whole tile (video plus name bar) where the site has one. */
  anchor: HTMLElement;
  /**
   * Whether the tile is hidden by the page (`hidden` attribute, `display: none` on it or an ancestor,
   * `visibility: hidden`). Zero-size and off-screen tiles are the caller's call: it has the layout.
   */
  hidden: boolean;
}

/** What an adapter says about how well its selectors fit the page. */
export interface AdapterHealth {
  /**
   * False when the selectors evidently stopped matching: the page shows visible media (`<video>`,
   * or `<canvas>` where the site draws into one) but the adapter recognised no tile.
   */
  ok: boolean;
  /** Tiles the adapter recognised. */
  tiles: number;
  /** Visible media elements on the page that the adapter counts as candidate participant video. */
  media: number;
  /** One line for the user when not ok (e.g. why the generic adapter took over), else null. */
  status: string | null;
}

export interface SiteAdapter {
  /** Stable id, also the fixture folder (`tests/fixtures/sites/<id>/`) and test file name. */
  readonly id: string;
  /** Human-readable site name for statuses and settings. */
  readonly label: string;
  /** Match patterns for the extension manifest (content-script `matches`). */
  readonly matches: readonly string[];
  /** Whether this URL belongs to the site. */
  matchesUrl(url: URL): boolean;
  /**
   * Whether the page's structure identifies the site regardless of its URL (self-hosted Jitsi,
   * local test pages built like a site). Absent when the site cannot be told apart by structure.
   */
  detect?(doc: Document): boolean;
  /**
   * The participant tiles: those with a video source in document order, then those the site shows
   * without video (camera off: an avatar; `source` null), where the site marks them. Never throws.
   */
  listTiles(doc: Document): Tile[];
  /** Whether the selectors still fit the page; pass `tiles` when already listed to avoid a rescan. */
  health(doc: Document, tiles?: readonly Tile[]): AdapterHealth;
}
