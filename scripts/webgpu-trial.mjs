#!/usr/bin/env node
/* global navigator, performance, clearTimeout -- navigator/performance are used inside page.evaluate callbacks (browser); clearTimeout is Node's */
// `npm run webgpu-trial [-- --json] [--runs N] [--jsep]`  (--jsep adds ~60–90 s; N = timed runs per batch size, default 30,
// cut short after 10 s per batch size with at least 5 runs, so a CPU-emulated adapter stays < 2 min)
// Measures onnxruntime-web's WebGPU execution provider against the WASM one the extension ships,
// on the offline affect model (models/weights/faceapi_expression.onnx, input `input` [N,3,112,112]),
// in headless Debian Chromium: once with default flags and once with `--enable-unsafe-webgpu`.
// Each EP runs in its own page with the onnxruntime-web build it would need:
//   - wasm:   ort.wasm.bundle.min.mjs + ort-wasm-simd-threaded.wasm (exactly what the extension ships)
//   - webgpu: ort.webgpu.bundle.min.mjs + ort-wasm-simd-threaded.asyncify.wasm (ORT's native WebGPU EP)
//   - webgpu-jsep (with --jsep): ort.all.bundle.min.mjs + ort-wasm-simd-threaded.jsep.wasm (the older JSEP WebGPU EP)
// Prints a Markdown table and a one-line verdict ("WebGPU kept" only if WebGPU is faster at every
// batch size and its outputs agree with WASM's); `--json` prints one JSON object instead.
// Writes nothing into the repo (a temp dir under os.tmpdir() holds the page, removed at exit).
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM } from './lib/chromium.mjs';
import { serveStatic } from './lib/static-server.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MODEL = join(ROOT, 'models', 'weights', 'faceapi_expression.onnx');
const ORT_DIST = join(ROOT, 'node_modules', 'onnxruntime-web', 'dist');
const INPUT_NAME = 'input';
const INPUT_SIZE = 112;
const BATCHES = [1, 4];
const WARMUP = 3;
/** Warm-up also lasts at least this long (≤ 50 runs), so V8's wasm tier-up is done before timing. */
const WARMUP_MS = 2000;
/** Max |Δlogit| between EPs still counted as agreeing (float32 kernels differ in summation order). */
const AGREE_TOL = 1e-2;
/** Timing stops early once a batch size has used this much time (SwiftShader WebGPU takes ~1 s a run). */
const BATCH_BUDGET_MS = 10_000;
const MIN_RUNS = 5;
const TIME_LIMIT_MS = 240_000;

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const withJsep = argv.includes('--jsep');
const runsArg = argv.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(argv[runsArg + 1]) : 30;
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error('usage: npm run webgpu-trial -- [--json] [--runs N] [--jsep]');
  process.exit(2);
}
const log = (...a) => (json ? console.error(...a) : console.log(...a));

if (!existsSync(MODEL)) {
  console.error(`webgpu-trial: model file missing: ${MODEL}\n  install it with \`npm run models\` (scripts/install-models.mjs + scripts/convert-faceapi.mjs).`);
  process.exit(1);
}
if (!existsSync(join(ORT_DIST, 'ort.webgpu.bundle.min.mjs'))) {
  console.error(`webgpu-trial: onnxruntime-web dist not found in ${ORT_DIST} (run npm install).`);
  process.exit(1);
}
if (!existsSync(CHROMIUM)) {
  console.error(`webgpu-trial: Chromium not found at ${CHROMIUM} (set AFFECTLENS_CHROMIUM).`);
  process.exit(1);
}

/**
 * @typedef {{id: string, ep: 'wasm' | 'webgpu', bundle: string, wasm: string, note: string}} Variant
 * @type {Variant[]}
 */
