#!/usr/bin/env node
// Converts face-api.js's FaceExpressionNet (tfjs weights shipped in the npm package
// @vladmandic/face-api, MIT) into ONNX: models/weights/faceapi_expression.onnx (git-ignored).
// Nothing converted is committed; `npm install` runs this after the package is installed.
//
// Architecture, from face-api's sources (src/faceFeatureExtractor/, src/faceProcessor/,
// src/common/): input 112×112 RGB, normalised as (x − meanRgb)/255 — done by the caller here,
// the ONNX graph takes the normalised NCHW tensor `input` [N,3,112,112] — then four dense blocks
// (denseBlock4: conv0 with stride 2, conv1..conv3 with stride 1, dense skip sums with ReLU), an
// average pool 7×7 / stride 2 'valid' (7×7 → 1×1), flatten and a fully connected layer 256 → 7.
// dense0.conv0 is a plain 3×3 conv; every other conv is depthwise-separable
// (tf.separableConv2d: depthwise 3×3 then pointwise 1×1, then + bias). Padding is TF 'same'.
// Output `logits` [N,7] in face-api's class order; face-api's softmax is left to the caller.
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { encodeModel } from './lib/onnx-writer.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Input side and the feature-map side after each dense block (each halves it). */
const INPUT_SIZE = 112;
const BLOCK_CHANNELS = [32, 64, 128, 256];

/**
 * @typedef {{ name: string, shape: number[], dtype: string, quantization?: { dtype: string, scale: number, min: number } }} WeightEntry
 * @typedef {{ paths: string[], weights: WeightEntry[] }} WeightGroup
 */

/**
 * Decodes a tfjs weights manifest + its concatenated .bin into float32 arrays, dequantising
 * uint8/uint16 weights as tfjs does (`q · scale + min`, io_utils decodeWeights).
 * @param {WeightGroup[]} manifest
 * @param {Uint8Array} bin all groups' binary files concatenated in manifest order
 * @returns {Map<string, { shape: number[], data: Float32Array }>}
 */
export function decodeTfjsWeights(manifest, bin) {
  const out = new Map();
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  let offset = 0;
  for (const group of manifest) {
    for (const w of group.weights) {
      if (w.dtype !== 'float32') throw new Error(`weight ${w.name}: unsupported dtype ${w.dtype}`);
      const size = w.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(size);
      const q = w.quantization;
      if (!q) {
        for (let i = 0; i < size; i++) data[i] = view.getFloat32(offset + i * 4, true);
        offset += size * 4;
      } else if (q.dtype === 'uint8') {
        for (let i = 0; i < size; i++) data[i] = view.getUint8(offset + i) * q.scale + q.min;
        offset += size;
      } else if (q.dtype === 'uint16') {
        for (let i = 0; i < size; i++) data[i] = view.getUint16(offset + i * 2, true) * q.scale + q.min;
        offset += size * 2;
      } else {
        throw new Error(`weight ${w.name}: unsupported quantization ${q.dtype}`);
      }
      out.set(w.name, { shape: w.shape, data });
    }
  }
  if (offset !== bin.byteLength) throw new Error(`weights use ${offset} bytes but the .bin has ${bin.byteLength}`);
  return out;
}

