/**
 * The offline affect backend: face-api.js's FaceExpressionNet (weights from the npm package
 * `@vladmandic/face-api`, MIT), converted to ONNX at install time by scripts/convert-faceapi.mjs.
 *
 * - Input: 112×112 RGB. face-api computes `(x − meanRgb) / 255` with meanRgb = (122.782, 117.001,
 *   104.298) (FaceFeatureExtractor.forwardInput), i.e. `(x/255 − meanRgb/255) / 1` here.
 * - Output `logits` [N,7] in face-api's order neutral, happy, sad, angry, fearful, disgusted,
 *   surprised (FACE_EXPRESSION_LABELS); face-api applies the softmax, here postprocess does.
 * - No Contempt class (probability 0, `contemptAvailable: false`) and no V/A head: V/A are
 *   estimated from the expression (ALGORITHMS.md §7).
 */
import { OnnxAffectBackend } from './onnx-backend';
import type { AffectBackendSpec } from './types';

export const FACEAPI_MEAN_RGB = [122.782, 117.001, 104.298] as const;

export const FACEAPI_EXPRESSION: AffectBackendSpec = {
  id: 'faceapi-expression',
  label: 'face-api.js expressions (offline)',
  inputSize: 112,
  channelOrder: 'RGB',
  layout: 'NCHW',
  normalisation: {
    mean: [FACEAPI_MEAN_RGB[0] / 255, FACEAPI_MEAN_RGB[1] / 255, FACEAPI_MEAN_RGB[2] / 255],
    std: [1, 1, 1],
  },
  inputName: 'input',
  outputName: 'logits',
  numOutputs: 7,
  classes: ['Neutral', 'Happiness', 'Sadness', 'Anger', 'Fear', 'Disgust', 'Surprise'],
  valenceArousal: 'estimated-from-expression',
  file: 'faceapi_expression.onnx',
};

export function createFaceApiExpressionBackend(): OnnxAffectBackend {
  return new OnnxAffectBackend(FACEAPI_EXPRESSION);
}