const VARIANTS = [
  { id: 'wasm', ep: 'wasm', bundle: 'ort.wasm.bundle.min.mjs', wasm: 'ort-wasm-simd-threaded.wasm', note: 'shipped today' },
  { id: 'webgpu', ep: 'webgpu', bundle: 'ort.webgpu.bundle.min.mjs', wasm: 'ort-wasm-simd-threaded.asyncify.wasm', note: 'ORT native WebGPU EP' },
  ...(withJsep
    ? [/** @type {Variant} */ ({ id: 'webgpu-jsep', ep: 'webgpu', bundle: 'ort.all.bundle.min.mjs', wasm: 'ort-wasm-simd-threaded.jsep.wasm', note: 'ORT JSEP WebGPU EP' })]
    : []),
];

const LAUNCHES = [
  { id: 'default', args: [] },
  { id: 'unsafe-webgpu', args: ['--enable-unsafe-webgpu'] },
];
const BASE_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-default-apps'];

// The static server knows no `.mjs`/`.wasm` MIME types: Chromium refuses module scripts served as
// application/octet-stream, so the ESM bundles are served through `.js` symlinks in a temp dir
// (text/javascript); the `.wasm` binaries come straight from the dist folder (Emscripten falls back
// from instantiateStreaming to ArrayBuffer instantiation when the MIME type is not application/wasm).
const tmp = mkdtempSync(join(tmpdir(), 'affectlens-webgpu-'));
writeFileSync(join(tmp, 'index.html'), '<!doctype html><meta charset="utf-8"><title>webgpu-trial</title><p>webgpu-trial</p>\n');
for (const v of VARIANTS) symlinkSync(join(ORT_DIST, v.bundle), join(tmp, v.bundle.replace(/\.mjs$/, '.js')));

const server = await serveStatic({ '/page/': tmp, '/ort/': ORT_DIST, '/model/': dirname(MODEL) });
/** @type {import('playwright-core').Browser | null} */
let browser = null;
const cleanup = async () => {
  await browser?.close().catch(() => {});
  await server.close().catch(() => {});
  rmSync(tmp, { recursive: true, force: true });
};
const watchdog = setTimeout(() => {
  console.error(`webgpu-trial: gave up after ${TIME_LIMIT_MS / 1000} s (no result)`);
  process.exitCode = 1;
  void cleanup().finally(() => process.exit(1));
}, TIME_LIMIT_MS);

/** Probe navigator.gpu and the adapter, in the page. */
async function probeAdapter() {
  const gpu = /** @type {any} */ (navigator).gpu;
  if (!gpu) return { navigatorGpu: false, adapter: null };
  const adapter = await gpu.requestAdapter();
  if (!adapter) return { navigatorGpu: true, adapter: null };
  const info = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};
  return {
    navigatorGpu: true,
    adapter: {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      device: info.device ?? '',
      description: info.description ?? '',
      isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? null,
      features: [...adapter.features].sort(),
      maxBufferSize: adapter.limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
    },
  };
}

/**
 * Runs in the page: load the ORT build, create the session, warm up and time the runs.
 * @param {{bundle: string, wasm: string, ep: string, model: string, inputName: string, size: number, batches: number[], warmup: number, warmupMs: number, runs: number, minRuns: number, budgetMs: number}} cfg
 */
