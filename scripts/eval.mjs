#!/usr/bin/env node
/* global createImageBitmap, document, location, Image -- used inside page.evaluate callbacks, which run in the browser */
// `npm run eval -- <folder> [--backend id] [--json] [--no-baseline]`
// Runs exactly the extension's pipeline (the built extension's inference host: MediaPipe face
// landmarker → face crop → affect model, plus the AU mapping) on every image of <folder>/labels.csv
// (`file,label,…`, as ../shared/data/labels.csv), in headless Debian Chromium, and face-api.js's own
// pipeline (TinyFaceDetector + FaceExpressionNet on tfjs-wasm) on the same images as the baseline.
// Prints per-image predictions, per-class accuracy, the confusion matrix and the AU6/AU12
// happy-vs-neutral check; `--json` prints one JSON object instead. Each image goes to the engine
// twice as one tile: the first read is landmarked, the second a light picture (utils/engine.ts
// LIGHT_PER_LANDMARKED: BlazeFace's box, the action units carried), reported as `predictedLight`.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, chromiumArgs } from './lib/chromium.mjs';
import { serveStatic } from './lib/static-server.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const AFFECTNET = ['anger', 'contempt', 'disgust', 'fear', 'happiness', 'neutral', 'sadness', 'surprise'];
/** Label words used in datasets → AffectNet class names. */
const LABEL_ALIASES = { happy: 'happiness', angry: 'anger', sad: 'sadness', surprised: 'surprise', fearful: 'fear', disgusted: 'disgust' };
const AU_NAMES = ['AU1', 'AU2', 'AU4', 'AU6', 'AU7', 'AU10', 'AU12', 'AU15', 'AU23', 'AU24', 'AU25', 'AU26'];

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const folder = argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--backend');
const json = argv.includes('--json');
const backend = opt('--backend') ?? 'auto';
const log = (...a) => (json ? console.error(...a) : console.log(...a));
if (!folder) {
  console.error('usage: npm run eval -- <folder with labels.csv> [--backend id] [--json] [--no-baseline]');
  process.exit(2);
}
const dataDir = resolve(folder);

/** Minimal CSV: quoted fields with commas, no embedded newlines. */
function parseCsv(text) {
  const rows = text.trim().split(/\r?\n/).map((line) => {
    const out = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (c === '"' && quoted && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') {
        quoted = !quoted;
      } else if (c === ',' && !quoted) {
        out.push(cur);
        cur = '';
      } else {
        cur += c;
      }
    }
    out.push(cur);
    return out;
  });
  const [head, ...body] = rows;
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? ''])));
}

const items = parseCsv(readFileSync(join(dataDir, 'labels.csv'), 'utf8')).map((r) => ({
  file: r.file,
  label: LABEL_ALIASES[r.label.toLowerCase()] ?? r.label.toLowerCase(),
  subject: r.subject ?? '',
}));

const extensionDir = join(ROOT, '.output', 'chrome-mv3');
if (!existsSync(join(extensionDir, 'manifest.json'))) execFileSync('npx', ['wxt', 'build'], { cwd: ROOT, stdio: json ? 'ignore' : 'inherit' });

