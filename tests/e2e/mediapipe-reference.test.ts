/**
 * The MediaPipe runtime and models the extension ships (the built extension's `mediapipe/wasm/` and
 * `models/`) reproduce MediaPipe's own reference outputs on its two test images (upstream iOS tests,
 * see ../shared/data/PROVENANCE.md §3): FaceDetector boxes and scores, FaceLandmarker's 478
 * landmarks, and the box the extension's FaceLandmarkerModel derives from them. Plain Chromium page,
 * no extension loaded: tests/pages/mediapipe-reference.ts is bundled with esbuild into tests/.cache.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_DIR } from '../support/browser';
import { CACHE, ROOT } from '../support/media';
import type { ReferenceConfig, ReferenceOutput } from '../pages/mediapipe-reference';
import { CHROMIUM, chromiumArgs } from '../../scripts/lib/chromium.mjs';
import { serveStatic } from '../../scripts/lib/static-server.mjs';

const DATA = process.env.AFFECTLENS_TEST_DATA_DIR ?? resolve(ROOT, '..', 'shared', 'data');
const REF_DIR = join(DATA, 'mediapipe_test');
const PAGE_DIR = join(CACHE, 'mediapipe-reference');

// Tolerances. Measured on Debian Chromium 156 / tasks-vision 1.1.0: boxes 1 px off (x, y, w, h), scores
// 4.0e-4 off; landmarks x/y 1.5e-5 (~0.02 px), z 1.1e-4 off at most. The pixel's cause is not
// isolated (a different JPEG decoder than upstream's iOS one, or rounding to whole pixels).
/** Detector boxes, px: upstream compares exactly; the web runtime is off by one pixel on this JPEG. */
const BOX_TOL_PX = 1;
/** Detector scores: upstream's own accuracy. */
const SCORE_TOL = 1e-3;
/** Landmarks, normalised, per axis x, y, z: ~6x (x, y) and ~9x (z) the measured maximum. */
const LANDMARK_TOL = [1e-4, 1e-4, 1e-3] as const;

interface ExpectedDetections {
  image: string;
  image_size: [number, number];
  options: { minSuppressionThreshold: number };
  detections_pixels_xywh_score: { x: number; y: number; width: number; height: number; score: number }[];
}

interface ExpectedLandmarks {
  image: string;
  image_size: [number, number];
  num_faces: number;
  options: ReferenceConfig['landmarkerOptions'];
  landmarks_normalized_xyz: [number, number, number][];
}

