/**
 * The on-tile overlay: one fixed layer in a closed shadow root (page CSS cannot reach in, page
 * scripts cannot read results out), a frame per tile and a box + badge per face.
 * Plain DOM on purpose, kept tiny: in Chrome it is drawn in the relay iframe over the page
 * (components/overlay-board.ts), elsewhere on the meeting page's main thread.
 * It never takes pointer events: clicks go to the meeting UI underneath.
 */
import { badgePlace, frameAround, placeBox, type Rect } from '../utils/geometry';
import { FACE_FRAME_MARGIN } from '../utils/config';
import { DEFAULT_OVERLAY_CONTENTS, type OverlayContents } from '../utils/settings';
import type { FaceResult } from '../utils/types';
import { describeFace, vaDot } from './badge';

export interface FaceView {
  /** The face's box in viewport px; the overlay draws its frame a margin outside it. */
  rect: Rect;
  /** First badge line, e.g. "Happiness 92%". */
  title: string;
  /** Second badge line, e.g. "Smile · AU12 0.81 · AU6 0.55". */
  detail: string;
  /** Optional third line, e.g. "Engagement 72% · Happily Surprised". */
  extra?: string;
  tone: 'positive' | 'neutral' | 'negative';
  /** Valence/arousal for the small circumplex indicator, when an affect model runs. */
  va?: { valence: number; arousal: number; estimated: boolean };
}

export interface TileView {
  /** The tile's displayed picture in viewport px, or null when the tile is not visible. */
  rect: Rect | null;
  /** A status to show on the tile ("no face", "paused", …), or null when faces are shown. */
  status: string | null;
  faces: FaceView[];
}

/**
 * The height (px) a badge of `detailLines` lines under its title takes, with the gap to its frame
 * (the badge's rules in STYLE below: title 1.25 em, details .85 em at 1.25 line height, 3 px padding above and
 * below, a 1.6-em valence/arousal disc beside them, 4 px off the frame).
 */
export function badgeNeedPx(fontPx: number, detailLines: number): number {
  return Math.ceil(Math.max(1.6 * fontPx, 1.25 * fontPx + detailLines * 1.0625 * fontPx) + 6 + 4);
}

/** The face frame's border (px): its badge's lane is placed from inside it. */
const FRAME_BORDER_PX = 2;

const STYLE = `
:host { all: initial; }
.layer { position: fixed; inset: 0; pointer-events: none; z-index: 2147483646; font-family: system-ui, sans-serif; }
.tile { position: fixed; pointer-events: none; clip-path: inset(0); }
.status { position: absolute; left: 6px; top: 6px; padding: 2px 8px; border-radius: 10px;
  background: rgba(20,20,20,.72); color: #fff; font-size: 12px; line-height: 18px; }
.box { position: fixed; border: ${FRAME_BORDER_PX}px solid rgba(255,255,255,.85); border-radius: 6px; box-sizing: border-box;
  box-shadow: 0 0 0 1px rgba(0,0,0,.35); }
.box.positive { border-color: #ffd34d; }
.box.negative { border-color: #6fa8ff; }
.badge .row { display: flex; gap: 6px; align-items: center; }
.va { position: relative; width: 1.6em; height: 1.6em; flex: none; border-radius: 50%;
  background: rgba(255,255,255,.14); box-shadow: inset 0 0 0 1px rgba(255,255,255,.35); }
.va::before, .va::after { content: ''; position: absolute; background: rgba(255,255,255,.3); }
.va::before { left: 50%; top: 10%; bottom: 10%; width: 1px; }
.va::after { top: 50%; left: 10%; right: 10%; height: 1px; }
.va .dot { position: absolute; width: .4em; height: .4em; margin: -.2em 0 0 -.2em; border-radius: 50%; background: #ffd34d; }
.va.estimated .dot { background: transparent; box-shadow: 0 0 0 1.5px #ffd34d; }
.lane { position: absolute; display: flex; bottom: calc(100% + 4px); }
.lane.end { flex-direction: row-reverse; }
.gap { flex: 0 1 auto; min-width: 0; }
.badge { flex: 0 0 auto; max-width: 100%; box-sizing: border-box; overflow: hidden; padding: 3px 7px; border-radius: 6px;
  background: rgba(20,20,20,.78); color: #fff; white-space: nowrap; line-height: 1.25; }
.badge .text { min-width: 0; }
.badge .title, .badge .detail { overflow: hidden; text-overflow: ellipsis; }
.badge .title { font-weight: 600; }
.badge .detail { opacity: .85; font-size: .85em; }
.box.below .lane { bottom: auto; top: calc(100% + 4px); }
.box.inside .lane { bottom: auto; }
`;

