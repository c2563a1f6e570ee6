/** Pure geometry for placing the overlay on a `<video>`. */
import type { BoxNorm } from './types';
import type { LandmarkedFace } from '../models/face-landmarker';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Where the picture actually is inside a video element's box, given CSS `object-fit`.
 * `box` is the element's client rect; `vw`×`vh` the intrinsic video size.
 */
export function contentRect(box: Rect, vw: number, vh: number, fit: string): Rect {
  if (vw <= 0 || vh <= 0 || box.w <= 0 || box.h <= 0 || fit === 'fill') return { ...box };
  const sx = box.w / vw;
  const sy = box.h / vh;
  let scale: number;
  if (fit === 'cover') scale = Math.max(sx, sy);
  else if (fit === 'none') scale = 1;
  else if (fit === 'scale-down') scale = Math.min(1, Math.min(sx, sy));
  else scale = Math.min(sx, sy); // 'contain', the default for <video>
  const w = vw * scale;
  const h = vh * scale;
  return { x: box.x + (box.w - w) / 2, y: box.y + (box.h - h) / 2, w, h };
}

/** Map a normalised face box onto the displayed picture, clipped to the element's box. */
export function placeBox(face: BoxNorm, picture: Rect, clip: Rect): Rect | null {
  const x0 = Math.max(picture.x + face.x * picture.w, clip.x);
  const y0 = Math.max(picture.y + face.y * picture.h, clip.y);
  const x1 = Math.min(picture.x + (face.x + face.w) * picture.w, clip.x + clip.w);
  const y1 = Math.min(picture.y + (face.y + face.h) * picture.h, clip.y + clip.h);
  if (x1 <= x0 || y1 <= y0) return null;
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/**
 * The rectangle the overlay draws around a face: the face's box grown by `margin` of its longer
 * side on every side (at least `minPx`), so that the frame and its border lie outside the region
 * the models read (see FACE_FRAME_MARGIN).
 */
export function frameAround(face: Rect, margin: number, minPx = 4): Rect {
  const pad = Math.round(Math.max(minPx, margin * Math.max(face.w, face.h)));
  return { x: face.x - pad, y: face.y - pad, w: face.w + 2 * pad, h: face.h + 2 * pad };
}

/** Which side of its frame a face's badge goes (`badgePlace`). */
export type BadgeSide = 'above' | 'below' | 'inside';

/**
 * Where a face's badge goes: above its frame when `needPx` fit between the frame and the top of the
 * tile, else below it when they fit there, else inside the frame at its top (a face that fills its
 * tile): never over the next tile, where it would hide another person's face — and, read from a tab
 * capture, be read as part of it.
 */
export function badgeSide(frame: Rect, tile: Rect, needPx: number): BadgeSide {
  if (frame.y - tile.y >= needPx) return 'above';
  if (tile.y + tile.h - (frame.y + frame.h) >= needPx) return 'below';
  return 'inside';
}

/**
 * A badge's place (`badgePlace`), as the overlay lays it out: a lane across its tile (4 px in from
 * each side), above, below or inside the face's frame (`side`), in which the badge starts `gap` px
 * in from the lane's `from` end. The gap gives way when the badge would run past the lane's far end
 * (the overlay's CSS: the gap shrinks, the badge does not, up to the lane's width, where its lines
 * end in "…"), so a badge never runs off its tile, however wide its text — the tile clips whatever
 * runs past it, and a cut badge hides the middle of its words. In `frame`'s and `tile`'s coordinates
 * (viewport px).
 */
export interface BadgePlace {
  side: BadgeSide;
  /** The lane's left edge and width; its top only inside the frame (4 px below the frame's or the tile's top, the lower): above or below it, it sits 4 px off the frame. */
  lane: { x: number; width: number; top?: number };
  /**
   * Which end of the lane the badge starts from: in the tile's left half from the left (at the
   * frame's left edge), in its right half from the right (at the frame's right edge), so that it
   * grows towards the tile's middle.
   */
  from: 'left' | 'right';
  gap: number;
}

export function badgePlace(frame: Rect, tile: Rect, needPx: number): BadgePlace {
  const side = badgeSide(frame, tile, needPx);
  const inside = side === 'inside';
  const laneX = tile.x + 4;
  const laneW = Math.max(0, tile.w - 8);
  const lane = { x: laneX, width: laneW, ...(inside ? { top: Math.max(frame.y, tile.y) + 4 } : {}) };
  if (frame.x + frame.w / 2 <= tile.x + tile.w / 2) {
    // Outside the frame the badge lines up with the frame's outer edge; inside, 4 px in from it.
    const start = inside ? Math.max(frame.x, tile.x) + 4 : frame.x;
    return { side, lane, from: 'left', gap: Math.max(0, start - laneX) };
  }
  const end = inside ? Math.min(frame.x + frame.w, tile.x + tile.w) - 4 : frame.x + frame.w;
  return { side, lane, from: 'right', gap: Math.max(0, laneX + laneW - end) };
}

/** Size of the frame we send for analysis: the video scaled so its longer side is ≤ `maxSide`. */
export function analysisSize(vw: number, vh: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(vw, vh));
  return { width: Math.max(1, Math.round(vw * scale)), height: Math.max(1, Math.round(vh * scale)) };
}

/**
 * The size a part (`pw`×`ph`) of a `vw`×`vh` frame is analysed at: the scale `analysisSize` gives the
 * whole frame, so the faces keep their size in pixels whether a picture is the whole frame or the
 * part around them (utils/raw-frame.ts `partAround`).
 */
export function partAnalysisSize(pw: number, ph: number, vw: number, vh: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(vw, vh));
  return { width: Math.max(1, Math.round(pw * scale)), height: Math.max(1, Math.round(ph * scale)) };
}

/** A box found in a part of a frame (normalised to the part), normalised to the whole frame. */
export function inRegion(box: BoxNorm, region: { x0: number; y0: number; x1: number; y1: number }): BoxNorm {
  const w = region.x1 - region.x0;
  const h = region.y1 - region.y0;
  return { x: region.x0 + box.x * w, y: region.y0 + box.y * h, w: box.w * w, h: box.h * h };
}

/** A box in the whole frame, normalised to a part of it (the inverse of `inRegion`). */
export function ofRegion(box: BoxNorm, region: { x0: number; y0: number; x1: number; y1: number }): BoxNorm {
  const w = region.x1 - region.x0;
  const h = region.y1 - region.y0;
  return { x: (box.x - region.x0) / w, y: (box.y - region.y0) / h, w: box.w / w, h: box.h / h };
}

/**
 * Faces found in a part of a tile's frame (utils/raw-frame.ts `partAround`), placed in the whole
 * frame: their boxes in its coordinates, and no head pose. MediaPipe's transformation matrix is in
 * a camera whose view is the image it was given: for a part, a narrower view centred near the face,
 * where an off-centre face looking at the camera reads as frontal, in the whole frame as turned by
 * its angle off the camera's axis (~20° at 70 % across a 16:9 frame). So that the frontal component
 * of the engagement index (models/temporal/engagement.ts) does not swing between the two, its head
 * pose comes from the whole frames only (at least one a second).
 */
export function placeInFrame(faces: readonly LandmarkedFace[], part: { x0: number; y0: number; x1: number; y1: number }): LandmarkedFace[] {
  return faces.map((f) => ({ boxNorm: inRegion(f.boxNorm, part), extentNorm: inRegion(f.extentNorm, part), blendshapes: f.blendshapes }));
}
