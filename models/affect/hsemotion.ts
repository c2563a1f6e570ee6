/**
 * HSEmotion multi-task affect models ("MT-Emoti*", ALGORITHMS.md §1; EmotiEffLib,
 * models/affectnet_emotions/onnx/, Apache-2.0): 8 AffectNet expression logits, then valence, then
 * arousal, from one RGB face crop. Input tensor `input` [N,3,S,S] float32, output [N,10].
 * Their files are optional downloads (hsemotion-manifest.json); the code path is proven with a
 * generated model of the same signature (tests/unit/affect-hsemotion.test.ts).
 */
import { OnnxAffectBackend } from './onnx-backend';
import { AFFECTNET_CLASSES, type AffectBackendSpec, type Normalisation } from './types';

/** `(x/255 − 0.5) / 0.5`: MobileFaceNet's [−1, 1] scaling (EmotiEffLib, mbf_va_mtl). */
const HALF: Normalisation = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };

/** ImageNet mean/std (torchvision), used by the EfficientNet and MobileViT models. */
const IMAGENET: Normalisation = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

const common = {
  channelOrder: 'RGB',
  layout: 'NCHW',
  inputName: 'input',
  numOutputs: 10,
  classes: AFFECTNET_CLASSES,
  valenceArousal: 'model',
} as const;

export const MT_EMOTIMOBILEFACENET: AffectBackendSpec = {
  ...common,
  id: 'mt-emotimobilefacenet',
  label: 'MT-EmotiMobileFaceNet',
  inputSize: 112,
  normalisation: HALF,
  file: 'mbf_va_mtl.onnx',
};

export const MT_EMOTIEFFNET_B0: AffectBackendSpec = {
  ...common,
  id: 'mt-emotieffnet-b0',
  label: 'MT-EmotiEffNet-B0',
  inputSize: 224,
  normalisation: IMAGENET,
  file: 'enet_b0_8_va_mtl.onnx',
};

export const MT_EMOTIMOBILEVIT: AffectBackendSpec = {
  ...common,
  id: 'mt-emotimobilevit',
  label: 'MT-EmotiMobileViT',
  inputSize: 224,
  normalisation: IMAGENET,
  file: 'mobilevit_va_mtl.onnx',
};

/** In order of preference when several are installed: the default first (ALGORITHMS.md §1). */
export const HSEMOTION_SPECS: readonly AffectBackendSpec[] = [MT_EMOTIMOBILEFACENET, MT_EMOTIEFFNET_B0, MT_EMOTIMOBILEVIT];

export function createHsemotionBackend(spec: AffectBackendSpec): OnnxAffectBackend {
  if (!HSEMOTION_SPECS.includes(spec)) throw new Error(`${spec.id} is not an HSEmotion model`);
  return new OnnxAffectBackend(spec);
}
