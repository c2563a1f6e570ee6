/**
 * The contract every affect backend implements (STYLE.md: one module per model, `load` / `run` /
 * `dispose`). No DOM and no extension APIs: these modules run under vitest in Node and in the
 * offscreen document alike.
 *
 *   crops (RGBA, any size) ──preprocess──▶ [N,3,S,S] float32 ──ONNX──▶ [N,K] ──postprocess──▶ AffectResult[N]
 */

/** AffectNet's 8 expression classes, in AffectNet (and HSEmotion) output order. */
export const AFFECTNET_CLASSES = ['Anger', 'Contempt', 'Disgust', 'Fear', 'Happiness', 'Neutral', 'Sadness', 'Surprise'] as const;
export type AffectClass = (typeof AFFECTNET_CLASSES)[number];

export type AffectBackendId = 'mt-emotimobilefacenet' | 'mt-emotieffnet-b0' | 'mt-emotimobilevit' | 'faceapi-expression';

/** Where a result's valence/arousal come from. */
export type VaSource = 'model' | 'estimated-from-expression';

/**
 * Per-channel normalisation applied to 0..255 RGB values: `(x / 255 − mean[c]) / std[c]`, with
 * `mean` and `std` in R, G, B order.
 */
export interface Normalisation {
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** Everything the shared pre-/post-processing needs to know about one model file. */
export interface AffectBackendSpec {
  id: AffectBackendId;
  /** Human-readable name for settings and the overlay. */
  label: string;
  /** Side S of the square input, in pixels; the crop is resized to S×S without keeping aspect. */
  inputSize: number;
  /** Channel order of the input tensor (all current models take RGB). */
  channelOrder: 'RGB';
  /** Tensor layout of the input. */
  layout: 'NCHW';
  normalisation: Normalisation;
  /** Name of the model's image input. */
  inputName: string;
  /** Name of the model's output; the model's first output when not given (HSEmotion's upstream name is not documented). */
  outputName?: string;
  /** Numbers per face in the output: expression logits first, then valence and arousal if predicted. */
  numOutputs: number;
  /** The model's expression logits, in its own output order, named by AffectNet class. */
  classes: readonly AffectClass[];
  /** Whether valence/arousal are outputs of the model or estimated from the expression probabilities. */
  valenceArousal: VaSource;
  /** File name in the model manifest (installed into models/weights/). */
  file: string;
}

/** RGBA pixels of one face box, row-major, 4 bytes per pixel (ImageData layout). */
export interface FaceCrop {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** The affect of one face. */
export interface AffectResult {
  /** Expression probabilities (sum 1), in {@link AFFECTNET_CLASSES} order. */
  probs: number[];
  /** Valence in [−1, 1] (negative … positive). */
  valence: number;
  /** Arousal in [−1, 1] (calm … excited). */
  arousal: number;
  /** `'estimated-from-expression'` for 7-class backends: show it as such in the UI. */
  vaSource: VaSource;
  /** False when the backend has no Contempt class (its probability is then always 0). */
  contemptAvailable: boolean;
  /** The backend that produced this result. */
  backend: AffectBackendId;
}

export interface AffectLoadOptions {
  /** The model file: its bytes, or a URL to fetch (inside the extension: a `runtime.getURL`). */
  model: Uint8Array | ArrayBuffer | string;
  /** onnxruntime-web execution providers, best first. Default `['wasm']`. */
  executionProviders?: readonly ('wasm' | 'webgpu')[];
  /** Run one inference on a blank batch after loading so the first real frame is not slow. Default true. */
  warmUp?: boolean;
  /** Load progress, 0..1, with a short description of the stage. */
  onProgress?: (fraction: number, stage: string) => void;
}

/** One affect model. Not re-entrant: the caller runs one inference at a time. */
export interface AffectBackend {
  readonly spec: AffectBackendSpec;
  /** Creates the inference session. Throws {@link AffectModelError} when the file is missing or unreadable. */
  load(options: AffectLoadOptions): Promise<void>;
  /** All faces of one frame in one batched run; one result per crop, same order. `[]` for no crops. */
  run(crops: readonly FaceCrop[]): Promise<AffectResult[]>;
  /** Releases the session; `load` may be called again afterwards. */
  dispose(): Promise<void>;
}

/** A model file that could not be used: `missing` (not installed / 404) or `invalid` (not a loadable model). */
export class AffectModelError extends Error {
  constructor(
    readonly file: string,
    readonly reason: 'missing' | 'invalid',
    detail?: string,
  ) {
    super(`affect model ${file} is ${reason}${detail ? `: ${detail}` : ''}`);
    this.name = 'AffectModelError';
  }
}
