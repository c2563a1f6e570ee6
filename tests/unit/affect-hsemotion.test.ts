/**
 * The HSEmotion backends' I/O contract, proven with ONNX models generated here with the same
 * signature as the upstream files (input `input` [N,3,S,S] float32, dynamic N; output [N,10]) and
 * outputs that are a known function of the input:
 *
 *   f = [R, G, B at (S/2, S/2), R at (S/2, S/4), G at (S/4, 3S/4)]   (of the normalised input)
 *   output = f · W + b, with
 *     logits 0..7 = centre pixel (R, G, B) · M + b[0..7]
 *     valence (8) = 1.5 · R(S/2, S/4)
 *     arousal (9) = 0.5 · G(S/4, 3S/4) + 0.1
 *
 * Single pixels rather than channel means: a float32 mean over 224×224 values drifts by ~1e-4, pixels
 * are exact, so the tests can demand 1e-5. Expected values below are computed from this definition
 * and the normalisation constants of ALGORITHMS.md §1, independently of the code under test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeModel } from '../../scripts/lib/onnx-writer.mjs';
import { HSEMOTION_SPECS, createHsemotionBackend } from '../../models/affect/hsemotion';
import type { OnnxAffectBackend } from '../../models/affect/onnx-backend';
import { decodeOutputs } from '../../models/affect/postprocess';
import { preprocess, resizeToRgb } from '../../models/affect/preprocess';
import { AFFECTNET_CLASSES, AffectModelError, type AffectBackendSpec, type FaceCrop } from '../../models/affect/types';

/** Normalisation and size per model, as ALGORITHMS.md §1 states them. */
const EXPECTED: Record<string, { file: string; size: number; mean: number[]; std: number[] }> = {
  'mt-emotimobilefacenet': { file: 'mbf_va_mtl.onnx', size: 112, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
  'mt-emotieffnet-b0': { file: 'enet_b0_8_va_mtl.onnx', size: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  'mt-emotimobilevit': { file: 'mobilevit_va_mtl.onnx', size: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
};

// Centre pixel (R, G, B) → the 8 logits. Red drives Anger, green Happiness, blue Sadness.
const M = [
  [3, 0.5, 1, 0, 0, 0, 0, 0.2],
  [0, 0, 0.3, 0, 3, 0.5, 0, 0.2],
  [0, 0, 0, 0.4, 0, 0.5, 3, 0.2],
];
const B = [0.1, -0.2, 0, 0.3, 0, 0.2, -0.1, 0, 0, 0.1];
const V_SCALE = 1.5;
const A_SCALE = 0.5;

function generatedModel(size: number): Uint8Array {
  const w = new Float32Array(5 * 10);
  M.forEach((row, c) => row.forEach((v, k) => (w[c * 10 + k] = v)));
  w[3 * 10 + 8] = V_SCALE;
  w[4 * 10 + 9] = A_SCALE;
  const at = (c: number, y: number, x: number) => ({
    starts: BigInt64Array.from([c, y, x].map(BigInt)),
    ends: BigInt64Array.from([c + 1, y + 1, x + 1].map(BigInt)),
  });
  const centre = { starts: BigInt64Array.from([0, size / 2, size / 2].map(BigInt)), ends: BigInt64Array.from([3, size / 2 + 1, size / 2 + 1].map(BigInt)) };
  const p1 = at(0, size / 2, size / 4);
  const p2 = at(1, size / 4, (3 * size) / 4);
  return encodeModel({
    name: `hsemotion_signature_${size}`,
    nodes: [
      { op: 'Slice', inputs: ['input', 'c_starts', 'c_ends', 'axes'], outputs: ['centre'] },
      { op: 'Flatten', inputs: ['centre'], outputs: ['rgb'], attrs: { axis: 1 } },
      { op: 'Slice', inputs: ['input', 'p1_starts', 'p1_ends', 'axes'], outputs: ['p1'] },
      { op: 'Flatten', inputs: ['p1'], outputs: ['f3'], attrs: { axis: 1 } },
      { op: 'Slice', inputs: ['input', 'p2_starts', 'p2_ends', 'axes'], outputs: ['p2'] },
      { op: 'Flatten', inputs: ['p2'], outputs: ['f4'], attrs: { axis: 1 } },
      { op: 'Concat', inputs: ['rgb', 'f3', 'f4'], outputs: ['features'], attrs: { axis: 1 } },
      { op: 'MatMul', inputs: ['features', 'W'], outputs: ['mm'] },
      { op: 'Add', inputs: ['mm', 'b'], outputs: ['output'] },
    ],
    initializers: [
      { name: 'c_starts', dims: [3], data: centre.starts },
      { name: 'c_ends', dims: [3], data: centre.ends },
      { name: 'p1_starts', dims: [3], data: p1.starts },
      { name: 'p1_ends', dims: [3], data: p1.ends },
      { name: 'p2_starts', dims: [3], data: p2.starts },
      { name: 'p2_ends', dims: [3], data: p2.ends },
      { name: 'axes', dims: [3], data: BigInt64Array.from([1n, 2n, 3n]) },
      { name: 'W', dims: [5, 10], data: w },
      { name: 'b', dims: [10], data: B },
    ],
    inputs: [{ name: 'input', dims: ['N', 3, size, size] }],
    outputs: [{ name: 'output', dims: ['N', 10] }],
  });
}

function solid(r: number, g: number, b: number, width = 64, height = 48): FaceCrop {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set([r, g, b, 255], i);
  return { data, width, height };
}

/** R grows with x, G with y, B constant: bilinear resize of a linear ramp is exactly linear. */
const RAMP = { w: 40, h: 30, r: (x: number) => 60 + 4 * x, g: (y: number) => 30 + 6 * y, b: 128 };
function ramp(): FaceCrop {
  const data = new Uint8ClampedArray(RAMP.w * RAMP.h * 4);
  for (let y = 0; y < RAMP.h; y++) for (let x = 0; x < RAMP.w; x++) data.set([RAMP.r(x), RAMP.g(y), RAMP.b, 255], (y * RAMP.w + x) * 4);
  return { data, width: RAMP.w, height: RAMP.h };
}

function softmaxOf(logits: number[]): number[] {
  const e = logits.map((v) => Math.exp(v));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
const clamp = (v: number) => Math.max(-1, Math.min(1, v));

/** The expected result for a uniformly coloured crop. */
function expectedSolid(id: string, rgb: [number, number, number]) {
  const e = EXPECTED[id]!;
  const n = rgb.map((v, c) => (v / 255 - e.mean[c]!) / e.std[c]!);
  const logits = Array.from({ length: 10 }, (_, k) => n[0]! * (M[0]![k] ?? 0) + n[1]! * (M[1]![k] ?? 0) + n[2]! * (M[2]![k] ?? 0) + B[k]!);
  return { logits, probs: softmaxOf(logits.slice(0, 8)), valence: clamp(V_SCALE * n[0]! + B[8]!), arousal: clamp(A_SCALE * n[1]! + B[9]!), rawValence: V_SCALE * n[0]! };
}

const backends = new Map<string, OnnxAffectBackend>();

beforeAll(async () => {
  for (const spec of HSEMOTION_SPECS) {
    const backend = createHsemotionBackend(spec);
    await backend.load({ model: generatedModel(spec.inputSize) });
    backends.set(spec.id, backend);
  }
}, 60_000);

afterAll(async () => {
  for (const b of backends.values()) await b.dispose();
});

const get = (id: string) => backends.get(id)!;

describe('HSEmotion specs', () => {
  it('match ALGORITHMS.md §1: file, input size, RGB, normalisation, 10 outputs, AffectNet class order', () => {
    expect(HSEMOTION_SPECS.map((s) => s.id)).toEqual(['mt-emotimobilefacenet', 'mt-emotieffnet-b0', 'mt-emotimobilevit']);
    expect(AFFECTNET_CLASSES).toEqual(['Anger', 'Contempt', 'Disgust', 'Fear', 'Happiness', 'Neutral', 'Sadness', 'Surprise']);
    for (const spec of HSEMOTION_SPECS) {
      const e = EXPECTED[spec.id]!;
      expect(spec.file).toBe(e.file);
      expect(spec.inputSize).toBe(e.size);
      expect(spec.channelOrder).toBe('RGB');
      expect(spec.layout).toBe('NCHW');
      expect(spec.inputName).toBe('input');
      expect([...spec.normalisation.mean]).toEqual(e.mean);
      expect([...spec.normalisation.std]).toEqual(e.std);
      expect(spec.numOutputs).toBe(10);
      expect(spec.classes).toEqual(AFFECTNET_CLASSES);
      expect(spec.valenceArousal).toBe('model');
    }
  });
});

describe.each(HSEMOTION_SPECS.map((s) => [s.id] as const))('%s with a generated model of the same signature', (id) => {
  it('reads channels as RGB: pure red and pure blue give their own known outputs', async () => {
    const [red, blue] = await get(id).run([solid(255, 0, 0), solid(0, 0, 255)]);
    for (const [got, rgb, top] of [
      [red!, [255, 0, 0], 'Anger'],
      [blue!, [0, 0, 255], 'Sadness'],
    ] as const) {
      const want = expectedSolid(id, [...rgb]);
      got.probs.forEach((p, k) => expect(p).toBeCloseTo(want.probs[k]!, 5));
      expect(AFFECTNET_CLASSES[got.probs.indexOf(Math.max(...got.probs))]).toBe(top);
      expect(got.valence).toBeCloseTo(want.valence, 5);
      expect(got.arousal).toBeCloseTo(want.arousal, 5);
      expect(got.vaSource).toBe('model');
      expect(got.contemptAvailable).toBe(true);
      expect(got.backend).toBe(id);
    }
  });

  it('normalises with the model’s own mean/std (a grey-ish colour pins all three channels)', async () => {
    const rgb: [number, number, number] = [200, 120, 40];
    const [got] = await get(id).run([solid(...rgb)]);
    const want = expectedSolid(id, rgb);
    got!.probs.forEach((p, k) => expect(p).toBeCloseTo(want.probs[k]!, 5));
    expect(got!.valence).toBeCloseTo(want.valence, 5);
    expect(got!.arousal).toBeCloseTo(want.arousal, 5);
  });

  it('resizes to S×S without keeping aspect, bilinear with half-pixel centres', async () => {
    const e = EXPECTED[id]!;
    const s = e.size;
    // Valence reads R at output pixel (row S/2, col S/4); arousal reads G at (row S/4, col 3S/4).
    const srcX = (s / 4 + 0.5) * (RAMP.w / s) - 0.5;
    const srcY = (s / 4 + 0.5) * (RAMP.h / s) - 0.5;
    const r = RAMP.r(srcX);
    const g = RAMP.g(srcY);
    const [got] = await get(id).run([ramp()]);
    expect(got!.valence).toBeCloseTo(V_SCALE * ((r / 255 - e.mean[0]!) / e.std[0]!), 5);
    expect(got!.arousal).toBeCloseTo(A_SCALE * ((g / 255 - e.mean[1]!) / e.std[1]!) + B[9]!, 5);
  });

  it('softmaxes the first 8 outputs only and clamps V/A to [−1, 1]', async () => {
    const [red] = await get(id).run([solid(255, 0, 0)]);
    const want = expectedSolid(id, [255, 0, 0]);
    expect(red!.probs).toHaveLength(8);
    expect(red!.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    red!.probs.forEach((p, k) => expect(p).toBeCloseTo(want.probs[k]!, 5));
    // A softmax over all 10 outputs (V and A taken as logits) would give clearly different numbers.
    const over10 = softmaxOf(want.logits);
    expect(Math.max(...red!.probs.map((p, k) => Math.abs(p - over10[k]!)))).toBeGreaterThan(1e-3);
    // Raw valence of pure red overshoots (1.5 · normalised R > 1): the result is clamped.
    expect(want.rawValence).toBeGreaterThan(1);
    expect(red!.valence).toBe(1);
    const [black] = await get(id).run([solid(0, 0, 0)]);
    expect(expectedSolid(id, [0, 0, 0]).rawValence).toBeLessThan(-1);
    expect(black!.valence).toBe(-1);
  });

  it('batches: two faces in one run equal two single runs', async () => {
    const a = solid(200, 120, 40, 50, 70);
    const b = ramp();
    const [both, one, two] = [await get(id).run([a, b]), await get(id).run([a]), await get(id).run([b])];
    expect(both).toHaveLength(2);
    expect(both[0]!.probs).toEqual(one[0]!.probs);
    expect(both[1]!.probs).toEqual(two[0]!.probs);
    expect([both[0]!.valence, both[1]!.valence]).toEqual([one[0]!.valence, two[0]!.valence]);
    expect([both[0]!.arousal, both[1]!.arousal]).toEqual([one[0]!.arousal, two[0]!.arousal]);
    expect(await get(id).run([])).toEqual([]);
  });
});

describe('preprocessing', () => {
  const spec = HSEMOTION_SPECS[0]!;

  it('packs N faces as one NCHW batch [N,3,S,S], planes in R, G, B order', () => {
    const batch = preprocess([solid(255, 0, 0, 10, 20), solid(0, 0, 255, 33, 7)], spec);
    const s = spec.inputSize;
    expect(batch.dims).toEqual([2, 3, s, s]);
    expect(batch.data).toHaveLength(2 * 3 * s * s);
    const plane = s * s;
    // face 0 red: R plane +1, G and B planes −1 (mbf scaling); face 1 blue.
    expect([batch.data[0], batch.data[plane], batch.data[2 * plane]]).toEqual([1, -1, -1]);
    expect([batch.data[3 * plane], batch.data[4 * plane], batch.data[5 * plane]]).toEqual([-1, -1, 1]);
  });

  it('resize is exact at the identity and clamps at the borders', () => {
    const crop = ramp();
    const same = resizeToRgb({ ...crop, width: RAMP.w, height: RAMP.h }, RAMP.w);
    // Height 30 → 40 is an upscale; column values are still exact copies (x scale 1).
    for (const x of [0, 7, 39]) expect(same[x * 3]).toBeCloseTo(RAMP.r(x), 4);
    const up = resizeToRgb(solid(10, 20, 30, 2, 2), 8);
    expect(Array.from(up.slice(0, 3))).toEqual([10, 20, 30]);
  });

  it('rejects a crop whose buffer does not match its size', () => {
    expect(() => preprocess([{ data: new Uint8ClampedArray(10), width: 4, height: 4 }], spec)).toThrow(RangeError);
  });
});

describe('loading', () => {
  const spec: AffectBackendSpec = HSEMOTION_SPECS[0]!;

  it('refuses bytes that are not a model, and a model with the wrong input name', async () => {
    await expect(createHsemotionBackend(spec).load({ model: new Uint8Array([1, 2, 3, 4]) })).rejects.toBeInstanceOf(AffectModelError);
    const wrong = encodeModel({
      nodes: [{ op: 'ReduceMean', inputs: ['x'], outputs: ['output'], attrs: { axes: [2, 3], keepdims: 0 } }],
      inputs: [{ name: 'x', dims: ['N', 3, 112, 112] }],
      outputs: [{ name: 'output', dims: ['N', 3] }],
    });
    const err = await createHsemotionBackend(spec).load({ model: wrong }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AffectModelError);
    expect((err as AffectModelError).reason).toBe('invalid');
  });

  it('reports an unreachable model URL as missing', async () => {
    const err = await createHsemotionBackend(spec)
      .load({ model: 'http://127.0.0.1:9/mbf_va_mtl.onnx' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AffectModelError);
    expect((err as AffectModelError).reason).toBe('missing');
  });

  it('decodeOutputs checks the output size against the spec', () => {
    expect(() => decodeOutputs(new Float32Array(9), 1, spec)).toThrow(/expected 1×10/);
  });
});