/** TF 'same' padding for a 3×3 kernel: [before, after], the odd pixel after (as TF does). */
function samePads(size, stride) {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + 3 - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/**
 * Builds the ONNX model bytes from decoded face-api weights.
 * @param {Map<string, { shape: number[], data: Float32Array }>} weights
 * @returns {Uint8Array}
 */
export function buildExpressionOnnx(weights) {
  /** @type {import('./lib/onnx-writer.mjs').NodeSpec[]} */
  const nodes = [];
  /** @type {import('./lib/onnx-writer.mjs').TensorSpec[]} */
  const initializers = [];
  const get = (name) => {
    const w = weights.get(name);
    if (!w) throw new Error(`face-api weights lack ${name}`);
    return w;
  };

  // tfjs conv filter [kh, kw, in, out] → ONNX Conv weight [out, in, kh, kw].
  const convWeight = (name, tfName) => {
    const { shape, data } = get(tfName);
    const [kh, kw, cin, cout] = shape;
    const w = new Float32Array(data.length);
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let i = 0; i < cin; i++)
          for (let o = 0; o < cout; o++) w[((o * cin + i) * kh + y) * kw + x] = data[((y * kw + x) * cin + i) * cout + o];
    initializers.push({ name, dims: [cout, cin, kh, kw], data: w });
    return cout;
  };
  // tfjs depthwise filter [kh, kw, c, 1] → ONNX grouped Conv weight [c, 1, kh, kw].
  const depthwiseWeight = (name, tfName) => {
    const { shape, data } = get(tfName);
    const [kh, kw, c, m] = shape;
    if (m !== 1) throw new Error(`${tfName}: channel multiplier ${m} not supported`);
    const w = new Float32Array(data.length);
    for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < c; i++) w[(i * kh + y) * kw + x] = data[(y * kw + x) * c + i];
    initializers.push({ name, dims: [c, 1, kh, kw], data: w });
    return c;
  };
  const vector = (name, tfName) => {
    const { data } = get(tfName);
    initializers.push({ name, dims: [data.length], data });
  };

  /** conv0 of dense0: plain 3×3 conv + bias, stride 2. */
  const plainConv = (x, prefix, size) => {
    convWeight(`${prefix}/filters`, `${prefix}/filters`);
    vector(`${prefix}/bias`, `${prefix}/bias`);
    const [b, a] = samePads(size, 2);
    nodes.push({
      op: 'Conv',
      inputs: [x, `${prefix}/filters`, `${prefix}/bias`],
      outputs: [`${prefix}/out`],
      attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [b, b, a, a] },
    });
    return `${prefix}/out`;
  };
  /** tf.separableConv2d(x, depthwise, pointwise, stride, 'same') + bias. */
  const separable = (x, prefix, size, stride) => {
    const c = depthwiseWeight(`${prefix}/depthwise_filter`, `${prefix}/depthwise_filter`);
    convWeight(`${prefix}/pointwise_filter`, `${prefix}/pointwise_filter`);
    vector(`${prefix}/bias`, `${prefix}/bias`);
    const [b, a] = samePads(size, stride);
    nodes.push({
      op: 'Conv',
      inputs: [x, `${prefix}/depthwise_filter`],
      outputs: [`${prefix}/dw`],
      attrs: { group: c, kernel_shape: [3, 3], strides: [stride, stride], pads: [b, b, a, a] },
    });
    nodes.push({ op: 'Conv', inputs: [`${prefix}/dw`, `${prefix}/pointwise_filter`, `${prefix}/bias`], outputs: [`${prefix}/out`], attrs: { kernel_shape: [1, 1] } });
    return `${prefix}/out`;
  };
  const add = (a, b, out) => (nodes.push({ op: 'Add', inputs: [a, b], outputs: [out] }), out);
  const relu = (x, out) => (nodes.push({ op: 'Relu', inputs: [x], outputs: [out] }), out);

  // denseBlock4 (src/faceFeatureExtractor/denseBlock.ts), sums associated as face-api does.
  let x = 'input';
  let size = INPUT_SIZE;
  BLOCK_CHANNELS.forEach((_, i) => {
    const p = `dense${i}`;
    const c0 = i === 0 ? plainConv(x, `${p}/conv0`, size) : separable(x, `${p}/conv0`, size, 2);
    size = Math.ceil(size / 2);
    const out1 = relu(c0, `${p}/out1`);
    const out2 = separable(out1, `${p}/conv1`, size, 1);
    const in3 = relu(add(out1, out2, `${p}/sum12`), `${p}/in3`);
    const out3 = separable(in3, `${p}/conv2`, size, 1);
    const in4 = relu(add(out1, add(out2, out3, `${p}/sum23`), `${p}/sum123`), `${p}/in4`);
    const out4 = separable(in4, `${p}/conv3`, size, 1);
    x = relu(add(out1, add(out2, add(out3, out4, `${p}/sum34`), `${p}/sum234`), `${p}/sum1234`), `${p}/out`);
  });
  if (size !== 7) throw new Error(`feature map is ${size}×${size}, expected 7×7`);
  nodes.push({ op: 'AveragePool', inputs: [x], outputs: ['pooled'], attrs: { kernel_shape: [7, 7], strides: [2, 2] } });
  nodes.push({ op: 'Flatten', inputs: ['pooled'], outputs: ['features'], attrs: { axis: 1 } });
  const fc = get('fc/weights');
  initializers.push({ name: 'fc/weights', dims: fc.shape, data: fc.data });
  vector('fc/bias', 'fc/bias');
  nodes.push({ op: 'Gemm', inputs: ['features', 'fc/weights', 'fc/bias'], outputs: ['logits'] });

  const classes = get('fc/bias').data.length;
  return encodeModel({
    name: 'faceapi_face_expression',
    producer: 'affectlens scripts/convert-faceapi.mjs',
    docString: 'face-api.js FaceExpressionNet (@vladmandic/face-api, MIT). Input: (RGB - meanRgb)/255, NCHW 112x112. Output: logits of neutral, happy, sad, angry, fearful, disgusted, surprised.',
    nodes,
    initializers,
    inputs: [{ name: 'input', dims: ['N', 3, INPUT_SIZE, INPUT_SIZE] }],
    outputs: [{ name: 'logits', dims: ['N', classes] }],
  });
}