async function trial(cfg) {
  const ort = await import(cfg.bundle);
  ort.env.wasm.numThreads = 1; // the offscreen document is not cross-origin isolated
  ort.env.wasm.wasmPaths = { wasm: cfg.wasm };
  ort.env.logLevel = 'error';
  const bytes = new Uint8Array(await (await fetch(cfg.model)).arrayBuffer());
  const opts = { executionProviders: [cfg.ep], graphOptimizationLevel: 'all' };
  let t = performance.now();
  const first = await ort.InferenceSession.create(bytes, opts);
  const createFirstMs = performance.now() - t;
  await first.release();
  t = performance.now();
  const session = await ort.InferenceSession.create(bytes, opts);
  const createMs = performance.now() - t;
  const outputName = session.outputNames[0];
  /** Deterministic pseudo-random input in the model's normalised range (mulberry32). */
  const random = (n, seed) => {
    const out = new Float32Array(n);
    let a = seed >>> 0;
    for (let i = 0; i < n; i++) {
      a = (a + 0x6d2b79f5) >>> 0;
      let x = Math.imul(a ^ (a >>> 15), 1 | a);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      out[i] = ((x ^ (x >>> 14)) >>> 0) / 4294967296 - 0.5;
    }
    return out;
  };
  const run = async (batch, seed) => {
    const input = new ort.Tensor('float32', random(batch * 3 * cfg.size * cfg.size, seed), [batch, 3, cfg.size, cfg.size]);
    const t0 = performance.now();
    const outputs = await session.run({ [cfg.inputName]: input });
    const data = Array.from(/** @type {Float32Array} */ (outputs[outputName].data)); // on the CPU either way
    const ms = performance.now() - t0;
    input.dispose();
    for (const o of Object.values(outputs)) o.dispose();
    return { ms, data, dims: outputs[outputName].dims };
  };
  const timings = {};
  for (const batch of cfg.batches) {
    const w0 = performance.now();
    for (let i = 0; i < cfg.warmup || (i < 50 && performance.now() - w0 < cfg.warmupMs); i++) await run(batch, 1000 + i);
    const ms = [];
    const start = performance.now();
    for (let i = 0; i < cfg.runs; i++) {
      ms.push((await run(batch, 2000 + i)).ms);
      if (ms.length >= cfg.minRuns && performance.now() - start > cfg.budgetMs) break;
    }
    timings[batch] = ms;
  }
  const reference = await run(4, 42); // the same input on every EP, to compare outputs
  await session.release();
  return { createFirstMs, createMs, outputName, outputDims: reference.dims, reference: reference.data, timings };
}

/** @param {number[]} xs @param {number} q */
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
};
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const mb = (bytes) => round(bytes / 1024 / 1024, 1);

