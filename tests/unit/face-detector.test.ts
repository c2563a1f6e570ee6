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

  it('pairs each detected face with the nearest face of the last landmarked picture and carries its blendshapes and pose', () => {
    // Detected in the other order, each moved a little.
    const found = [
      { x: 0.62, y: 0.21, w: 0.19, h: 0.31 },
      { x: 0.12, y: 0.19, w: 0.2, h: 0.3 },
    ];
    const out = carryLandmarks(found, found, [left, right]);
    expect(out).not.toBeNull();
    expect(out!.map((f) => f.blendshapes.mouthSmileLeft)).toEqual([0.1, 0.9]);
    expect(out![1]!.matrix).toEqual([1, 0, 0, 0]);
    expect(out![0]!.matrix).toBeUndefined();
    // The boxes are the detector's, not the carried ones.
    expect(out!.map((f) => f.extentNorm)).toEqual(found);
  });

  it('keeps the unclamped extent for the crop and clamps the box for the overlay', () => {
    const found = [{ x: -0.05, y: 0.1, w: 0.25, h: 0.3 }];
    const out = carryLandmarks(found, found, [face({ x: 0, y: 0.1, w: 0.2, h: 0.3 }, 0.5)]);
    expect(out![0]!.extentNorm.x).toBe(-0.05);
    expect(out![0]!.boxNorm.x).toBe(0);
    expect(out![0]!.boxNorm.w).toBeCloseTo(0.2, 10);
  });

  it('pairs by where the faces are in the whole frame when the picture was a part of it', () => {
    const part = { x0: 0.5, y0: 0, x1: 1, y1: 1 };
    // `right` seen in the right half: at x 0.2 of the part, which is 0.6 of the frame.
    const inPart = [{ x: 0.2, y: 0.2, w: 0.4, h: 0.3 }];
    const out = carryLandmarks(inPart, inPart.map((b) => inRegion(b, part)), [right]);
    expect(out![0]!.blendshapes.mouthSmileLeft).toBe(0.1);
    expect(out![0]!.extentNorm).toEqual(inPart[0]); // still in the picture's coordinates: the crop takes them
  });

  it('needs the landmarker when a face came or went, none was found, or a face moved more than half its width', () => {
    const at = (x: number) => [{ x, y: 0.2, w: 0.2, h: 0.3 }];
    expect(carryLandmarks([], [], [left])).toBeNull();
    expect(carryLandmarks(at(0.1), at(0.1), [left, right])).toBeNull();
    const two = [...at(0.1), ...at(0.6)];
    expect(carryLandmarks(two, two, [left])).toBeNull();
    expect(carryLandmarks(at(0.19), at(0.19), [left])).not.toBeNull();
    expect(carryLandmarks(at(0.21), at(0.21), [left])).toBeNull();
    // Two detections near the same face: one to one, not both to it.
    const both = [...at(0.1), ...at(0.12)];
    expect(carryLandmarks(both, both, [left, right])).toBeNull();
  });
});
