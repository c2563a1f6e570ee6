/**
 * The offline backend `faceapi-expression` is face-api.js's FaceExpressionNet converted to ONNX by
 * scripts/convert-faceapi.mjs. Proof of the conversion: on real face crops the ONNX model (via
 * onnxruntime-web) and face-api's own tfjs inference (pure-JS CPU backend) agree within 1e-4 on the
 * probabilities; and the backend gets the London neutral/happy pairs right.
 *
 * Crop: one fixed box for all London images (1350×1350, frontal, centred), x 436, y 428, w 448,
 * h 544 px — the median of the boxes face-api's own SSD-MobileNet detector finds on these 20 images
 * (measured once; ranges x 401–453, y 335–497, w 415–533, h 496–590). Both models are given the
 * same 112×112 pixels (our preprocess's resize), so the comparison is of the networks alone: face-api
 * neither pads nor resizes an input that is already 112×112.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACEAPI_MODEL_DIR, convertFaceApiExpression } from '../../scripts/convert-faceapi.mjs';
import { FACEAPI_EXPRESSION, createFaceApiExpressionBackend } from '../../models/affect/faceapi-expression';
import type { OnnxAffectBackend } from '../../models/affect/onnx-backend';
import { CIRCUMPLEX, decodeOutputs, estimateValenceArousal, topExpression } from '../../models/affect/postprocess';
import { cropFace, resizeToRgb, type PixelBox } from '../../models/affect/preprocess';
import { AFFECTNET_CLASSES, type AffectResult, type FaceCrop } from '../../models/affect/types';

const require = createRequire(import.meta.url);
// face-api's Node build, on the tfjs it requires itself (@tensorflow/tfjs, pure-JS CPU backend);
// setBackend comes from that same tfjs instance (face-api's typings omit it).
const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as typeof import('@vladmandic/face-api');

const DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');
const LONDON_BOX: PixelBox = { x: 436, y: 428, w: 448, h: 544 };
/** face-api's output order (FACE_EXPRESSION_LABELS). */
const FACEAPI_LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;

interface LondonImage {
  file: string;
  label: 'neutral' | 'happy';
  crop: FaceCrop;
}

function londonImages(): LondonImage[] {
  const rows = readFileSync(join(DATA, 'labels.csv'), 'utf8').trim().split('\n').slice(1);
  return rows
    .map((row) => row.split(','))
    .filter(([file]) => file?.startsWith('expressions/london/'))
    .map(([file, label]) => {
      const img = jpeg.decode(readFileSync(join(DATA, file!)), { useTArray: true, formatAsRGBA: true });
      const frame = { data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength), width: img.width, height: img.height };
      return { file: file!, label: label as 'neutral' | 'happy', crop: cropFace(frame, LONDON_BOX) };
    });
}

let images: LondonImage[] = [];
let backend: OnnxAffectBackend;
let onnxResults: AffectResult[] = [];

beforeAll(async () => {
  images = londonImages();
  backend = createFaceApiExpressionBackend();
  await backend.load({ model: await convertFaceApiExpression() });
  onnxResults = await backend.run(images.map((i) => i.crop));
}, 90_000);

afterAll(async () => {
  await backend?.dispose();
});

describe('faceapi-expression spec', () => {
  it('maps face-api’s 7 classes onto AffectNet’s 8, without Contempt, V/A estimated', () => {
    expect(FACEAPI_EXPRESSION.classes).toEqual(['Neutral', 'Happiness', 'Sadness', 'Anger', 'Fear', 'Disgust', 'Surprise']);
    const r = onnxResults[0]!;
    expect(r.probs).toHaveLength(8);
    expect(r.probs[AFFECTNET_CLASSES.indexOf('Contempt')]).toBe(0);
    expect(r.contemptAvailable).toBe(false);
    expect(r.vaSource).toBe('estimated-from-expression');
    expect(r.backend).toBe('faceapi-expression');
  });
});

