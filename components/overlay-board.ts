/**
 * The overlay as the relay iframe draws it over the page (utils/transport.ts RemoteOverlay is the
 * page's end). The page says where each tile shows and, when it has its own word for a tile, what
 * (a status, or a result that did not come through the relay); the relay draws every result it
 * carries to the page by itself — a picture's answer, a held tile's push — so that a result costs
 * the meeting page no draw and no message back. Drawn at most every OVERLAY_MIN_INTERVAL_MS for
 * results, at once for the page's word (the page already draws at most that often, and at once
 * for a scroll).
 */
import { OVERLAY_MIN_INTERVAL_MS } from '../utils/config';
import { DEFAULT_OVERLAY_CONTENTS, type OverlayContents } from '../utils/settings';
import type { FaceResult } from '../utils/types';
import { faceStatus, tileView, type Overlay, type TilePlace } from './overlay';

/**
 * What the page says about a tile: where it shows, and (`say`) its own word for what it shows;
 * without `say`, the tile shows the results the relay carries (its last answer, its pushes).
 */
export interface TileUpdate {
  place: TilePlace | null;
  say?: { status: string | null; faces: FaceResult[] };
}

/** One message of the page's RemoteOverlay to the relay. */
export type OverlayCommand = { tiles: [string, TileUpdate][] } | { lines: OverlayContents } | { remove: string } | { visible: boolean } | { clear: true };

interface BoardTile {
  place: TilePlace | null;
  /** The page's own word for the tile (a status, a result that did not come through the relay), shown over `answer`. */
  word: { status: string | null; faces: FaceResult[] } | null;
  /** The tile's last result through the relay (an answer, a push); null before the first. */
  answer: FaceResult[] | null;
  /** The page holds the tile at the host (utils/hold.ts): its pushes are current. */
  held: boolean;
}

export class OverlayBoard {
  private readonly tiles = new Map<string, BoardTile>();
  private lines: OverlayContents = DEFAULT_OVERLAY_CONTENTS;
  private readonly dirty = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastDraw = -Infinity;

  constructor(
    private readonly overlay: Overlay,
    private readonly minIntervalMs = OVERLAY_MIN_INTERVAL_MS,
  ) {}

  apply(command: OverlayCommand): void {
    if ('tiles' in command) {
      for (const [id, update] of command.tiles) {
        let tile = this.tiles.get(id);
        if (!tile) this.tiles.set(id, (tile = { place: null, word: null, answer: null, held: false }));
        tile.place = update.place;
        // The page's word, or none: its latest result through the relay shows. (Said after an answer
        // that crossed it on the way, a word is taken back by the page's next update.)
        tile.word = update.say ?? null;
        this.dirty.add(id);
      }
      this.overlay.mount(); // (again, after a `clear`)
      this.drawNow();
    } else if ('lines' in command) {
      this.lines = command.lines;
      for (const id of this.tiles.keys()) this.dirty.add(id);
      this.drawNow();
    } else if ('remove' in command) {
      this.tiles.delete(command.remove);
      this.dirty.delete(command.remove);
      this.overlay.remove(command.remove);
    } else if ('visible' in command) {
      this.overlay.setVisible(command.visible);
    } else {
      this.tiles.clear();
      this.dirty.clear();
      this.overlay.unmount();
    }
  }

  /** The answer to a tile's picture (or "unchanged" frame), on its way to the page: drawn. A frame of the tile ends its hold. */
  answered(tileId: string, faces: FaceResult[]): void {
    const tile = this.tiles.get(tileId);
    if (!tile) return; // a tile the page no longer shows
    tile.held = false;
    this.show(tileId, tile, faces);
  }

  /** A held tile's repeat that changes its badge (utils/hold.ts): drawn, unless the page has let the hold go meanwhile. */
  pushed(tileId: string, faces: FaceResult[]): void {
    const tile = this.tiles.get(tileId);
    if (tile?.held) this.show(tileId, tile, faces);
  }

  /** The page starts or renews the hold of these tiles. */
  hold(tileIds: string[]): void {
    for (const id of tileIds) {
      const tile = this.tiles.get(id);
      if (tile) tile.held = true;
    }
  }

  /** The page let the tile's hold go, or sent a frame of it (its answer comes next): pushes of it are old news. */
  unhold(tileId: string): void {
    const tile = this.tiles.get(tileId);
    if (tile) tile.held = false;
  }

  private show(tileId: string, tile: BoardTile, faces: FaceResult[]): void {
    // A result replaces the page's word at once, as it does on the page when the answer reaches it.
    tile.word = null;
    tile.answer = faces;
    this.dirty.add(tileId);
    if (this.timer !== null) return;
    const wait = this.lastDraw + this.minIntervalMs - performance.now();
    if (wait <= 0) this.drawNow();
    else this.timer = setTimeout(() => this.drawNow(), wait);
  }

  private drawNow(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.lastDraw = performance.now();
    for (const id of this.dirty) {
      const tile = this.tiles.get(id);
      if (!tile) continue;
      const { status, faces } = tile.word ?? { status: tile.answer ? faceStatus(tile.answer) : null, faces: tile.answer ?? [] };
      this.overlay.render(id, tileView(tile.place, status, faces, this.lines));
    }
    this.dirty.clear();
  }
}