const started = Date.now();
const launches = [];
try {
  for (const launch of LAUNCHES) {
    log(`launching Chromium (${launch.id}: ${launch.args.join(' ') || 'no extra flags'})`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...BASE_ARGS, ...launch.args] });
    const version = browser.version();
    const probePage = await browser.newPage();
    await probePage.goto(`${server.url}/page/index.html`);
    const probe = await probePage.evaluate(probeAdapter);
    await probePage.close();
    log(`  navigator.gpu: ${probe.navigatorGpu}, adapter: ${probe.adapter ? JSON.stringify(probe.adapter) : 'none'}`);
    const results = [];
    for (const v of VARIANTS) {
      if (v.ep === 'webgpu' && !probe.adapter) {
        results.push({ variant: v.id, ep: v.ep, bundle: v.bundle, skipped: 'no WebGPU adapter' });
        continue;
      }
      const page = await browser.newPage();
      /** @type {{url: string, bytes: number}[]} */
      const wasmRequests = [];
      const warnings = [];
      page.on('request', (req) => {
        const path = new URL(req.url()).pathname;
        if (path.endsWith('.wasm')) wasmRequests.push(path);
      });
      page.on('console', (m) => {
        if (m.type() === 'warning' || m.type() === 'error') warnings.push(m.text().slice(0, 300));
      });
      // Each distinct .wasm fetched, with how often (Emscripten refetches after a failed instantiateStreaming).
      const wasmLoaded = () =>
        [...new Set(wasmRequests)].map((url) => ({ url, bytes: statSync(join(ORT_DIST, basename(url))).size, requests: wasmRequests.filter((u) => u === url).length }));
      await page.goto(`${server.url}/page/index.html`);
      log(`  ${v.id}: ${v.bundle} + ${v.wasm} …`);
      try {
        const r = await page.evaluate(trial, {
          bundle: `/page/${v.bundle.replace(/\.mjs$/, '.js')}`,
          wasm: `/ort/${v.wasm}`,
          ep: v.ep,
          model: `/model/${basename(MODEL)}`,
          inputName: INPUT_NAME,
          size: INPUT_SIZE,
          batches: BATCHES,
          warmup: WARMUP,
          warmupMs: WARMUP_MS,
          runs: RUNS,
          minRuns: Math.min(MIN_RUNS, RUNS),
          budgetMs: BATCH_BUDGET_MS,
        });
        const perBatch = Object.fromEntries(
          BATCHES.map((b) => [b, { n: r.timings[b].length, median: round(quantile(r.timings[b], 0.5)), p95: round(quantile(r.timings[b], 0.95)), min: round(Math.min(...r.timings[b])) }]),
        );
        results.push({
          variant: v.id,
          ep: v.ep,
          bundle: v.bundle,
          wasmLoaded: wasmLoaded(),
          createFirstMs: round(r.createFirstMs, 1),
          createMs: round(r.createMs, 1),
          outputName: r.outputName,
          outputDims: r.outputDims,
          perBatch,
          reference: r.reference,
          warnings: [...new Set(warnings)],
        });
        log(`    create ${round(r.createFirstMs, 1)} ms (first) / ${round(r.createMs, 1)} ms; ${BATCHES.map((b) => `batch ${b}: median ${perBatch[b].median} ms, p95 ${perBatch[b].p95} ms (n=${perBatch[b].n})`).join('; ')}`);
        for (const w of [...new Set(warnings)]) log(`    console: ${w}`);
      } catch (e) {
        const error = (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 400);
        results.push({ variant: v.id, ep: v.ep, bundle: v.bundle, wasmLoaded: wasmLoaded(), error, warnings: [...new Set(warnings)] });
        log(`    failed: ${error}`);
      }
      await page.close();
    }
    await browser.close();
    browser = null;
    // Agreement of every WebGPU variant with WASM on the same input.
    const base = results.find((r) => r.variant === 'wasm' && r.reference);
    for (const r of results) {
      if (r.variant === 'wasm' || !r.reference || !base) continue;
      let maxAbsDiff = 0;
      for (let i = 0; i < base.reference.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(base.reference[i] - r.reference[i]));
      const k = base.outputDims.at(-1);
      const argmax = (a, row) => {
        const s = a.slice(row * k, row * k + k);
        return s.indexOf(Math.max(...s));
      };
      const rows = base.reference.length / k;
      const argmaxAgree = Array.from({ length: rows }, (_, row) => argmax(base.reference, row) === argmax(r.reference, row)).every(Boolean);
      r.vsWasm = { maxAbsDiff: Number(maxAbsDiff.toExponential(3)), argmaxAgree, agree: maxAbsDiff <= AGREE_TOL && argmaxAgree };
    }
    for (const r of results) delete r.reference;
    launches.push({ launch: launch.id, args: launch.args, browserVersion: version, navigatorGpu: probe.navigatorGpu, adapter: probe.adapter, results });
  }
} catch (e) {
  if (process.exitCode) await new Promise(() => {}); // the watchdog is already exiting
  console.error(`webgpu-trial: ${e instanceof Error ? e.stack : String(e)}`);
  clearTimeout(watchdog);
  await cleanup();
  process.exit(1);
}
clearTimeout(watchdog);
await cleanup();

// Verdict: WebGPU is kept only if some launch has a WebGPU variant whose median beats the WASM
// median of the same launch at every batch size, with outputs agreeing.
let best = null;
for (const l of launches) {
  const wasm = l.results.find((r) => r.variant === 'wasm' && r.perBatch);
  for (const r of l.results) {
    if (r.ep !== 'webgpu' || !r.perBatch || !wasm) continue;
    const faster = BATCHES.every((b) => r.perBatch[b].median < wasm.perBatch[b].median);
    const speedup = Math.min(...BATCHES.map((b) => wasm.perBatch[b].median / r.perBatch[b].median));
    if (faster && r.vsWasm?.agree && (!best || speedup > best.speedup)) best = { launch: l.launch, variant: r.variant, speedup: round(speedup) };
  }
}
const anyWebgpu = launches.some((l) => l.results.some((r) => r.ep === 'webgpu' && r.perBatch));
const verdict = best
  ? `WebGPU kept: ${best.variant} is ${best.speedup}× faster than WASM (launch ${best.launch})`
  : `WASM kept: WebGPU ${anyWebgpu ? 'slower' : 'unavailable'}`;