function readRef<T>(file: string): T {
  const path = join(REF_DIR, file);
  if (!existsSync(path)) throw new Error(`Test media missing: ${path} (set AFFECTLENS_TEST_DATA_DIR or place ../shared/data)`);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function requireFile(path: string, what: string): void {
  if (!existsSync(path)) throw new Error(`${what} missing: ${path}`);
}

describe('MediaPipe reference outputs with the shipped runtime and models', () => {
  let server: Awaited<ReturnType<typeof serveStatic>> | undefined;
  let browser: Browser | undefined;
  let out: ReferenceOutput;
  let expDet: ExpectedDetections;
  let expLm: ExpectedLandmarks;
  const consoleLines: string[] = [];
  const contentTypes: Record<string, string> = {};

  beforeAll(async () => {
    expDet = readRef<ExpectedDetections>('two_children_testImg.expected_face_detections.json');
    expLm = readRef<ExpectedLandmarks>('business-person.expected_face_landmarks.json');
    requireFile(join(REF_DIR, expDet.image), 'Test media');
    requireFile(join(REF_DIR, expLm.image), 'Test media');
    for (const f of ['manifest.json', 'mediapipe/wasm/vision_wasm_internal.js', 'mediapipe/wasm/vision_wasm_internal.wasm', 'models/face_landmarker.task', 'models/blaze_face_short_range.tflite']) {
      requireFile(join(EXTENSION_DIR, f), 'Built extension file (run `npm run test:e2e`, which builds first, or `npx wxt build`)');
    }

    mkdirSync(PAGE_DIR, { recursive: true });
    await build({
      entryPoints: [join(ROOT, 'tests/pages/mediapipe-reference.ts')],
      outfile: join(PAGE_DIR, 'page.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'chrome120',
      logLevel: 'silent',
    });
    writeFileSync(
      join(PAGE_DIR, 'index.html'),
      '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body><script type="module" src="page.js"></script></body></html>',
    );

    server = await serveStatic({
      '/page/': PAGE_DIR,
      '/wasm/': join(EXTENSION_DIR, 'mediapipe', 'wasm'),
      '/models/': join(EXTENSION_DIR, 'models'),
      '/data/': REF_DIR,
    });
    // Debian Chromium with the project's usual flags, minus the extension (a plain page is enough).
    const args = chromiumArgs(EXTENSION_DIR).filter((a) => !a.startsWith('--load-extension') && !a.startsWith('--disable-extensions-except'));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args });
    const page = await browser.newPage();
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on('response', (r) => {
      if (/\.(wasm|js|task|tflite)$/.test(r.url())) contentTypes[r.url().split('/').pop()!] = r.headers()['content-type'] ?? '';
    });
    await page.goto(`${server.url}/page/index.html`);
    await page.waitForFunction(() => typeof window.mediapipeReference === 'function');
    const config: ReferenceConfig = {
      wasmBase: `${server.url}/wasm`,
      detectorUrl: `${server.url}/models/blaze_face_short_range.tflite`,
      landmarkerUrl: `${server.url}/models/face_landmarker.task`,
      detectionImageUrl: `${server.url}/data/${expDet.image}`,
      landmarkImageUrl: `${server.url}/data/${expLm.image}`,
      detectorOptions: expDet.options,
      landmarkerOptions: expLm.options,
    };
    out = await page.evaluate((c) => window.mediapipeReference(c), config);
    // The static server has no application/wasm type: Emscripten's streaming compile fails and it
    // falls back to ArrayBuffer instantiation (logged as console errors); the results show it worked.
    console.log(`content types: ${JSON.stringify(contentTypes)}; wasm loader said: ${JSON.stringify([...new Set(consoleLines.filter((l) => /wasm|falling back/i.test(l)))])}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('FaceDetector (blaze_face_short_range) finds the two children with the reference boxes and scores', () => {
    expect(out.detectionImageSize).toEqual(expDet.image_size);
    const byX = <T extends { x: number }>(list: T[]) => [...list].sort((a, b) => a.x - b.x);
    const got = byX(out.detections);
    const ref = byX(expDet.detections_pixels_xywh_score);
    expect(got).toHaveLength(ref.length);
    let boxDiff = 0;
    let scoreDiff = 0;
    got.forEach((g, i) => {
      const r = ref[i]!;
      boxDiff = Math.max(boxDiff, ...(['x', 'y', 'width', 'height'] as const).map((k) => Math.abs(g[k] - r[k])));
      scoreDiff = Math.max(scoreDiff, Math.abs(g.score - r.score));
    });
    console.log(`FaceDetector vs reference: box max |Δ| ${boxDiff} px, score max |Δ| ${scoreDiff.toExponential(2)}`, got);
    expect(boxDiff).toBeLessThanOrEqual(BOX_TOL_PX);
    expect(scoreDiff).toBeLessThanOrEqual(SCORE_TOL);
  });

  it('FaceLandmarker (face_landmarker.task) reproduces the 478 reference landmarks', () => {
    expect(out.landmarkImageSize).toEqual(expLm.image_size);
    expect(out.landmarks).toHaveLength(expLm.num_faces);
    const got = out.landmarks[0]!;
    const ref = expLm.landmarks_normalized_xyz;
    expect(got).toHaveLength(ref.length);
    const report: string[] = [];
    for (const [axis, tol] of LANDMARK_TOL.entries()) {
      const d = got.map((p, i) => Math.abs(p[axis]! - ref[i]![axis]!));
      const max = Math.max(...d);
      report.push(`${'xyz'[axis]} max ${max.toExponential(2)} mean ${(d.reduce((a, b) => a + b, 0) / d.length).toExponential(2)}`);
      expect(max, `landmark ${'xyz'[axis]} max |Δ|`).toBeLessThanOrEqual(tol);
    }
    console.log(`FaceLandmarker vs reference (normalised): ${report.join('; ')}`);
  });

  it("the extension's FaceLandmarkerModel box is the reference landmarks' bounding box", () => {
    expect(out.modelFaces).toHaveLength(1);
    const ref = bounds(expLm.landmarks_normalized_xyz);
    const own = bounds(out.landmarks[0]!);
    const box = out.modelFaces[0]!.boxNorm;
    const diff = (a: typeof box, b: typeof box) => Math.max(...(['x', 'y', 'w', 'h'] as const).map((k) => Math.abs(a[k] - b[k])));
    console.log(`FaceLandmarkerModel box ${JSON.stringify(box)}: max |Δ| ${diff(box, ref).toExponential(2)} vs reference bounds, ${diff(box, own).toExponential(2)} vs this run's FaceLandmarker`);
    expect(diff(box, ref)).toBeLessThanOrEqual(LANDMARK_TOL[0]);
  });
});

/** Bounding box of normalised landmarks. */
function bounds(points: readonly (readonly number[])[]): { x: number; y: number; w: number; h: number } {
  const xs = points.map((p) => p[0]!);
  const ys = points.map((p) => p[1]!);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
}