/** The elements of one face's box and badge, kept and updated in place between frames. */
interface FaceEls {
  box: HTMLDivElement;
  /** Across the tile, above / below / inside the frame: the badge's room (utils/geometry.ts `badgePlace`). */
  lane: HTMLDivElement;
  /** Before the badge in its lane; shrinks so that the badge stays in the lane. */
  gap: HTMLDivElement;
  badge: HTMLDivElement;
  text: HTMLDivElement;
  title: HTMLDivElement;
  detail: HTMLDivElement;
  extra: HTMLDivElement;
  va: HTMLDivElement;
  dot: HTMLDivElement;
}

interface TileEls {
  root: HTMLDivElement;
  status: HTMLDivElement;
  faces: FaceEls[];
}

/** Where a tile shows on the screen (viewport px): its element's box, and its picture's rectangle in it (object-fit). */
export interface TilePlace {
  box: Rect;
  content: Rect;
}

/**
 * A tile as the content script knows it, to draw: where it shows (null: nothing on it), its status
 * and its faces. `own`: the page's word for the tile (a status it set, or a result the relay did
 * not carry), which an overlay that draws the relay's results itself must take; otherwise its
 * latest result is the relay's to draw.
 */
export interface TileDraw {
  place: TilePlace | null;
  status: string | null;
  faces: FaceResult[];
  own: boolean;
}

/** A tile's status for an analysed frame's faces: "no face" when it has none (the page's and the relay's overlay alike). */
export function faceStatus(faces: readonly FaceResult[]): string | null {
  return faces.length ? null : 'no face';
}

/** What the overlay shows on a tile: its faces on its picture, with the badge lines the user chose, and its status. */
export function tileView(place: TilePlace | null, status: string | null, faces: FaceResult[], lines: OverlayContents): TileView {
  if (!place) return { rect: null, status: null, faces: [] };
  const views: FaceView[] = [];
  for (const f of faces) {
    const rect = placeBox(f.boxNorm, place.content, place.box);
    if (rect) views.push({ rect, ...describeFace(f, lines) });
  }
  return { rect: place.box, status, faces: views };
}

/**
 * Where a page's overlay is drawn: on the page itself (`Overlay`), or in the relay iframe over it
 * (`RemoteOverlay` in utils/transport.ts), which draws the results it carries to the page by
 * itself, so that neither their drawing nor a message per draw costs the meeting page's main
 * thread (README → Performance).
 */
export interface OverlaySurface {
  /** Tiles the overlay holds elements for. */
  readonly tileCount: number;
  /** It draws the results the relay carries without being told (the page then draws only its own word, `TileDraw.own`). */
  readonly drawsRelayedResults: boolean;
  mount(): void;
  unmount(): void;
  setVisible(visible: boolean): void;
  /** The badge lines the user chose (options page); the tiles are drawn again after. */
  setLines(lines: OverlayContents): void;
  /** Show these tiles, drawn together (one draw of the overlay). */
  draw(tiles: [tileId: string, tile: TileDraw][]): void;
  remove(tileId: string): void;
}

export class Overlay implements OverlaySurface {
  private readonly host: HTMLElement;
  private readonly layer: HTMLDivElement;
  private readonly tiles = new Map<string, TileEls>();
  private lines: OverlayContents = DEFAULT_OVERLAY_CONTENTS;
  readonly drawsRelayedResults = false;

  /** Tiles the overlay holds elements for. */
  get tileCount(): number {
    return this.tiles.size;
  }

  /** `mode`: the shadow root's (closed on a page: its scripts cannot read results out; tests open it). */
  constructor(
    private readonly doc: Document = document,
    mode: ShadowRootMode = 'closed',
  ) {
    this.host = doc.createElement('affectlens-overlay');
    const root = this.host.attachShadow({ mode });
    const style = doc.createElement('style');
    style.textContent = STYLE;
    this.layer = doc.createElement('div');
    this.layer.className = 'layer';
    this.layer.setAttribute('aria-hidden', 'true');
    root.append(style, this.layer);
  }

  mount(): void {
    if (!this.host.isConnected) this.doc.documentElement.append(this.host);
  }

  /** Take the overlay off the page, and forget its tiles: mounted again, it starts empty. */
  unmount(): void {
    this.host.remove();
    this.layer.replaceChildren();
    this.tiles.clear();
  }

  setVisible(visible: boolean): void {
    this.layer.style.display = visible ? '' : 'none';
  }

  setLines(lines: OverlayContents): void {
    this.lines = lines;
  }

  draw(tiles: [tileId: string, tile: TileDraw][]): void {
    for (const [id, t] of tiles) this.render(id, tileView(t.place, t.status, t.faces, this.lines));
  }

