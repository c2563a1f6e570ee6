/**
 * MediaPipe BlazeFace (short range): face boxes alone, ~4 ms a 320-px picture here against ~21 ms
 * for the face landmarker (detection + 478 landmarks + blendshapes; scripts/bench.mjs, README →
 * Performance). The engine uses it for a tile's pictures between two landmarked ones
 * (utils/engine.ts, "light" pictures): the expression is read from the picture, the action units
 * and head pose come from the tile's last landmarked picture.
 * Contract: `load(options)` / `run(image)` / `dispose()`; no extension APIs.
 */
import { FaceDetector, FilesetResolver } from '@mediapipe/tasks-vision';
import { clampBox, modelBytes, type LandmarkedFace } from './face-landmarker';
import type { BoxNorm } from '../utils/types';
import type { NormRegion } from '../utils/raw-frame';
import { inRegion, ofRegion } from '../utils/geometry';

export interface FaceDetectorOptions {
  /** URL of the folder holding `vision_wasm_internal.{js,wasm}`. */
  wasmBase: string;
  /** URL of `blaze_face_short_range.tflite`. */
  detectorUrl: string;
  minDetectionConfidence?: number;
}

/**
 * The landmark box (models/face-landmarker.ts `extentNorm`: the 478 landmarks' bounding box, which
 * the affect model's crop and the overlay take) from BlazeFace's box, in units of BlazeFace's box:
 * BlazeFace's square box sits lower and a little wider than the landmarks (brows to chin against
 * forehead to chin). Medians over 380 faces (the London photos, the Lisa variants, MediaPipe's
 * business person and group meeting, 40 frames of the actress clip, 40 of the 2×2 call grid whole
 * and as quadrants; every picture at 320 px, the engine's size): x +0.008, y −0.125, width ×0.948,
 * height ×1.11. Intersection over union with the landmark box, p10 / median / p90: BlazeFace's own
 * box 0.79 / 0.82 / 0.87, mapped 0.86 / 0.91 / 0.95 (the same in each group: per-face calibration
 * would not do better, the spread is per picture, with the head's pose).
 */
export const LANDMARK_BOX_FROM_DETECTOR = { x: 0.008, y: -0.125, w: 0.948, h: 1.11 } as const;

/** BlazeFace's box mapped to where the landmark box would be (LANDMARK_BOX_FROM_DETECTOR), normalised. */
export function landmarkBoxFromDetector(b: BoxNorm): BoxNorm {
  const m = LANDMARK_BOX_FROM_DETECTOR;
  return { x: b.x + m.x * b.w, y: b.y + m.y * b.h, w: m.w * b.w, h: m.h * b.h };
}

export class FaceDetectorModel {
  private constructor(private readonly detector: FaceDetector) {}

  static async load(options: FaceDetectorOptions): Promise<FaceDetectorModel> {
    const modelAssetBuffer = await modelBytes(options.detectorUrl);
    const fileset = await FilesetResolver.forVisionTasks(options.wasmBase);
    const detector = await FaceDetector.createFromOptions(fileset, {
      baseOptions: { modelAssetBuffer, delegate: 'CPU' },
      runningMode: 'IMAGE',
      minDetectionConfidence: options.minDetectionConfidence ?? 0.5,
    });
    return new FaceDetectorModel(detector);
  }

  /** The faces' boxes mapped to the landmark box (unclamped, like `extentNorm`), normalised to the image. */
  run(image: ImageBitmap): BoxNorm[] {
    const { width, height } = image;
    return this.detector.detect(image).detections.flatMap((d) => {
      const b = d.boundingBox;
      return b ? [landmarkBoxFromDetector({ x: b.originX / width, y: b.originY / height, w: b.width / width, h: b.height / height })] : [];
    });
  }

  dispose(): void {
    this.detector.close();
  }
}

/**
 * A light picture's faces: each detected box (`extents`, mapped to the landmark box, normalised to
 * the picture, which is the part `part` of the tile's frame, or the whole frame) paired with a face
 * of the tile's last landmarked picture (`last`, in the whole frame), whose blendshapes and head
 * pose it carries. Each keeps its landmarked box's size, centred where the detector found it: the
 * detector's box is a per-picture estimate of the landmark box (its size ×0.9–1.15), so taking its
 * size as well made the overlay's frame and the affect model's crop breathe from one picture to the
 * next; a face's size changes far more slowly than its place. Null when the two do not pair one to
 * one — a face came, went, or moved more than half its width: the picture needs the landmarker.
 */
export function carryLandmarks(extents: readonly BoxNorm[], part: NormRegion | undefined, last: readonly LandmarkedFace[]): LandmarkedFace[] | null {
  if (!extents.length || extents.length !== last.length) return null;
  const taken = new Set<number>();
  const out: LandmarkedFace[] = [];
  for (const e of extents) {
    const c = centre(part ? inRegion(e, part) : e);
    let best = -1;
    let bestD = Infinity;
    last.forEach((f, j) => {
      const lc = centre(f.extentNorm);
      const d = Math.hypot(c.x - lc.x, c.y - lc.y) / Math.max(f.extentNorm.w, 1e-6);
      if (!taken.has(j) && d < bestD) [best, bestD] = [j, d];
    });
    if (best < 0 || bestD > 0.5) return null;
    taken.add(best);
    const f = last[best]!;
    const { w, h } = f.extentNorm;
    const inFrame = { x: c.x - w / 2, y: c.y - h / 2, w, h };
    // Back in the picture's coordinates (the crop reads the picture).
    const extent = part ? ofRegion(inFrame, part) : inFrame;
    out.push({ boxNorm: clampBox(extent), extentNorm: extent, blendshapes: f.blendshapes, ...(f.matrix ? { matrix: f.matrix } : {}) });
  }
  return out;
}

function centre(b: BoxNorm): { x: number; y: number } {
  return { x: b.x + b.w / 2, y: b.y + b.h / 2 };
}
