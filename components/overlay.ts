/**
 * The on-tile overlay: one fixed layer in a closed shadow root (page CSS cannot reach in, page
 * scripts cannot read results out), a frame per tile and a box + badge per face.
 * Plain DOM on purpose: this runs on the meeting page's main thread, so it stays tiny.
 * It never takes pointer events: clicks go to the meeting UI underneath.
 */
import type { Rect } from '../utils/geometry';

export interface FaceView {
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

const STYLE = `
:host { all: initial; }
.layer { position: fixed; inset: 0; pointer-events: none; z-index: 2147483646; font-family: system-ui, sans-serif; }
.tile { position: fixed; pointer-events: none; }
.status { position: absolute; left: 6px; top: 6px; padding: 2px 8px; border-radius: 10px;
  background: rgba(20,20,20,.72); color: #fff; font-size: 12px; line-height: 18px; }
.box { position: fixed; border: 2px solid rgba(255,255,255,.85); border-radius: 6px; box-sizing: border-box;
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
.badge { position: absolute; left: -2px; bottom: calc(100% + 4px); padding: 3px 7px; border-radius: 6px;
  background: rgba(20,20,20,.78); color: #fff; white-space: nowrap; line-height: 1.25; }
.badge .title { font-weight: 600; }
.badge .detail { opacity: .85; font-size: .85em; }
.box.below .badge { bottom: auto; top: calc(100% + 4px); }
`;

export class Overlay {
  private readonly host: HTMLElement;
  private readonly layer: HTMLDivElement;
  private readonly tiles = new Map<string, HTMLDivElement>();

  constructor(doc: Document = document) {
    this.host = doc.createElement('affectlens-overlay');
    const root = this.host.attachShadow({ mode: 'closed' });
    const style = doc.createElement('style');
    style.textContent = STYLE;
    this.layer = doc.createElement('div');
    this.layer.className = 'layer';
    this.layer.setAttribute('aria-hidden', 'true');
    root.append(style, this.layer);
  }

  mount(): void {
    if (!this.host.isConnected) document.documentElement.append(this.host);
  }

  unmount(): void {
    this.host.remove();
  }

  setVisible(visible: boolean): void {
    this.layer.style.display = visible ? '' : 'none';
  }

  render(tileId: string, view: TileView): void {
    let el = this.tiles.get(tileId);
    if (!el) {
      el = this.layer.ownerDocument.createElement('div');
      el.className = 'tile';
      el.dataset.tile = tileId;
      this.layer.append(el);
      this.tiles.set(tileId, el);
    }
    if (!view.rect) {
      el.style.display = 'none';
      return;
    }
    const r = view.rect;
    Object.assign(el.style, { display: '', left: `${r.x}px`, top: `${r.y}px`, width: `${r.w}px`, height: `${r.h}px` });
    const fontPx = Math.round(Math.min(16, Math.max(10, r.w / 26)));
    const parts: HTMLElement[] = [];
    if (view.status) {
      const s = el.ownerDocument.createElement('div');
      s.className = 'status';
      s.setAttribute('role', 'status');
      s.textContent = view.status;
      parts.push(s);
    }
    for (const face of view.faces) {
      const box = el.ownerDocument.createElement('div');
      box.className = `box ${face.tone}${face.rect.y - r.y < 3 * fontPx ? ' below' : ''}`;
      Object.assign(box.style, { left: `${face.rect.x}px`, top: `${face.rect.y}px`, width: `${face.rect.w}px`, height: `${face.rect.h}px` });
      const badge = el.ownerDocument.createElement('div');
      badge.className = 'badge';
      badge.style.fontSize = `${fontPx}px`;
      const title = el.ownerDocument.createElement('div');
      title.className = 'title';
      title.textContent = face.title;
      const detail = el.ownerDocument.createElement('div');
      detail.className = 'detail';
      detail.textContent = face.detail;
      const text = el.ownerDocument.createElement('div');
      text.append(title, detail);
      if (face.extra) {
        const extra = el.ownerDocument.createElement('div');
        extra.className = 'detail extra';
        extra.textContent = face.extra;
        text.append(extra);
      }
      const row = el.ownerDocument.createElement('div');
      row.className = 'row';
      if (face.va) row.append(vaIndicator(el.ownerDocument, face.va));
      row.append(text);
      badge.append(row);
      box.append(badge);
      parts.push(box);
    }
    el.replaceChildren(...parts);
  }

  remove(tileId: string): void {
    this.tiles.get(tileId)?.remove();
    this.tiles.delete(tileId);
  }
}

/**
 * Valence (x, left negative → right positive) and arousal (y, bottom calm → top excited) as a dot
 * on a small circumplex; a hollow dot when the values are estimated from the expression.
 */
function vaIndicator(doc: Document, va: NonNullable<FaceView['va']>): HTMLElement {
  const box = doc.createElement('div');
  box.className = va.estimated ? 'va estimated' : 'va';
  box.title = `valence ${va.valence.toFixed(2)}, arousal ${va.arousal.toFixed(2)}${va.estimated ? ' (estimated from expression)' : ''}`;
  const dot = doc.createElement('div');
  dot.className = 'dot';
  dot.style.left = `${50 + 40 * Math.max(-1, Math.min(1, va.valence))}%`;
  dot.style.top = `${50 - 40 * Math.max(-1, Math.min(1, va.arousal))}%`;
  box.append(dot);
  return box;
}
