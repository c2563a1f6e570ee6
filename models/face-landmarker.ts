/**
 * MediaPipe Face Landmarker: face boxes, 478 landmarks and 52 blendshapes per face.
 * Contract: `load(options)` / `run(image)` / `dispose()`. No extension APIs: the caller passes
 * the URLs of the wasm folder and the model file (both shipped inside the extension).
 */
import { FaceLandmarker, FilesetResolver, type FaceLandmarkerResult } from '@mediapipe/tasks-vision';
import type { Blendshapes } from './aus';
import type { BoxNorm } from '../utils/types';

export interface FaceLandmarkerOptions {
  /** URL of the folder holding `vision_wasm_internal.{js,wasm}`. */
  wasmBase: string;
  /** URL of `face_landmarker.task`. */
  modelUrl: string;
  /** Most faces per image (a meeting-room camera can show several people in one tile). */
  maxFaces?: number;
  /** Detector confidence below which a face is ignored. */
  minDetectionConfidence?: number;
}

export interface LandmarkedFace {
  /** The landmarks' bounding box, clamped to the image. */
  boxNorm: BoxNorm;
  /**
   * The same box unclamped: for a face cut by the image edge it reaches past 0 or 1, so a crop can
   * keep the face's geometry (the missing part padded) instead of stretching what is visible.
   */
  extentNorm: BoxNorm;
  blendshapes: Blendshapes;
  /** 4×4 column-major facial transformation matrix (head pose), when available. */
  matrix?: number[];
}

/** Raised when the model file is not in the build (the installer could not supply it). */
export class ModelMissingError extends Error {
  constructor(readonly file: string) {
    super(`model file ${file} is missing`);
  }
}

/**
 * A model file's bytes. Fetched here, not by MediaPipe, so that a missing file (ModelMissingError)
 * is told apart from any other failure.
 */
export async function modelBytes(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch {
    throw new ModelMissingError(fileName(url));
  }
  if (!res.ok) throw new ModelMissingError(fileName(url));
  return new Uint8Array(await res.arrayBuffer());
}

export class FaceLandmarkerModel {
  private constructor(private readonly landmarker: FaceLandmarker) {}

  static async load(options: FaceLandmarkerOptions): Promise<FaceLandmarkerModel> {
    const modelAssetBuffer = await modelBytes(options.modelUrl);
    const fileset = await FilesetResolver.forVisionTasks(options.wasmBase);
    const landmarker = await FaceLandmarker.createFromOptions(fileset, {
      baseOptions: { modelAssetBuffer, delegate: 'CPU' },
      runningMode: 'IMAGE',
      numFaces: options.maxFaces ?? 4,
      minFaceDetectionConfidence: options.minDetectionConfidence ?? 0.5,
      minFacePresenceConfidence: 0.5,
      outputFaceBlendshapes: true,
      outputFacialTransformationMatrixes: true,
    });
    return new FaceLandmarkerModel(landmarker);
  }

  run(image: ImageBitmap | HTMLCanvasElement | OffscreenCanvas | ImageData): LandmarkedFace[] {
    return toFaces(this.landmarker.detect(image as ImageBitmap));
  }

  dispose(): void {
    this.landmarker.close();
  }
}

export function toFaces(result: FaceLandmarkerResult): LandmarkedFace[] {
  return result.faceLandmarks.map((points, i) => {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const p of points) {
      if (p.x < minX) minX = p.x;
      if (p.y < minY) minY = p.y;
      if (p.x > maxX) maxX = p.x;
      if (p.y > maxY) maxY = p.y;
    }
    const blendshapes: Record<string, number> = {};
    for (const c of result.faceBlendshapes[i]?.categories ?? []) blendshapes[c.categoryName] = c.score;
    const matrix = result.facialTransformationMatrixes?.[i]?.data;
    const extentNorm = { x: minX, y: minY, w: maxX - minX, h: maxY - minY };
    return {
      boxNorm: clampBox(extentNorm),
      extentNorm,
      blendshapes,
      ...(matrix ? { matrix: Array.from(matrix) } : {}),
    };
  });
}

/** A box clamped to the image (the part of it inside [0, 1]). */
export function clampBox(b: BoxNorm): BoxNorm {
  const x = Math.max(0, b.x);
  const y = Math.max(0, b.y);
  return { x, y, w: Math.max(0, Math.min(1, b.x + b.w) - x), h: Math.max(0, Math.min(1, b.y + b.h) - y) };
}

function fileName(url: string): string {
  return url.split('/').pop() ?? url;
}
