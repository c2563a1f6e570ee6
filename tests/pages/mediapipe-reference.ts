/**
 * Test page entry for tests/e2e/mediapipe-reference.test.ts, bundled with esbuild into tests/.cache.
 * Runs MediaPipe's FaceDetector and FaceLandmarker (the wasm and models of the built extension, the
 * options of models/face-landmarker.ts: CPU delegate, IMAGE mode) on MediaPipe's own test images,
 * and the extension's FaceLandmarkerModel on the landmark image, and hands the raw numbers back.
 */
import { FaceDetector, FaceLandmarker, FilesetResolver } from '@mediapipe/tasks-vision';
import { FaceLandmarkerModel } from '../../models/face-landmarker';
import type { BoxNorm } from '../../utils/types';

export interface ReferenceConfig {
  /** URL of the folder holding `vision_wasm_internal.{js,wasm}`. */
  wasmBase: string;
  /** URL of `blaze_face_short_range.tflite`. */
  detectorUrl: string;
  /** URL of `face_landmarker.task`. */
  landmarkerUrl: string;
  /** URL of the face-detector test image. */
  detectionImageUrl: string;
  /** URL of the face-landmarker test image. */
  landmarkImageUrl: string;
  detectorOptions: { minSuppressionThreshold: number };
  landmarkerOptions: { minFaceDetectionConfidence: number; minFacePresenceConfidence: number; minTrackingConfidence: number; numFaces: number };
}

export interface DetectionOut {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
}

export interface ReferenceOutput {
  detectionImageSize: [number, number];
  landmarkImageSize: [number, number];
  detections: DetectionOut[];
  /** Per face, the landmarks as [x, y, z] (normalised). */
  landmarks: [number, number, number][][];
  /** What the extension's FaceLandmarkerModel reports for the landmark image. */
  modelFaces: { boxNorm: BoxNorm }[];
}

declare global {
  interface Window {
    mediapipeReference(config: ReferenceConfig): Promise<ReferenceOutput>;
  }
}

/** Decoded the way the extension decodes frames (utils/engine.ts): fetch → blob → createImageBitmap. */
async function bitmap(url: string): Promise<ImageBitmap> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return createImageBitmap(await res.blob());
}

async function bytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

window.mediapipeReference = async (config) => {
  const fileset = await FilesetResolver.forVisionTasks(config.wasmBase);
  const [detectionImage, landmarkImage] = await Promise.all([bitmap(config.detectionImageUrl), bitmap(config.landmarkImageUrl)]);

  const detector = await FaceDetector.createFromOptions(fileset, {
    baseOptions: { modelAssetBuffer: await bytes(config.detectorUrl), delegate: 'CPU' },
    runningMode: 'IMAGE',
    minSuppressionThreshold: config.detectorOptions.minSuppressionThreshold,
  });
  const detections = detector.detect(detectionImage).detections.map((d) => ({
    x: d.boundingBox?.originX ?? NaN,
    y: d.boundingBox?.originY ?? NaN,
    width: d.boundingBox?.width ?? NaN,
    height: d.boundingBox?.height ?? NaN,
    score: d.categories[0]?.score ?? NaN,
  }));
  detector.close();

  const landmarker = await FaceLandmarker.createFromOptions(fileset, {
    baseOptions: { modelAssetBuffer: await bytes(config.landmarkerUrl), delegate: 'CPU' },
    runningMode: 'IMAGE',
    ...config.landmarkerOptions,
  });
  const landmarks = landmarker
    .detect(landmarkImage)
    .faceLandmarks.map((face) => face.map((p): [number, number, number] => [p.x, p.y, p.z]));
  landmarker.close();

  // The extension's own wrapper, loaded exactly as the engine loads it (the model fetched by URL).
  const model = await FaceLandmarkerModel.load({
    wasmBase: config.wasmBase,
    modelUrl: config.landmarkerUrl,
    maxFaces: config.landmarkerOptions.numFaces,
    minDetectionConfidence: config.landmarkerOptions.minFaceDetectionConfidence,
  });
  const modelFaces = model.run(landmarkImage).map((f) => ({ boxNorm: f.boxNorm }));
  model.dispose();

  return {
    detectionImageSize: [detectionImage.width, detectionImage.height],
    landmarkImageSize: [landmarkImage.width, landmarkImage.height],
    detections,
    landmarks,
    modelFaces,
  };
};