/** face-api's model folder, wherever npm installed the package. */
export const FACEAPI_MODEL_DIR = (() => {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'model');
  } catch {
    return join(root, 'node_modules', '@vladmandic', 'face-api', 'model');
  }
})();

/**
 * Reads face_expression_model-weights_manifest.json + its .bin from `modelDir` and returns the
 * ONNX model bytes.
 * @param {{ modelDir?: string }} [options]
 * @returns {Promise<Uint8Array>}
 */
export async function convertFaceApiExpression({ modelDir = FACEAPI_MODEL_DIR } = {}) {
  /** @type {WeightGroup[]} */
  const manifest = JSON.parse(await readFile(join(modelDir, 'face_expression_model-weights_manifest.json'), 'utf8'));
  const parts = await Promise.all(manifest.flatMap((g) => g.paths).map((p) => readFile(join(modelDir, p))));
  const bin = new Uint8Array(Buffer.concat(parts));
  return buildExpressionOnnx(decodeTfjsWeights(manifest, bin));
}

/**
 * Converts and writes the ONNX file (atomically: a half-written file never has the final name).
 * @param {{ modelDir?: string, outFile?: string }} [options]
 * @returns {Promise<{ outFile: string, bytes: number }>}
 */
export async function writeFaceApiExpressionOnnx({ modelDir = FACEAPI_MODEL_DIR, outFile = join(root, 'models', 'weights', 'faceapi_expression.onnx') } = {}) {
  const bytes = await convertFaceApiExpression({ modelDir });
  await mkdir(dirname(outFile), { recursive: true });
  const tmp = `${outFile}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, outFile);
  return { outFile, bytes: bytes.length };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { outFile, bytes } = await writeFaceApiExpressionOnnx();
    console.log(`affectlens: converted face-api FaceExpressionNet → ${outFile} (${bytes} bytes)`);
  } catch (e) {
    console.log(`affectlens: could not convert face-api FaceExpressionNet: ${e instanceof Error ? e.message : e}`);
    if (!process.argv.includes('--warn-only')) process.exit(1);
  }
}