  /**
   * Show a tile's state. Runs once per analysed frame on the meeting page's main thread, so it
   * updates the existing elements and touches only what changed (no rebuild, no needless restyle).
   */
  render(tileId: string, view: TileView): void {
    const tile = this.tile(tileId);
    const el = tile.root;
    if (!view.rect) {
      setStyle(el, 'display', 'none');
      return;
    }
    const r = view.rect;
    setStyle(el, 'display', '');
    placeEl(el, r);
    const fontSize = Math.round(Math.min(16, Math.max(10, r.w / 26)));
    const fontPx = `${fontSize}px`;
    if (view.status) {
      setText(tile.status, view.status);
      if (el.firstChild !== tile.status) el.prepend(tile.status);
    } else {
      tile.status.remove();
    }
    view.faces.forEach((face, i) => {
      const f = (tile.faces[i] ??= this.faceEls());
      // Off the face: the region the models read must not hold the overlay (a tab capture sees it).
      const frame = frameAround(face.rect, FACE_FRAME_MARGIN);
      const place = badgePlace(frame, r, badgeNeedPx(fontSize, (face.detail ? 1 : 0) + (face.extra ? 1 : 0)));
      setClass(f.box, `box ${face.tone}${place.side === 'above' ? '' : ` ${place.side}`}`);
      placeEl(f.box, frame);
      setClass(f.lane, place.from === 'right' ? 'lane end' : 'lane');
      // The lane's place in the frame's padding box (inside its border), which positions it.
      setStyle(f.lane, 'top', place.lane.top === undefined ? '' : `${place.lane.top - frame.y - FRAME_BORDER_PX}px`);
      setStyle(f.lane, 'left', `${place.lane.x - frame.x - FRAME_BORDER_PX}px`);
      setStyle(f.lane, 'width', `${place.lane.width}px`);
      setStyle(f.gap, 'flexBasis', `${place.gap}px`);
      setStyle(f.badge, 'fontSize', fontPx);
      setText(f.title, face.title);
      setText(f.detail, face.detail);
      if (face.extra) {
        setText(f.extra, face.extra);
        if (!f.extra.isConnected) f.text.append(f.extra);
      } else {
        f.extra.remove();
      }
      if (face.va) {
        // Valence left→right, arousal bottom→top on a small circumplex; hollow when estimated. Whole
        // percent steps (a fifth of a pixel on the 1.6 em disc, components/badge.ts). (No tooltip:
        // the overlay takes no pointer events.)
        const v = face.va;
        const dot = vaDot(v);
        setClass(f.va, v.estimated ? 'va estimated' : 'va');
        setStyle(f.dot, 'left', `${dot.left}%`);
        setStyle(f.dot, 'top', `${dot.top}%`);
        if (f.badge.firstChild?.firstChild !== f.va) f.badge.firstChild?.insertBefore(f.va, f.text);
      } else {
        f.va.remove();
      }
      if (!f.box.isConnected) el.append(f.box);
    });
    for (const f of tile.faces.slice(view.faces.length)) f.box.remove();
  }

  remove(tileId: string): void {
    this.tiles.get(tileId)?.root.remove();
    this.tiles.delete(tileId);
  }

  private tile(tileId: string): TileEls {
    let tile = this.tiles.get(tileId);
    if (!tile) {
      const root = this.el('tile');
      root.dataset.tile = tileId;
      const status = this.el('status');
      status.setAttribute('role', 'status');
      this.layer.append(root);
      this.tiles.set(tileId, (tile = { root, status, faces: [] }));
    }
    return tile;
  }

  private faceEls(): FaceEls {
    const f: FaceEls = {
      box: this.el('box'),
      lane: this.el('lane'),
      gap: this.el('gap'),
      badge: this.el('badge'),
      text: this.el('text'),
      title: this.el('title'),
      detail: this.el('detail'),
      extra: this.el('detail extra'),
      va: this.el('va'),
      dot: this.el('dot'),
    };
    const row = this.el('row');
    f.va.append(f.dot);
    f.text.append(f.title, f.detail);
    row.append(f.text);
    f.badge.append(row);
    f.lane.append(f.gap, f.badge);
    f.box.append(f.lane);
    return f;
  }

  private el(className: string): HTMLDivElement {
    const d = this.doc.createElement('div');
    if (className) d.className = className;
    return d;
  }
}

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

function setClass(el: HTMLElement, className: string): void {
  if (el.className !== className) el.className = className;
}

function setStyle(el: HTMLElement, key: 'display' | 'left' | 'right' | 'top' | 'width' | 'height' | 'fontSize' | 'flexBasis', value: string): void {
  if (el.style[key] !== value) el.style[key] = value;
}

function placeEl(el: HTMLElement, r: Rect): void {
  setStyle(el, 'left', `${r.x}px`);
  setStyle(el, 'top', `${r.y}px`);
  setStyle(el, 'width', `${r.w}px`);
  setStyle(el, 'height', `${r.h}px`);
}