const server = await serveStatic({
  '/data/': dataDir,
  '/pages/': join(ROOT, 'tests', 'pages'),
  '/faceapi/': join(ROOT, 'node_modules', '@vladmandic', 'face-api'),
  '/tfwasm/': join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'),
});
const profile = mkdtempSync(join(tmpdir(), 'affectlens-eval-'));
const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: chromiumArgs(extensionDir) });
try {
  const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const extensionId = new URL(sw.url()).host;
  await sw.evaluate((choice) => globalThis.chrome.storage.local.set({ affectBackend: choice }), backend);
  // A matched local page makes the content script ask for the inference host.
  const page = await context.newPage();
  await page.goto(`${server.url}/pages/call.html`);
  const ext = await context.newPage();
  await ext.goto(`chrome-extension://${extensionId}/popup.html`);
  const status = await ext.evaluate(async () => {
    const ask = () => globalThis.chrome.runtime.sendMessage({ target: 'offscreen', type: 'any-off-status', payload: {} });
    for (let i = 0; i < 240; i++) {
      const s = await ask().catch(() => null);
      if (s?.state === 'ready' && s.affect) return s;
      if (s?.state === 'model-missing' || s?.state === 'error') return s;
      if (s?.state === 'ready' && s.note && !/loading/.test(s.note)) return s;
      await new Promise((r) => setTimeout(r, 250));
    }
    return ask();
  });
  if (status?.state !== 'ready') throw new Error(`inference host not ready: ${JSON.stringify(status)}`);
  log(`AffectLens: ${status.backend}${status.note ? ` (${status.note})` : ''}`);

  const images = [];
  for (const [i, item] of items.entries()) {
    const bytes = readFileSync(join(dataDir, item.file));
    const dataUrl = `data:image/${item.file.endsWith('.png') ? 'png' : 'jpeg'};base64,${bytes.toString('base64')}`;
    // Same frame preparation as the content script: scale to ≤ 480 px, JPEG; then the engine.
    const { reply, again, width, height } = await ext.evaluate(
      async ({ dataUrl, i }) => {
        const bmp = await createImageBitmap(await (await fetch(dataUrl)).blob());
        const scale = Math.min(1, 480 / Math.max(bmp.width, bmp.height));
        const c = document.createElement('canvas');
        c.width = Math.round(bmp.width * scale);
        c.height = Math.round(bmp.height * scale);
        c.getContext('2d').drawImage(bmp, 0, 0, c.width, c.height);
        const payload = { tileId: `eval-${i}`, name: `eval-${i}`, image: c.toDataURL('image/jpeg', 0.8), width: c.width, height: c.height, mediaTime: 0, capturedAt: Date.now(), pageMs: 0, via: 'direct' };
        const reply = await globalThis.chrome.runtime.sendMessage({ target: 'offscreen', type: 'cs-off-frame', payload });
        // The same picture again, for the light read.
        const again = await globalThis.chrome.runtime.sendMessage({ target: 'offscreen', type: 'cs-off-frame', payload: { ...payload, capturedAt: Date.now() } });
        return { reply, again, width: c.width, height: c.height };
      },
      { dataUrl, i },
    );
    const largest = (r) => (r?.ok ? r.result.faces.slice().sort((a, b) => b.boxNorm.w * b.boxNorm.h - a.boxNorm.w * a.boxNorm.h)[0] : undefined);
    const face = largest(reply);
    const probs = face?.affect?.probs ?? null;
    const lightProbs = again?.ok && again.result.light ? (largest(again)?.affect?.probs ?? null) : null;
    images.push({
      file: item.file,
      label: item.label,
      subject: item.subject,
      predicted: probs ? AFFECTNET[probs.indexOf(Math.max(...probs))] : 'no-face',
      // The second read: light, or null when the engine landmarked it (its faces did not pair).
      predictedLight: lightProbs ? AFFECTNET[lightProbs.indexOf(Math.max(...lightProbs))] : null,
      probabilitiesLight: lightProbs ? Object.fromEntries(AFFECTNET.map((c, k) => [c, Math.round(lightProbs[k] * 1e4) / 1e4])) : null,
      probabilities: probs ? Object.fromEntries(AFFECTNET.map((c, k) => [c, Math.round(probs[k] * 1e4) / 1e4])) : null,
      aus: face ? Object.fromEntries(AU_NAMES.map((a, k) => [a, Math.round(face.aus[k] * 1e3) / 1e3])) : null,
      valence: face?.affect ? Math.round(face.affect.valence * 1e3) / 1e3 : null,
      // The face's size in the analysed frame (px, shorter side of the landmark box).
      facePx: face ? Math.round(Math.min(face.boxNorm.w * width, face.boxNorm.h * height)) : null,
      arousal: face?.affect ? Math.round(face.affect.arousal * 1e3) / 1e3 : null,
    });
  }

  let baseline = null;
  if (!argv.includes('--no-baseline')) {
    const fa = await context.newPage();
    // The face-api.js page is served under a host the content script does not match.
    await fa.goto(`${server.url}/pages/call.html`.replace('127.0.0.1', 'localhost'));
    baseline = await fa.evaluate(
      async ({ files }) => {
        const faceapi = await import('/faceapi/dist/face-api.esm.js');
        faceapi.tf.setWasmPaths(new URL('/tfwasm/', location.href).href);
        await faceapi.tf.setBackend('wasm');
        await faceapi.tf.ready();
        await faceapi.nets.tinyFaceDetector.loadFromUri('/faceapi/model/');
        await faceapi.nets.faceExpressionNet.loadFromUri('/faceapi/model/');
        const names = { neutral: 'neutral', happy: 'happiness', sad: 'sadness', angry: 'anger', fearful: 'fear', disgusted: 'disgust', surprised: 'surprise' };
        const out = [];
        for (const file of files) {
          const img = new Image();
          img.src = `/data/${file}`;
          await img.decode();
          const r = await faceapi.detectSingleFace(img, new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.3 })).withFaceExpressions();
          const top = r ? Object.entries(r.expressions).sort((a, b) => b[1] - a[1])[0] : null;
          out.push({ file, predicted: top ? names[top[0]] : 'no-face' });
        }
        return { backend: `face-api.js TinyFaceDetector + FaceExpressionNet (tfjs ${faceapi.tf.getBackend()})`, images: out };
      },
      { files: items.map((x) => x.file) },
    );
    Object.assign(baseline, { summary: summarise(items.map((x, k) => ({ ...x, predicted: baseline.images[k].predicted }))) });
  }

  const lit = images.filter((i) => i.predictedLight);
  const summary = {
    ...summarise(images),
    auCheck: auCheck(images),
    // The light reads: how many there were, their accuracy and how often they agree with the landmarked read.
    light: { ...summarise(lit.map((i) => ({ ...i, predicted: i.predictedLight }))), sameAsLandmarked: lit.filter((i) => i.predictedLight === i.predicted).length },
  };
  const result = { backend: status.affect?.id ?? null, pipeline: status.backend, images, summary, baseline };
  if (json) console.log(JSON.stringify(result));
  else printReport(result);
} finally {
  await context.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}

