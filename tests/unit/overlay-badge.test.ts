// @vitest-environment happy-dom
/**
 * Where the overlay puts a face's badge (components/overlay.ts): on its own tile, growing towards
 * the tile's middle — never over the next tile, where it would hide another person's face (and be
 * read as part of it from a tab capture). The styles the overlay writes, checked as written.
 */
import { describe, expect, it } from 'vitest';
import { Overlay, type TilePlace } from '../../components/overlay';
import type { FaceResult } from '../../utils/types';

const face = (x: number, y: number, w: number, h: number): FaceResult => {
  const probs = new Array<number>(8).fill(0.02);
  probs[4] = 0.86;
  return {
    participantId: 't#1',
    boxNorm: { x, y, w, h },
    aus: new Array<number>(12).fill(0.1),
    active: new Array<boolean>(12).fill(false),
    smile: true,
    affect: { probs, valence: 0.6, arousal: 0.1, backend: 'b', vaSource: 'model', contemptAvailable: true },
  };
};

/** A 640×360 tile at (640, 360): the bottom-right quarter of a 1280×720 canvas. */
const tile: TilePlace = { box: { x: 640, y: 360, w: 640, h: 360 }, content: { x: 640, y: 360, w: 640, h: 360 } };

function badgeOf(f: FaceResult) {
  const doc = document.implementation.createHTMLDocument('page');
  const overlay = new Overlay(doc, 'open');
  overlay.mount();
  overlay.draw([['t', { place: tile, status: null, faces: [f], own: true }]]);
  const root = doc.querySelector('affectlens-overlay')!.shadowRoot!;
  const box = root.querySelector<HTMLElement>('.box')!;
  const badge = root.querySelector<HTMLElement>('.badge')!;
  return { box, badge };
}

describe('the badge stays on its own tile', () => {
  it('goes above a face with room above it, from the frame’s left edge in the tile’s left half', () => {
    const { box, badge } = badgeOf(face(0.1, 0.4, 0.2, 0.4));
    expect(box.className).toBe('box positive');
    expect(badge.style.top).toBe('');
    expect(badge.style.left).toBe('');
    expect(badge.style.right).toBe('');
  });

  it('grows leftwards from the frame’s right edge in the tile’s right half', () => {
    const { box, badge } = badgeOf(face(0.6, 0.4, 0.2, 0.4));
    expect(box.className).toBe('box positive');
    expect(badge.style.left).toBe('auto');
    expect(badge.style.right).toBe('-2px');
  });

  it('goes inside the frame’s top when a face fills its tile, within the tile where the frame runs past it', () => {
    // The face's box from the tile's top to its bottom: its frame (10 % off it) runs past both edges.
    const { box, badge } = badgeOf(face(0.2, 0, 0.65, 1));
    expect(box.className).toBe('box positive inside');
    const frameTop = parseFloat(box.style.top);
    expect(frameTop).toBeLessThan(tile.box.y);
    // The badge's top at the tile's top (+4 px), not above it.
    expect(frameTop + parseFloat(badge.style.top)).toBe(tile.box.y + 4);
  });
});
