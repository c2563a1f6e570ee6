import { describe, expect, it } from 'vitest';
import { analysisSize, badgePlace, badgeSide, contentRect, frameAround, inRegion, ofRegion, placeBox } from '../../utils/geometry';
import { badgeNeedPx } from '../../components/overlay';

const box = { x: 100, y: 50, w: 400, h: 400 };

describe('overlay geometry', () => {
  it('letterboxes a 16:9 video in a square box with object-fit: contain', () => {
    expect(contentRect(box, 1280, 720, 'contain')).toEqual({ x: 100, y: 137.5, w: 400, h: 225 });
  });

  it('crops a 16:9 video with object-fit: cover', () => {
    const r = contentRect(box, 1280, 720, 'cover');
    expect(r.h).toBe(400);
    expect(r.w).toBeCloseTo(711.11, 1);
    expect(r.x).toBeCloseTo(100 - (711.11 - 400) / 2, 1);
  });

  it('stretches with fill and copes with a 0×0 video', () => {
    expect(contentRect(box, 1280, 720, 'fill')).toEqual(box);
    expect(contentRect(box, 0, 0, 'contain')).toEqual(box);
  });

  it('places a normalised face box on the picture and clips it to the element', () => {
    const picture = contentRect(box, 1280, 720, 'cover');
    const face = placeBox({ x: 0, y: 0.25, w: 0.4, h: 0.5 }, picture, box);
    // The left edge of the picture is cropped away by `cover`, so the box starts at the element.
    expect(face?.x).toBe(100);
    expect(face?.y).toBe(150);
    expect(placeBox({ x: 0, y: 0, w: 0.05, h: 0.05 }, picture, box)).toBeNull();
  });

  it('scales frames down to the analysis size, never up', () => {
    expect(analysisSize(1280, 720, 480)).toEqual({ width: 480, height: 270 });
    expect(analysisSize(320, 320, 480)).toEqual({ width: 320, height: 320 });
  });

  it('draws the frame around a face off its box: a share of the longer side, at least a few px', () => {
    expect(frameAround({ x: 100, y: 50, w: 80, h: 100 }, 0.1)).toEqual({ x: 90, y: 40, w: 100, h: 120 });
    expect(frameAround({ x: 10, y: 10, w: 20, h: 20 }, 0.1)).toEqual({ x: 6, y: 6, w: 28, h: 28 });
  });

  it('puts the badge above the frame when it fits, else below, else inside the frame: never over the next tile', () => {
    const tile = { x: 0, y: 40, w: 480, h: 480 };
    expect(badgeSide({ x: 100, y: 120, w: 200, h: 250 }, tile, 48)).toBe('above');
    // Near the top with room below: below.
    expect(badgeSide({ x: 100, y: 50, w: 200, h: 250 }, tile, 48)).toBe('below');
    // A face filling the tile (47 px above, 30 below): inside its frame, not over the tile above.
    expect(badgeSide({ x: 96, y: 87, w: 348, h: 410 }, tile, 48)).toBe('inside');
    // A frame running past both edges (a face filling a tile of a shared canvas).
    expect(badgeSide({ x: 106, y: -38, w: 450, h: 595 }, tile, 48)).toBe('inside');
  });

  it('lays the badge in a lane across its tile, starting at the frame edge nearer the tile’s middle', () => {
    const tile = { x: 0, y: 40, w: 480, h: 480 };
    const lane = { x: 4, width: 472 };
    // Left half, room above: from the frame's left edge (96 px into the lane).
    expect(badgePlace({ x: 100, y: 120, w: 150, h: 200 }, tile, 48)).toEqual({ side: 'above', lane, from: 'left', gap: 96 });
    // Left half, the frame running 10 px past the tile's left edge: from the lane's start.
    expect(badgePlace({ x: -10, y: 120, w: 150, h: 200 }, tile, 48)).toEqual({ side: 'above', lane, from: 'left', gap: 0 });
    // Right half: from the frame's right edge (450), growing leftwards: 26 px from the lane's end (476).
    expect(badgePlace({ x: 300, y: 120, w: 150, h: 200 }, tile, 48)).toEqual({ side: 'above', lane, from: 'right', gap: 26 });
    // Right half, the frame 30 px past the tile's right edge: from the lane's end.
    expect(badgePlace({ x: 360, y: 120, w: 150, h: 200 }, tile, 48)).toEqual({ side: 'above', lane, from: 'right', gap: 0 });
    // Near the top with room below: below, same anchoring.
    expect(badgePlace({ x: 100, y: 50, w: 150, h: 250 }, tile, 48)).toEqual({ side: 'below', lane, from: 'left', gap: 96 });
    // A face filling the tile: inside the frame's top, 4 px in from its corner (frame right 444 → 440).
    expect(badgePlace({ x: 96, y: 87, w: 348, h: 410 }, tile, 48)).toEqual({ side: 'inside', lane: { ...lane, top: 91 }, from: 'right', gap: 36 });
    // A frame running past the tile's top and right edges: 4 px inside the tile's corner.
    expect(badgePlace({ x: 106, y: -38, w: 450, h: 595 }, tile, 48)).toEqual({ side: 'inside', lane: { ...lane, top: 44 }, from: 'right', gap: 0 });
    // Inside, in the left half: 4 px in from the frame's left edge.
    expect(badgePlace({ x: 20, y: 60, w: 300, h: 450 }, tile, 48)).toEqual({ side: 'inside', lane: { ...lane, top: 64 }, from: 'left', gap: 20 });
    // A tile narrower than 8 px has no room: an empty lane, never a negative width.
    expect(badgePlace({ x: 0, y: 50, w: 6, h: 6 }, { x: 0, y: 0, w: 6, h: 120 }, 48).lane.width).toBe(0);
  });

  it('sizes a badge by its lines', () => {
    // 16 px: the title (20 px) and two details (17 px each), 6 px padding, 4 px off the frame.
    expect(badgeNeedPx(16, 2)).toBe(64);
    // A title alone is as tall as the valence/arousal disc beside it (1.6 em).
    expect(badgeNeedPx(16, 0)).toBe(36);
  });
});

describe('ofRegion', () => {
  it('normalises a box of the whole frame to a part of it, the inverse of inRegion', () => {
    const part = { x0: 0.25, y0: 0.1, x1: 0.75, y1: 0.6 };
    const box = { x: 0.4, y: 0.2, w: 0.1, h: 0.2 };
    const inPart = ofRegion(box, part);
    expect(inPart.x).toBeCloseTo(0.3, 10);
    expect(inPart.w).toBeCloseTo(0.2, 10);
    const back = inRegion(inPart, part);
    for (const k of ['x', 'y', 'w', 'h'] as const) expect(back[k]).toBeCloseTo(box[k], 10);
  });
});
