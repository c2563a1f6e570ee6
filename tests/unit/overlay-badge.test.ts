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
  const lane = root.querySelector<HTMLElement>('.lane')!;
  const gap = root.querySelector<HTMLElement>('.gap')!;
  return { box, lane, gap, badge: root.querySelector<HTMLElement>('.badge')! };
}

/** The frame's padding box: what the lane's offsets are measured from (inside the 2-px border). */
const padX = (box: HTMLElement) => parseFloat(box.style.left) + 2;
const padY = (box: HTMLElement) => parseFloat(box.style.top) + 2;

describe('the badge stays on its own tile', () => {
  it('lies in a lane across its tile, 4 px in from each side, above a face with room above it', () => {
    const { box, lane, gap, badge } = badgeOf(face(0.1, 0.4, 0.2, 0.4));
    expect(box.className).toBe('box positive');
    expect(lane.parentElement).toBe(box);
    expect(badge.parentElement).toBe(lane);
    expect(lane.className).toBe('lane');
    expect(padX(box) + parseFloat(lane.style.left)).toBe(tile.box.x + 4);
    expect(parseFloat(lane.style.width)).toBe(tile.box.w - 8);
    // From the frame's left edge.
    expect(tile.box.x + 4 + parseFloat(gap.style.flexBasis)).toBe(parseFloat(box.style.left));
  });

  it('grows leftwards from the frame’s right edge in the tile’s right half', () => {
    const { box, lane, gap } = badgeOf(face(0.6, 0.4, 0.2, 0.4));
    expect(lane.className).toBe('lane end');
    expect(tile.box.x + tile.box.w - 4 - parseFloat(gap.style.flexBasis)).toBe(parseFloat(box.style.left) + parseFloat(box.style.width));
  });

  it('goes inside the frame’s top when a face fills its tile, within the tile where the frame runs past it', () => {
    // The face's box from the tile's top to its bottom: its frame (10 % off it) runs past both edges.
    const { box, lane } = badgeOf(face(0.2, 0, 0.65, 1));
    expect(box.className).toBe('box positive inside');
    expect(parseFloat(box.style.top)).toBeLessThan(tile.box.y);
    // The lane's top at the tile's top (+4 px), not above it.
    expect(padY(box) + parseFloat(lane.style.top)).toBe(tile.box.y + 4);
  });
});
