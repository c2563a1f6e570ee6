/**
 * Face crop → model input: resize to S×S (aspect not kept), RGB, normalise per spec, NCHW float32,
 * all faces of a frame in one [N,3,S,S] batch.
 *
 * Resize: bilinear with half-pixel centres, `src = (dst + 0.5) · in/out − 0.5`, clamped to the
 * image — the convention of OpenCV's `cv2.resize(INTER_LINEAR)`, which EmotiEffLib's ONNX
 * recogniser uses (`cv2.resize(img, (S, S))`, no margin, no antialiasing), and of ONNX
 * `Resize(mode=linear, coordinate_transformation_mode=half_pixel)`.
 */
import type { AffectBackendSpec, FaceCrop, Normalisation } from './types';

/** A box in pixels of the frame it was found in. */
export interface PixelBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A float32 input tensor, ready for `new ort.Tensor('float32', data, dims)`. */
export interface InputBatch {
  data: Float32Array;
  dims: [number, number, number, number];
}

/** Source index pairs and weights for one output axis. */
interface AxisMap {
  i0: Int32Array;
  i1: Int32Array;
  w1: Float32Array;
}

function axisMap(inSize: number, outSize: number): AxisMap {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w1 = new Float32Array(outSize);
  const scale = inSize / outSize;
  for (let d = 0; d < outSize; d++) {
    const src = Math.min(Math.max((d + 0.5) * scale - 0.5, 0), inSize - 1);
    const lo = Math.floor(src);
    i0[d] = lo;
    i1[d] = Math.min(lo + 1, inSize - 1);
    w1[d] = src - lo;
  }
  return { i0, i1, w1 };
}

function checkCrop(crop: FaceCrop): void {
  if (!(crop.width > 0 && crop.height > 0) || crop.data.length !== crop.width * crop.height * 4) {
    throw new RangeError(`face crop must be RGBA ${crop.width}×${crop.height} (${crop.width * crop.height * 4} bytes), got ${crop.data.length} bytes`);
  }
}

/**
 * Resizes an RGBA crop to size×size RGB (alpha dropped), bilinear with half-pixel centres.
 * @returns HWC float32 values in 0..255, not rounded.
 */
export function resizeToRgb(crop: FaceCrop, size: number): Float32Array {
  checkCrop(crop);
  const xs = axisMap(crop.width, size);
  const ys = axisMap(crop.height, size);
  const src = crop.data;
  const out = new Float32Array(size * size * 3);
  const stride = crop.width * 4;
  for (let y = 0; y < size; y++) {
    const r0 = (ys.i0[y] as number) * stride;
    const r1 = (ys.i1[y] as number) * stride;
    const wy = ys.w1[y] as number;
    for (let x = 0; x < size; x++) {
      const c0 = (xs.i0[x] as number) * 4;
      const c1 = (xs.i1[x] as number) * 4;
      const wx = xs.w1[x] as number;
      const o = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) {
        const top = (src[r0 + c0 + c] as number) * (1 - wx) + (src[r0 + c1 + c] as number) * wx;
        const bottom = (src[r1 + c0 + c] as number) * (1 - wx) + (src[r1 + c1 + c] as number) * wx;
        out[o + c] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}

/**
 * Writes HWC RGB 0..255 values into `out` at `offset` as normalised CHW planes:
 * `(x / 255 − mean[c]) / std[c]`.
 */
export function writeNormalisedChw(rgb: Float32Array, size: number, norm: Normalisation, out: Float32Array, offset: number): void {
  const plane = size * size;
  for (let c = 0; c < 3; c++) {
    const mean = norm.mean[c] as number;
    const std = norm.std[c] as number;
    const base = offset + c * plane;
    for (let p = 0; p < plane; p++) out[base + p] = ((rgb[p * 3 + c] as number) / 255 - mean) / std;
  }
}

/** All faces of a frame as one normalised NCHW batch for `spec`'s model. */
export function preprocess(crops: readonly FaceCrop[], spec: Pick<AffectBackendSpec, 'inputSize' | 'normalisation'>): InputBatch {
  const s = spec.inputSize;
  const per = 3 * s * s;
  const data = new Float32Array(crops.length * per);
  crops.forEach((crop, i) => writeNormalisedChw(resizeToRgb(crop, s), s, spec.normalisation, data, i * per));
  return { data, dims: [crops.length, 3, s, s] };
}

/**
 * Cuts a face box out of an RGBA frame. The box is rounded to whole pixels; parts outside the
 * frame (a face cut by the frame edge) repeat the nearest edge pixel, so the face keeps its
 * geometry instead of being stretched by the square resize.
 */
export function cropFace(frame: FaceCrop, box: PixelBox): FaceCrop {
  checkCrop(frame);
  const x0 = Math.round(box.x);
  const y0 = Math.round(box.y);
  const w = Math.max(1, Math.round(box.w));
  const h = Math.max(1, Math.round(box.h));
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(Math.max(y0 + y, 0), frame.height - 1);
    for (let x = 0; x < w; x++) {
      const sx = Math.min(Math.max(x0 + x, 0), frame.width - 1);
      const s = (sy * frame.width + sx) * 4;
      const d = (y * w + x) * 4;
      data[d] = frame.data[s] as number;
      data[d + 1] = frame.data[s + 1] as number;
      data[d + 2] = frame.data[s + 2] as number;
      data[d + 3] = frame.data[s + 3] as number;
    }
  }
  return { data, width: w, height: h };
}
