import { describe, expect, it } from 'vitest';
import { carryLandmarks, landmarkBoxFromDetector } from '../../models/face-detector';
import type { LandmarkedFace } from '../../models/face-landmarker';
import { inRegion } from '../../utils/geometry';
import type { BoxNorm } from '../../utils/types';

const face = (box: BoxNorm, smile: number, matrix?: number[]): LandmarkedFace => ({
  boxNorm: box,
  extentNorm: box,
  blendshapes: { mouthSmileLeft: smile, mouthSmileRight: smile },
  ...(matrix ? { matrix } : {}),
});

describe('landmarkBoxFromDetector', () => {
  it('moves BlazeFace’s box up and makes it taller and a little narrower, as the landmarks lie', () => {
    const b = { x: 0.4, y: 0.3, w: 0.2, h: 0.2 };
    const m = landmarkBoxFromDetector(b);
    expect(m.y).toBeLessThan(b.y);
    expect(m.h).toBeGreaterThan(b.h);
    expect(m.w).toBeLessThan(b.w);
    // Its bottom (the chin) stays near BlazeFace's: the landmarks reach higher (the forehead), not lower.
    expect(Math.abs(m.y + m.h - (b.y + b.h))).toBeLessThan(0.02 * b.h);
    expect(m.x + m.w / 2).toBeCloseTo(b.x + b.w / 2, 2);
  });
});

describe('carryLandmarks', () => {
  const left = face({ x: 0.1, y: 0.2, w: 0.2, h: 0.3 }, 0.9, [1, 0, 0, 0]);
  const right = face({ x: 0.6, y: 0.2, w: 0.2, h: 0.3 }, 0.1);
  const centre = (b: BoxNorm) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });

  it('pairs each detected face with the nearest face of the last landmarked picture and carries its blendshapes and pose', () => {
    // Detected in the other order, each moved a little.
    const found = [
      { x: 0.62, y: 0.21, w: 0.19, h: 0.33 },
      { x: 0.12, y: 0.19, w: 0.2, h: 0.3 },
    ];
    const out = carryLandmarks(found, undefined, [left, right]);
    expect(out).not.toBeNull();
    expect(out!.map((f) => f.blendshapes.mouthSmileLeft)).toEqual([0.1, 0.9]);
    expect(out![1]!.matrix).toEqual([1, 0, 0, 0]);
    expect(out![0]!.matrix).toBeUndefined();
    // Where the detector found each; the size of its landmarked box.
    out!.forEach((f, i) => {
      expect(centre(f.extentNorm).x).toBeCloseTo(centre(found[i]!).x, 10);
      expect(centre(f.extentNorm).y).toBeCloseTo(centre(found[i]!).y, 10);
    });
    expect(out![0]!.extentNorm.w).toBeCloseTo(right.extentNorm.w, 10);
    expect(out![0]!.extentNorm.h).toBeCloseTo(right.extentNorm.h, 10);
  });

  it('keeps the unclamped extent for the crop and clamps the box for the overlay', () => {
    const out = carryLandmarks([{ x: -0.05, y: 0.1, w: 0.2, h: 0.3 }], undefined, [face({ x: 0, y: 0.1, w: 0.2, h: 0.3 }, 0.5)]);
    expect(out![0]!.extentNorm.x).toBeCloseTo(-0.05, 10);
    expect(out![0]!.boxNorm.x).toBe(0);
    expect(out![0]!.boxNorm.w).toBeCloseTo(0.15, 10);
  });

  it('pairs by where the faces are in the whole frame when the picture was a part of it, and answers in the part’s coordinates', () => {
    const part = { x0: 0.5, y0: 0, x1: 1, y1: 1 };
    // `right` seen in the right half: at x 0.2 of the part, which is 0.6 of the frame.
    const inPart = [{ x: 0.2, y: 0.2, w: 0.4, h: 0.3 }];
    const out = carryLandmarks(inPart, part, [right]);
    expect(out![0]!.blendshapes.mouthSmileLeft).toBe(0.1);
    // Still in the picture's coordinates (the crop reads the picture): placed in the frame, right's box.
    const back = inRegion(out![0]!.extentNorm, part);
    expect(back.x).toBeCloseTo(0.6, 10);
    expect(back.w).toBeCloseTo(0.2, 10);
    expect(back.h).toBeCloseTo(0.3, 10);
  });

  it('needs the landmarker when a face came or went, none was found, or a face moved more than half its width', () => {
    const at = (x: number) => [{ x, y: 0.2, w: 0.2, h: 0.3 }];
    expect(carryLandmarks([], undefined, [left])).toBeNull();
    expect(carryLandmarks(at(0.1), undefined, [left, right])).toBeNull();
    expect(carryLandmarks([...at(0.1), ...at(0.6)], undefined, [left])).toBeNull();
    expect(carryLandmarks(at(0.19), undefined, [left])).not.toBeNull();
    expect(carryLandmarks(at(0.21), undefined, [left])).toBeNull();
    // Two detections near the same face: one to one, not both to it.
    expect(carryLandmarks([...at(0.1), ...at(0.12)], undefined, [left, right])).toBeNull();
  });
});