describe('7-class post-processing', () => {
  it('places face-api’s logits into AffectNet order, Contempt 0, softmax over the 7', () => {
    // One logit per face-api class, in face-api order: neutral, happy, sad, angry, fearful, disgusted, surprised.
    const logits = [0, 1, 2, 3, 4, 5, 6];
    const [r] = decodeOutputs(Float32Array.from(logits), 1, FACEAPI_EXPRESSION);
    const z = logits.reduce((a, v) => a + Math.exp(v), 0);
    const p = (faceApiIndex: number) => Math.exp(logits[faceApiIndex]!) / z;
    expect(r!.probs[0]).toBeCloseTo(p(3), 6); // Anger ← angry
    expect(r!.probs[1]).toBe(0); // Contempt: absent
    expect(r!.probs[2]).toBeCloseTo(p(5), 6); // Disgust ← disgusted
    expect(r!.probs[3]).toBeCloseTo(p(4), 6); // Fear ← fearful
    expect(r!.probs[4]).toBeCloseTo(p(1), 6); // Happiness ← happy
    expect(r!.probs[5]).toBeCloseTo(p(0), 6); // Neutral ← neutral
    expect(r!.probs[6]).toBeCloseTo(p(2), 6); // Sadness ← sad
    expect(r!.probs[7]).toBeCloseTo(p(6), 6); // Surprise ← surprised
  });

  it('estimates V/A as the probability-weighted circumplex coordinates', () => {
    const oneHot = (cls: (typeof AFFECTNET_CLASSES)[number]) => AFFECTNET_CLASSES.map((c) => (c === cls ? 1 : 0));
    expect(estimateValenceArousal(oneHot('Happiness'))).toEqual({ valence: CIRCUMPLEX.Happiness[0], arousal: CIRCUMPLEX.Happiness[1] });
    expect(estimateValenceArousal(oneHot('Neutral'))).toEqual({ valence: 0, arousal: 0 });
    const mix = AFFECTNET_CLASSES.map((c) => (c === 'Happiness' ? 0.25 : c === 'Sadness' ? 0.75 : 0));
    const va = estimateValenceArousal(mix);
    expect(va.valence).toBeCloseTo(0.25 * CIRCUMPLEX.Happiness[0] + 0.75 * CIRCUMPLEX.Sadness[0], 10);
    expect(va.arousal).toBeCloseTo(0.25 * CIRCUMPLEX.Happiness[1] + 0.75 * CIRCUMPLEX.Sadness[1], 10);
    // Pleasant classes positive, unpleasant negative: the sign pattern of Russell's circle.
    expect(CIRCUMPLEX.Happiness[0]).toBeGreaterThan(0);
    for (const c of ['Anger', 'Disgust', 'Fear', 'Sadness'] as const) expect(CIRCUMPLEX[c][0]).toBeLessThan(0);
    expect(CIRCUMPLEX.Sadness[1]).toBeLessThan(0);
  });
});

describe('conversion of face-api’s FaceExpressionNet to ONNX', () => {
  it('agrees with face-api’s own tfjs inference on real face crops (max abs diff ≤ 1e-4)', async () => {
    await tf.setBackend('cpu');
    await tf.ready();
    // face-api's own loader path: tfjs decodes (and dequantises) the weights, face-api builds the net.
    const ftf = faceapi.tf;
    const manifest = JSON.parse(readFileSync(join(FACEAPI_MODEL_DIR, 'face_expression_model-weights_manifest.json'), 'utf8')) as { paths: string[]; weights: Parameters<typeof ftf.io.decodeWeights>[1] }[];
    const bin = readFileSync(join(FACEAPI_MODEL_DIR, manifest[0]!.paths[0]!));
    const net = new faceapi.FaceExpressionNet();
    net.loadFromWeightMap(ftf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), manifest[0]!.weights));

    const inputs = images.map((i) => ftf.tensor3d(resizeToRgb(i.crop, 112), [112, 112, 3], 'float32'));
    const predicted = (await net.predictExpressions(inputs)) as InstanceType<typeof faceapi.FaceExpressions>[];
    inputs.forEach((t) => t.dispose());
    net.dispose();

    let maxDiff = 0;
    images.forEach((_, i) => {
      const ours = onnxResults[i]!.probs;
      FACEAPI_LABELS.forEach((label, k) => {
        const theirs = predicted[i]![label];
        const mine = ours[AFFECTNET_CLASSES.indexOf(FACEAPI_EXPRESSION.classes[k]!)]!;
        maxDiff = Math.max(maxDiff, Math.abs(theirs - mine));
      });
    });
    console.log(`faceapi-expression: ONNX vs face-api tfjs, max abs diff over ${images.length} crops × 7 classes = ${maxDiff.toExponential(2)}`);
    expect(images).toHaveLength(20);
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
  }, 60_000);
});

describe('faceapi-expression on the London set (fixed face box)', () => {
  it('gives Neutral for every neutral image and Happiness for at least 8 of 10 happy ones', () => {
    const rows = images.map((img, i) => ({ file: img.file, truth: img.label, top: topExpression(onnxResults[i]!) }));
    const expected = (truth: string) => (truth === 'happy' ? 'Happiness' : 'Neutral');
    const neutral = rows.filter((r) => r.truth === 'neutral');
    const happy = rows.filter((r) => r.truth === 'happy');
    const neutralOk = neutral.filter((r) => r.top.label === 'Neutral');
    const happyOk = happy.filter((r) => r.top.label === 'Happiness');
    const misses = rows.filter((r) => r.top.label !== expected(r.truth)).map((r) => `${r.file} → ${r.top.label} ${r.top.probability.toFixed(2)}`);
    console.log(`faceapi-expression London: neutral ${neutralOk.length}/${neutral.length}, happy ${happyOk.length}/${happy.length}; misses: ${misses.join(', ') || 'none'}`);
    expect(neutral).toHaveLength(10);
    expect(happy).toHaveLength(10);
    expect(neutralOk).toHaveLength(10);
    expect(happyOk.length).toBeGreaterThanOrEqual(8);
  });

  it('estimates higher valence for each subject’s happy image than for the neutral one', () => {
    const bySubject = new Map<string, { neutral?: number; happy?: number }>();
    images.forEach((img, i) => {
      const subject = img.file.split('/').pop()!.slice(0, 3);
      const entry = bySubject.get(subject) ?? {};
      entry[img.label] = onnxResults[i]!.valence;
      bySubject.set(subject, entry);
    });
    const higher = [...bySubject.values()].filter((v) => (v.happy ?? 0) > (v.neutral ?? 0)).length;
    expect(higher).toBeGreaterThanOrEqual(8);
  });
});