function summarise(rows) {
  const labels = [...new Set(rows.map((r) => r.label))];
  const predicted = [...new Set([...AFFECTNET, 'no-face'])];
  const perClass = Object.fromEntries(
    labels.map((l) => {
      const of = rows.filter((r) => r.label === l);
      return [l, { n: of.length, correct: of.filter((r) => r.predicted === l).length, accuracy: of.filter((r) => r.predicted === l).length / of.length }];
    }),
  );
  const confusion = Object.fromEntries(labels.map((l) => [l, Object.fromEntries(predicted.map((p) => [p, rows.filter((r) => r.label === l && r.predicted === p).length]).filter(([, n]) => n > 0))]));
  const correct = rows.filter((r) => r.label === r.predicted).length;
  return { n: rows.length, accuracy: correct / rows.length, perClass, confusion };
}

/** Per subject with a happy and a neutral image: is AU12 / AU6 higher on the happy one? */
function auCheck(rows) {
  const subjects = [...new Set(rows.map((r) => r.subject))].filter(Boolean);
  const pairs = subjects
    .map((s) => ({ s, happy: rows.find((r) => r.subject === s && r.label === 'happiness'), neutral: rows.find((r) => r.subject === s && r.label === 'neutral') }))
    .filter((p) => p.happy?.aus && p.neutral?.aus);
  const higher = (au) => pairs.filter((p) => p.happy.aus[au] > p.neutral.aus[au]).length;
  return { pairs: pairs.length, au12HigherOnHappy: higher('AU12'), au6HigherOnHappy: higher('AU6') };
}

function printReport(r) {
  console.log(`\nbackend: ${r.backend ?? 'none'} (${r.pipeline})\n`);
  console.log('file'.padEnd(40), 'label'.padEnd(10), 'predicted'.padEnd(10), 'p'.padEnd(6), 'light'.padEnd(10), 'AU6'.padEnd(6), 'AU12');
  for (const i of r.images) {
    const p = i.probabilities ? i.probabilities[i.predicted] ?? 0 : 0;
    console.log(i.file.padEnd(40), i.label.padEnd(10), i.predicted.padEnd(10), p.toFixed(2).padEnd(6), (i.predictedLight ?? '-').padEnd(10), String(i.aus?.AU6 ?? '-').padEnd(6), String(i.aus?.AU12 ?? '-'));
  }
  const show = (name, s) => {
    console.log(`\n${name}: accuracy ${(s.accuracy * 100).toFixed(1)}% over ${s.n} images`);
    for (const [l, c] of Object.entries(s.perClass)) console.log(`  ${l.padEnd(10)} ${c.correct}/${c.n}   confusion: ${JSON.stringify(s.confusion[l])}`);
  };
  show('AffectLens', r.summary);
  const a = r.summary.auCheck;
  console.log(`  AU12 higher on the happy image for ${a.au12HigherOnHappy}/${a.pairs} subjects; AU6 for ${a.au6HigherOnHappy}/${a.pairs}`);
  const l = r.summary.light;
  console.log(`  light reads (BlazeFace's box, the AUs carried): ${l.n} of ${r.images.length}, accuracy ${(l.accuracy * 100).toFixed(1)}%, the same class as the landmarked read ${l.sameAsLandmarked}/${l.n}`);
  if (r.baseline) show(`baseline, ${r.baseline.backend}`, r.baseline.summary);
}