const sizes = Object.fromEntries(VARIANTS.map((v) => [v.id, { bundle: v.bundle, bundleBytes: statSync(join(ORT_DIST, v.bundle)).size, wasm: v.wasm, wasmBytes: statSync(join(ORT_DIST, v.wasm)).size }]));
const report = {
  model: { file: basename(MODEL), bytes: statSync(MODEL).size, input: `${INPUT_NAME} [N,3,${INPUT_SIZE},${INPUT_SIZE}] float32` },
  ortVersion: '1.30',
  runs: RUNS,
  warmup: WARMUP,
  batches: BATCHES,
  launches,
  sizes,
  verdict,
  elapsedS: round((Date.now() - started) / 1000, 1),
};

if (json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log('');
  for (const l of launches) {
    const a = l.adapter;
    console.log(`**${l.launch}** (Chromium ${l.browserVersion}${l.args.length ? `, ${l.args.join(' ')}` : ''}): navigator.gpu ${l.navigatorGpu ? 'yes' : 'no'}, adapter ${a ? `${a.vendor || '?'} / ${a.architecture || '?'} / ${a.description || a.device || '?'}${a.isFallbackAdapter ? ' (fallback adapter)' : ''}` : 'none'}`);
  }
  console.log('');
  console.log(`| launch | EP (build) | .wasm loaded | create ms (first / again) | ${BATCHES.map((b) => `b${b} median ms | b${b} p95 ms | n`).join(' | ')} | max abs diff vs wasm |`);
  console.log(`|---|---|---|---|${BATCHES.map(() => '---|---|---').join('|')}|---|`);
  for (const l of launches) {
    for (const r of l.results) {
      const build = `${r.ep} (${r.bundle})`;
      if (!r.perBatch) {
        console.log(`| ${l.launch} | ${build} | ${r.wasmLoaded?.map((w) => basename(w.url)).join(', ') || '–'} | ${r.skipped ?? `failed: ${r.error}`} | ${BATCHES.map(() => '– | – | –').join(' | ')} | – |`);
        continue;
      }
      const wasm = r.wasmLoaded.map((w) => `${basename(w.url)} (${mb(w.bytes)} MB${w.requests > 1 ? `, fetched ${w.requests}×` : ''})`).join(', ');
      const diff = r.vsWasm ? `${r.vsWasm.maxAbsDiff}${r.vsWasm.argmaxAgree ? '' : ' (argmax differs)'}` : '–';
      console.log(`| ${l.launch} | ${build} | ${wasm} | ${r.createFirstMs} / ${r.createMs} | ${BATCHES.map((b) => `${r.perBatch[b].median} | ${r.perBatch[b].p95} | ${r.perBatch[b].n}`).join(' | ')} | ${diff} |`);
    }
  }
  console.log('');
  console.log(`Up to ${RUNS} timed runs (n; fewer once ${BATCH_BUDGET_MS / 1000} s are used) after ≥ ${WARMUP} warm-up runs and ≥ ${WARMUP_MS / 1000} s per batch size; time = session.run + output read-back; "first" create includes loading and compiling the .wasm. Elapsed ${report.elapsedS} s.`);
  for (const v of VARIANTS) console.log(`- ${v.id}: ${v.bundle} ${mb(sizes[v.id].bundleBytes)} MB + ${v.wasm} ${mb(sizes[v.id].wasmBytes)} MB (${v.note})`);
  console.log(verdict);
}
