#!/usr/bin/env node
/* global window, chrome, URLSearchParams */
// `npm run bench`: AffectLens' throughput, latency, cost per stage and resource use in headless Debian
// Chromium with the built extension on the local call page (1, 4, 9, 16 tiles of real face video),
// against face-api.js (TinyFaceDetector + FaceExpressionNet) on the same tiles in the same browser.
//
//   node scripts/bench.mjs [--tiles 1,4,9,16] [--seconds 20] [--warmup 3] [--backend <id>]
//                          [--fps-per-tile 1..30] [--cpu-percent 5..100]
//                          [--faceapi-backend wasm|webgl|cpu] [--faceapi-input 224] [--faceapi-score 0.5]
//                          [--soak MINUTES] [--json] [--build] [--no-baseline] [--no-trace] [--profile SECONDS]
//                          [--tile-video FILE] [--extension DIR] [--out DIR]
//
// Writes bench-results/bench-<date>.{json,md} (and latest.{json,md}). With --json, stdout carries one
// JSON object and nothing else (progress goes to stderr). Numbers are measured, never asserted.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, chromiumArgs, closeWelcomePage } from './lib/chromium.mjs';
import { serveStatic } from './lib/static-server.mjs';
import { pageMetrics } from './lib/page-metrics.mjs';
import { benchTiles, callQuery } from './lib/bench-media.mjs';
import { categoryMemory, cpuBetween, sampleProcesses } from './lib/bench-procs.mjs';
import { mean, ratio, round, slope, sum, summary } from './lib/bench-stats.mjs';
import { toMarkdown } from './lib/bench-report.mjs';
import { traceMainThread } from './lib/bench-trace.mjs';
import { profileMainThread } from './lib/bench-profile.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Host name mapped to 127.0.0.1 that the content script does not match (baseline and control pages). */
const UNMATCHED_HOST = 'bench-baseline.test';
const VIEWPORT = { width: 1280, height: 1320 }; // fits 16 tiles of the call page on screen

const opts = parseArgs(process.argv.slice(2));
const log = (...a) => console.error('[bench]', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function parseArgs(argv) {
  const o = {
    tiles: [1, 4, 9, 16],
    seconds: 20,
    warmup: 3,
    backend: null,
    fpsPerTile: null,
    cpuPercent: null,
    faceapiBackend: 'wasm',
    faceapiInput: 224,
    faceapiScore: 0.5,
    soak: null,
    trace: true,
    profile: 0,
    json: false,
    build: false,
    baseline: true,
    extension: null,
    tileVideo: null,
    out: join(ROOT, 'bench-results'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`bench: ${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--tiles':
        o.tiles = value().split(',').map((s) => Number(s.trim()));
        if (o.tiles.some((n) => !Number.isInteger(n) || n < 1 || n > 64)) throw new Error('bench: --tiles takes counts 1..64, e.g. 1,4,9,16');
        break;
      case '--seconds':
        o.seconds = Number(value());
        if (!(o.seconds > 0)) throw new Error('bench: --seconds must be > 0');
        break;
      case '--warmup':
        o.warmup = Number(value());
        break;
      case '--backend':
        o.backend = value();
        break;
      case '--fps-per-tile':
        // The options page's frame budget (utils/settings.ts FRAME_BUDGET_LIMITS: 1–30; default 8).
        o.fpsPerTile = Number(value());
        if (!Number.isInteger(o.fpsPerTile) || o.fpsPerTile < 1 || o.fpsPerTile > 30) throw new Error('bench: --fps-per-tile takes 1..30');
        break;
      case '--cpu-percent':
        // The options page's processor budget (5–100 % of all cores; default 50).
        o.cpuPercent = Number(value());
        if (!Number.isInteger(o.cpuPercent) || o.cpuPercent < 5 || o.cpuPercent > 100) throw new Error('bench: --cpu-percent takes 5..100');
        break;
      case '--faceapi-backend':
        o.faceapiBackend = value();
        break;
      case '--faceapi-input':
        o.faceapiInput = Number(value());
        break;
      case '--faceapi-score':
        o.faceapiScore = Number(value());
        break;
      case '--no-trace':
        o.trace = false;
        break;
      case '--profile':
        o.profile = Number(value());
        if (!(o.profile >= 0)) throw new Error('bench: --profile takes seconds >= 0');
        break;
      case '--soak':
        o.soak = Number(value());
        if (!(o.soak > 0)) throw new Error('bench: --soak takes minutes > 0');
        break;
      case '--json':
        o.json = true;
        break;
      case '--build':
        o.build = true;
        break;
      case '--no-baseline':
        o.baseline = false;
        break;
      case '--out':
        o.out = resolve(value());
        break;
      case '--tile-video':
        // Every tile plays this video (e.g. ../shared/data/video/WolfgangLanger_Pexels.mp4: a whole
        // 640×360 camera picture, moving), instead of the grid's four quadrants.
        o.tileVideo = resolve(value());
        break;
      case '--extension':
        // Another build of the extension (an A/B against an earlier commit's `.output/chrome-mv3`).
        o.extension = resolve(value());
        break;
      case '--help':
      case '-h':
        console.error('usage: node scripts/bench.mjs [--tiles 1,4,9,16] [--seconds 20] [--warmup 3] [--backend ID] [--fps-per-tile N] [--cpu-percent P] [--faceapi-backend wasm|webgl|cpu] [--faceapi-input 224] [--faceapi-score 0.5] [--soak MINUTES] [--json] [--build] [--no-baseline] [--no-trace] [--profile SECONDS] [--tile-video FILE] [--extension DIR] [--out DIR]');
        process.exit(0);
        break;
      default:
        throw new Error(`bench: unknown option ${a} (see --help)`);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Setup: build, copy the build (a concurrent `wxt build` must not change it under us), media, server.

const buildDir = opts.extension ?? join(ROOT, '.output', 'chrome-mv3');
if (opts.extension && !existsSync(join(buildDir, 'manifest.json'))) throw new Error(`bench: no extension build in ${buildDir}`);
if (!opts.extension && (opts.build || !existsSync(join(buildDir, 'manifest.json')))) {
  log('building the extension (npx wxt build)…');
  execFileSync('npx', ['wxt', 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 2, 2],
  });
}
const work = mkdtempSync(join(tmpdir(), 'affectlens-bench-'));
const extensionDir = join(work, 'extension');
cpSync(buildDir, extensionDir, { recursive: true });

if (opts.tileVideo && !existsSync(opts.tileVideo)) throw new Error(`bench: no video ${opts.tileVideo}`);
const tileSources = opts.tileVideo ? [{ key: 'clip', name: 'Clip', file: opts.tileVideo }] : benchTiles(ROOT);
const server = await serveStatic({
  '/pages/': join(ROOT, 'tests', 'pages'),
  '/media/': dirname(tileSources[0].file),
  '/faceapi/': join(ROOT, 'node_modules', '@vladmandic', 'face-api'),
  '/tfwasm/': join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'),
});
const unmatchedUrl = `http://${UNMATCHED_HOST}:${server.port}`;

const context = await chromium.launchPersistentContext(join(work, 'profile'), {
  executablePath: CHROMIUM,
  headless: true,
  viewport: VIEWPORT,
  args: chromiumArgs(extensionDir, { extraArgs: [`--host-rules=MAP ${UNMATCHED_HOST} 127.0.0.1`] }),
});
const browserVersion = context.browser()?.version() ?? null;
const firstWorker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 30_000 }));
const extensionId = new URL(firstWorker.url()).host;
// Measured pages must be in front (a background tab is throttled): the welcome tab goes first.
if (!(await closeWelcomePage(context))) log('the welcome page did not open: the first page measured may sit behind another tab');
const browserCdp = await context.browser().newBrowserCDPSession();
log(`Chromium ${browserVersion}, extension ${extensionId}, ${cpus().length} CPUs`);
if (opts.backend) {
  // The affect backend the options page would set (utils/storage.ts affectBackendItem, `local:affectBackend`).
  await firstWorker.evaluate((id) => chrome.storage.local.set({ affectBackend: id }), opts.backend);
  log(`affect backend set to ${opts.backend}`);
}
if (opts.fpsPerTile !== null || opts.cpuPercent !== null) {
  // The frame budget the options page would set (utils/settings.ts frameBudgetItem, `local:frameBudget`).
  const budget = { fpsPerTile: opts.fpsPerTile ?? 8, cpuPercent: opts.cpuPercent ?? 50 };
  await firstWorker.evaluate((b) => chrome.storage.local.set({ frameBudget: b }), budget);
  log(`frame budget set to ${budget.fpsPerTile} frames/s per tile, ${budget.cpuPercent} % CPU`);
}

let shuttingDown = false;
async function shutdown() {
  if (shuttingDown) return;
  shuttingDown = true;
  await context.close().catch(() => {});
  await server.close().catch(() => {});
  rmSync(work, { recursive: true, force: true });
}
process.on('SIGINT', () => void shutdown().then(() => process.exit(130)));
process.on('SIGTERM', () => void shutdown().then(() => process.exit(143)));

// ---------------------------------------------------------------------------------------------
// Helpers

/** `n` tiles: the four grid videos repeated, each with a unique name carrying the run's tag. */
function tilesFor(n, tag) {
  return Array.from({ length: n }, (_, i) => {
    const src = tileSources[i % tileSources.length];
    return { src: `/media/${basename(src.file)}`, name: `${tag} ${src.name} #${i + 1}` };
  });
}

async function serviceWorker() {
  const live = context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${extensionId}/`));
  return live ?? (await context.waitForEvent('serviceworker', { timeout: 10_000 }));
}

/**
 * The meeting page's message counters (entrypoints/content: pictures, "unchanged", holds, releases
 * sent; pushes received), asked through the service worker; null when no content script answers.
 */
async function pageMessages() {
  try {
    const sw = await serviceWorker();
    return await sw.evaluate(async () => {
      for (const t of await chrome.tabs.query({})) {
        const reply = await chrome.tabs.sendMessage(t.id, { target: 'content', type: 'ui-cs-ping', payload: {} }).catch(() => null);
        if (reply?.messages) return reply.messages;
      }
      return null;
    });
  } catch {
    return null;
  }
}

/** Every result the background logged for tiles whose name starts with `tag `. */
async function loggedResults(tag) {
  for (let attempt = 0; ; attempt++) {
    try {
      const sw = await serviceWorker();
      return await sw.evaluate(async (prefix) => {
        const all = await chrome.storage.session.get(null);
        return Object.entries(all)
          .filter(([k]) => k.startsWith('results:'))
          .flatMap(([, v]) => v)
          .filter((r) => typeof r.name === 'string' && r.name.startsWith(prefix))
          .map((r) => ({
            tileId: r.tileId,
            name: r.name,
            at: r.at,
            latency: r.latency,
            pageMs: r.pageMs,
            drawMs: r.drawMs ?? null,
            stages: r.stages ?? null,
            reused: r.reused === true,
            held: r.held === true,
            cropped: r.cropped === true,
            light: r.light === true,
            faces: r.faces.length,
            affectBackend: r.faces.find((f) => f.backend)?.backend ?? null,
            via: r.via ?? null,
          }));
      }, `${tag} `);
    } catch (err) {
      if (attempt >= 3) throw err;
      await sleep(500); // the service worker was restarting
    }
  }
}

/** The page main thread's cumulative busy time (ms) from CDP Performance.getMetrics. */
async function mainThread(cdp) {
  const metrics = await pageMetrics(cdp);
  const get = (name) => (metrics[name] ?? NaN) * 1000;
  // TaskDuration: the wall time of the thread's tasks (on a busy machine it includes the time the
  // thread waited for a core mid-task); ThreadTime: the CPU time the thread used.
  return { wall: Date.now(), task: get('TaskDuration'), thread: get('ThreadTime'), script: get('ScriptDuration'), layout: get('LayoutDuration'), style: get('RecalcStyleDuration'), heapMB: (metrics.JSHeapUsedSize ?? NaN) / 1e6 };
}

function perSecond(a, b) {
  const s = (b.wall - a.wall) / 1000;
  return { taskMsPerS: round((b.task - a.task) / s), threadCpuMsPerS: round((b.thread - a.thread) / s), scriptMsPerS: round((b.script - a.script) / s), layoutStyleMsPerS: round((b.layout - a.layout + b.style - a.style) / s) };
}

/** What a CDP target of the extension is, by its URL ('relay' for each relay iframe). */
function contextName(url) {
  const path = new URL(url).pathname.replace(/^\//, '');
  return path.replace(/\.(html|js)$/, '') || url;
}

// Non-flat CDP sessions through the browser session: a message to a target nested in another (the
// offscreen document's dedicated workers are reached through the document's session) is wrapped in
// one Target.sendMessageToTarget per level, and its answer comes back wrapped the same way.
let cdpId = 1;
const cdpWaiting = new Map();
const cdpEvents = [];
browserCdp.on('Target.receivedMessageFromTarget', (e) => {
  let path = [e.sessionId];
  let msg = JSON.parse(e.message);
  while (msg.method === 'Target.receivedMessageFromTarget') {
    path = [...path, msg.params.sessionId];
    msg = JSON.parse(msg.params.message);
  }
  const key = `${path.join('/')}#${msg.id}`;
  if (msg.id !== undefined && cdpWaiting.has(key)) {
    cdpWaiting.get(key)(msg.result ?? null);
    cdpWaiting.delete(key);
  } else if (msg.method) {
    for (const listener of cdpEvents) listener(path, msg);
  }
});

/** One CDP command to the target at the end of `path` (session ids, outermost first); null on error or after 3 s. */
async function sendTo(path, method, params = {}) {
  const id = cdpId++;
  let message = JSON.stringify({ id, method, params });
  for (let i = path.length - 1; i >= 1; i--) message = JSON.stringify({ id: cdpId++, method: 'Target.sendMessageToTarget', params: { sessionId: path[i], message } });
  const key = `${path.join('/')}#${id}`;
  const reply = new Promise((resolveReply) => {
    cdpWaiting.set(key, resolveReply);
    setTimeout(() => {
      if (cdpWaiting.delete(key)) resolveReply(null);
    }, 3000);
  });
  await browserCdp.send('Target.sendMessageToTarget', { sessionId: path[0], message });
  return reply;
}

/** The dedicated workers of the target at `path`: their session paths (attached, not paused). */
async function workersOf(path) {
  const found = new Map(); // by target id: a worker may be announced more than once
  const listener = (at, msg) => {
    if (msg.method === 'Target.attachedToTarget' && at.join('/') === path.join('/') && msg.params.targetInfo.type === 'worker') found.set(msg.params.targetInfo.targetId, [...path, msg.params.sessionId]);
  };
  cdpEvents.push(listener);
  try {
    await sendTo(path, 'Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    await sleep(200);
  } finally {
    cdpEvents.splice(cdpEvents.indexOf(listener), 1);
  }
  return [...found.values()];
}

/**
 * The memory of each of the extension's contexts (offscreen document, its engine and router
 * workers, the service worker, the relay iframes), MB by context name: `js` the V8 heap in use,
 * `buffers` the ArrayBuffer backing stores (wasm memories among them) where Chromium reports them.
 * One entry per V8 isolate, named after all its contexts ("offscreen+relay": the extension pages of
 * one process share its main thread). Contexts CDP cannot reach are left out.
 */
async function contextMemory() {
  const out = {};
  const isolates = new Map(); // V8 isolate id → the name it was counted under
  const add = async (name, path) => {
    const r = await sendTo(path, 'Runtime.getHeapUsage');
    if (!r || !Number.isFinite(r.usedSize)) return;
    // Extension pages in one process share its main thread's V8 isolate (the offscreen document,
    // the relay iframes, an open options page): counted once, under all their names.
    const iso = (await sendTo(path, 'Runtime.getIsolateId'))?.id ?? path.join('/');
    const prev = isolates.get(iso);
    if (prev !== undefined) {
      const merged = [...new Set([...prev.split('+'), name])].sort().join('+');
      if (merged !== prev) {
        out[merged] = out[prev];
        delete out[prev];
        isolates.set(iso, merged);
      }
      return;
    }
    isolates.set(iso, name);
    const c = (out[name] ??= { js: 0, buffers: null, count: 0 });
    c.js = round(c.js + r.usedSize / 2 ** 20, 1);
    if (Number.isFinite(r.backingStorageSize)) c.buffers = round((c.buffers ?? 0) + r.backingStorageSize / 2 ** 20, 1);
    c.count += 1;
  };
  let targetInfos = [];
  try {
    ({ targetInfos } = await browserCdp.send('Target.getTargets'));
  } catch {
    return out;
  }
  // Dedicated workers are reached through their document (listed here too once attached, but they do not answer this way).
  for (const t of targetInfos.filter((x) => x.type !== 'worker' && x.url.startsWith(`chrome-extension://${extensionId}/`))) {
    let sessionId = null;
    try {
      ({ sessionId } = await browserCdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false }));
      await add(contextName(t.url), [sessionId]);
      if (contextName(t.url) !== 'offscreen') continue;
      for (const worker of await workersOf([sessionId])) {
        const href = await sendTo(worker, 'Runtime.evaluate', { expression: 'location.href', returnByValue: true });
        await add(href?.result?.value ? contextName(href.result.value) : 'worker', worker);
      }
    } catch {
      // a context that went away or refuses to be attached
    } finally {
      if (sessionId) await browserCdp.send('Target.detachFromTarget', { sessionId }).catch(() => {});
    }
  }
  return out;
}

/**
 * Memory of the extension's process at one moment; with `contexts`, each extension context's heap
 * too (attaching to every context costs a little: the first and last sample of a run, every soak sample).
 */
async function memorySample(t0, contexts = false) {
  const s = await sampleProcesses(browserCdp);
  const ext = categoryMemory(s, 'extension');
  const page = categoryMemory(s, 'page');
  contexts = contexts ? await contextMemory() : {};
  return { sample: s, point: { min: (s.wall - t0) / 60_000, extPss: ext.pss, extRss: ext.rss, pagePss: page.pss, offscreenHeap: contexts.offscreen?.js ?? null, contexts } };
}

function memoryGrowth(points) {
  const first = points[0];
  const last = points[points.length - 1];
  const minutes = last && first ? last.min - first.min : 0;
  const k = (key) => ({
    firstMB: round(first?.[key]),
    lastMB: round(last?.[key]),
    slopeMBPerMin: round(slope(points.map((p) => ({ x: p.min, y: p[key] }))), 2),
    firstToLastMBPerMin: minutes > 0 && first?.[key] != null && last?.[key] != null ? round((last[key] - first[key]) / minutes, 2) : null,
  });
  // Each context's JS heap and buffers, first → last sample it was seen in.
  const contexts = {};
  for (const name of new Set(points.flatMap((p) => Object.keys(p.contexts ?? {})))) {
    const seen = points.filter((p) => p.contexts?.[name]);
    const at = (p) => p.contexts[name];
    contexts[name] = { jsMB: [at(seen[0]).js, at(seen[seen.length - 1]).js], buffersMB: [at(seen[0]).buffers, at(seen[seen.length - 1]).buffers], count: at(seen[seen.length - 1]).count };
  }
  // The page's main thread per interval (none for the first sample): first and last minute's mean, slope.
  const timed = points.filter((p) => Number.isFinite(p.pageMsPerS));
  const meanOver = (ps) => (ps.length ? round(mean(ps.map((p) => p.pageMsPerS)), 1) : null);
  const pageMainThread = timed.length
    ? {
        firstMinuteMsPerS: meanOver(timed.filter((p) => p.min <= timed[0].min + 1)),
        lastMinuteMsPerS: meanOver(timed.filter((p) => p.min >= timed[timed.length - 1].min - 1)),
        slopeMsPerSPerMin: round(slope(timed.map((p) => ({ x: p.min, y: p.pageMsPerS }))), 2),
      }
    : null;
  return { samples: points.length, minutes: round(minutes, 2), extensionPss: k('extPss'), extensionRss: k('extRss'), offscreenJsHeap: k('offscreenHeap'), pageJsHeap: k('pageHeap'), pageMainThread, contexts };
}

/** The text AffectLens' overlay shows on the page (closed shadow root, read through CDP like DevTools). */
async function overlayText(cdp) {
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const texts = [];
    const walk = (node, inside) => {
      const here = inside || node.localName === 'affectlens-overlay';
      if (here && node.nodeType === 3 && node.nodeValue.trim()) texts.push(node.nodeValue.trim());
      for (const c of [...(node.children ?? []), ...(node.shadowRoots ?? [])]) walk(c, here);
    };
    walk(root, false);
    return [...new Set(texts)].join(' | ').slice(0, 300);
  } catch {
    return '';
  }
}

/** Waits until every tile of the run has at least one logged result. */
async function waitForAllTiles(tag, n, cdp, timeoutMs = 120_000) {
  const start = Date.now();
  for (;;) {
    const rows = await loggedResults(tag);
    const seen = new Set(rows.map((r) => r.tileId)).size;
    if (seen >= n) return Date.now() - start;
    if (Date.now() - start > timeoutMs) {
      throw new Error(
        `bench: AffectLens analysed ${seen}/${n} tiles after ${timeoutMs / 1000} s; the overlay says: "${await overlayText(cdp)}" ` +
          '(engine not ready? model missing? run "npm run models" and rebuild)',
      );
    }
    await sleep(500);
  }
}

function affectLensStats(rows, tileCount, seconds) {
  const perTile = new Map();
  for (const r of rows) perTile.set(r.tileId, (perTile.get(r.tileId) ?? 0) + 1);
  const tileFps = [...perTile.values()].map((c) => c / seconds);
  while (tileFps.length < tileCount) tileFps.push(0); // a tile with no analysed frame counts as 0
  // Stage costs from frames analysed from a picture; an unchanged picture is answered from the last
  // analysis (no decode, no model) and would hide the cost of the real work.
  const pictures = rows.filter((r) => !r.reused);
  const withStages = pictures.filter((r) => r.stages);
  const st = (f) => summary(withStages.map(f));
  return {
    frames: rows.length,
    fps: round(rows.length / seconds, 2),
    framesFromPicture: pictures.length,
    fpsFromPicture: round(pictures.length / seconds, 2),
    // Still tiles' frames the host repeated by itself, the page sending nothing (utils/hold.ts).
    framesHeld: rows.filter((r) => r.held).length,
    // Pictures of only the part of the frame around the tile's faces (utils/raw-frame.ts `partAround`).
    framesCropped: rows.filter((r) => r.cropped).length,
    // Light pictures: BlazeFace alone, the action units carried from the tile's last landmarked picture (utils/engine.ts LIGHT_PER_LANDMARKED).
    framesLight: rows.filter((r) => r.light).length,
    fpsPerTile: { min: round(Math.min(...tileFps), 2), mean: round(mean(tileFps), 2), max: round(Math.max(...tileFps), 2) },
    facesFoundShare: round(rows.filter((r) => r.faces > 0).length / Math.max(1, rows.length), 3),
    affectBackends: [...new Set(rows.map((r) => r.affectBackend).filter(Boolean))],
    // Which transport carried the frames that had a picture (share of them).
    viaShare: Object.fromEntries([...new Set(pictures.map((r) => r.via))].map((v) => [v, round(pictures.filter((r) => r.via === v).length / Math.max(1, pictures.length), 3)])),
    // Frames the page sent: a still tile's repeat made by the host (held) has no trip, its "latency"
    // is the engine's own fraction of a millisecond, and would flatter the figure.
    latency: summary(rows.filter((r) => !r.held).map((r) => r.latency)),
    // The frames analysed from a picture alone (an "unchanged" one waits at most for the picture the engine is on).
    latencyFromPicture: summary(pictures.map((r) => r.latency)),
    // How busy the engine thread was (share of the last 2 s, sent with each reply; utils/scheduler.ts BusyWindow).
    engineLoad: summary(rows.map((r) => r.stages?.load).filter((v) => Number.isFinite(v)), 2),
    stages: {
      // The page's check (and copy) of the frames it sent: a repeat the host made by itself has none.
      grab: summary(rows.filter((r) => !r.held).map((r) => r.pageMs), 2),
      transfer: st((r) => r.latency - r.stages.total),
      // The total minus the engine's own stages (utils/scheduler.ts engineWorkMs).
      queue: st((r) => r.stages.total - (r.stages.cut ?? 0) - r.stages.decode - (r.stages.detection ?? 0) - r.stages.landmarks - (r.stages.affect ?? 0) - (r.stages.smoothing ?? 0)),
      decode: st((r) => r.stages.decode),
      // BlazeFace alone, on the pictures the engine tried light (utils/engine.ts); the landmarker on
      // the pictures it ran on (its own detection inside). A light picture costs decode + detection + affect.
      detection: withStages.some((r) => Number.isFinite(r.stages.detection)) ? summary(withStages.map((r) => r.stages.detection).filter((v) => Number.isFinite(v))) : null,
      landmarks: withStages.some((r) => r.stages.landmarks > 0) ? summary(withStages.map((r) => r.stages.landmarks).filter((v) => v > 0)) : null,
      // The engine's work for one picture, light or landmarked (utils/scheduler.ts engineWorkMs).
      picture: st((r) => (r.stages.cut ?? 0) + r.stages.decode + (r.stages.detection ?? 0) + r.stages.landmarks + (r.stages.affect ?? 0) + (r.stages.smoothing ?? 0)),
      affectModel: withStages.some((r) => Number.isFinite(r.stages.affect)) ? st((r) => r.stages.affect) : null,
      smoothing: withStages.some((r) => Number.isFinite(r.stages.smoothing)) ? st((r) => r.stages.smoothing) : null,
      // The page's last overlay draw before each frame (every frame answered carries one; a draw serves several).
      overlayRender: rows.some((r) => Number.isFinite(r.drawMs)) ? summary(rows.map((r) => r.drawMs).filter((v) => Number.isFinite(v)), 2) : null,
    },
  };
}

/** Flat ms-per-stage (p50) for the top-level JSON. */
function flatStages(stages) {
  const out = {};
  for (const [k, v] of Object.entries(stages)) out[k] = v ? v.p50 : null;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Runs

async function runAffectLens(n, seconds, { sampleEveryMs = 1000, tag = `n${n}` } = {}) {
  const tiles = tilesFor(n, tag);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(`${server.url}/pages/call.html?${callQuery(tiles)}`);
  const firstResultsMs = await waitForAllTiles(tag, n, cdp);
  log(`  AffectLens ${n} tile(s): every tile analysed after ${(firstResultsMs / 1000).toFixed(1)} s; warm-up ${opts.warmup} s, then ${seconds} s`);
  await sleep(opts.warmup * 1000);

  // The relay iframe (Chrome) draws the overlay over the page: its main thread's time too (the
  // extension renderer's, which the offscreen document shares), so what moved off the page shows
  // where it went.
  const relayFrame = page.frames().find((f) => /^chrome-extension:\/\/[^/]+\/relay\.html/.test(f.url()));
  const relayCdp = relayFrame ? await context.newCDPSession(relayFrame).catch(() => null) : null;
  await relayCdp?.send('Performance.enable');
  const relay0 = relayCdp ? await mainThread(relayCdp) : null;
  const messages0 = await pageMessages();
  const t0 = Date.now();
  const m0 = await mainThread(cdp);
  const first = await memorySample(t0, true);
  let previous = m0;
  first.point.pageHeap = m0.heapMB;
  const points = [first.point];
  let lastSample = first.sample;
  const seen = new Map(); // soak: the log is a bounded ring, so collect it as we go
  const collect = async () => {
    for (const r of await loggedResults(tag)) seen.set(`${r.tileId}@${r.at}`, r);
  };
  while (Date.now() - t0 < seconds * 1000) {
    await sleep(Math.min(sampleEveryMs, Math.max(0, t0 + seconds * 1000 - Date.now())));
    const s = await memorySample(t0, sampleEveryMs >= 10_000);
    // The meeting page over the same interval: its main thread's time and its JS heap (the page's
    // and the content script's worlds share one heap), so a cost or a leak that grows with the call shows.
    // (A last interval cut short by the run's end is too short to tell.)
    const m = await mainThread(cdp);
    if (m.wall - previous.wall >= sampleEveryMs / 2) {
      s.point.pageMsPerS = perSecond(previous, m).taskMsPerS;
      previous = m;
    }
    s.point.pageHeap = m.heapMB;
    points.push(s.point);
    lastSample = s.sample;
    if (sampleEveryMs >= 10_000) {
      await collect();
      const fpsSoFar = [...seen.values()].filter((r) => r.at >= t0).length / ((Date.now() - t0) / 1000);
      const ctx = Object.entries(s.point.contexts).map(([name, c]) => `${name} ${c.js}${c.buffers === null ? '' : `+${c.buffers}`}`).join(', ');
      log(`    ${((Date.now() - t0) / 60_000).toFixed(1)} min: extension PSS ${round(s.point.extPss)} MB, ${fpsSoFar.toFixed(1)} frames/s; page main thread ${s.point.pageMsPerS} ms/s, heap ${round(s.point.pageHeap)} MB; heap(+buffers) MB: ${ctx}`);
    }
  }
  const t1 = Date.now();
  const m1 = await mainThread(cdp);
  const relay1 = relayCdp ? await mainThread(relayCdp).catch(() => null) : null;
  const messages1 = await pageMessages();
  if (sampleEveryMs < 10_000) points.push((await memorySample(t0, true)).point); // each context's heap at the end
  // After the measured window (tracing has a cost): where the page's main thread goes.
  let trace = null;
  if (opts.trace) {
    try {
      trace = await traceMainThread(context.browser(), page, '/pages/call.html', Math.min(3, seconds));
    } catch (err) {
      log(`  trace failed: ${err instanceof Error ? err.message : err}`);
    }
  }
  let profile = null;
  if (opts.profile > 0) {
    try {
      profile = await profileMainThread(cdp, opts.profile);
    } catch (err) {
      log(`  profile failed: ${err instanceof Error ? err.message : err}`);
    }
  }
  await sleep(opts.trace ? 1200 : 2200); // the background flushes its log once a second
  await collect();
  const rows = [...seen.values()].filter((r) => r.at >= t0 && r.at < t1);
  const wall = (t1 - t0) / 1000;
  await page.close();

  const stats = affectLensStats(rows, n, wall);
  const cpu = cpuBetween(first.sample, lastSample);
  return {
    ...stats,
    seconds: round(wall, 2),
    firstResultsMs,
    mainThread: {
      pageMsPerS: round(sum(rows.map((r) => r.pageMs)) / wall, 2),
      cdp: perSecond(m0, m1),
      // The relay iframe's main thread over the same window (it renders the overlay), null without one.
      relay: relay0 && relay1 ? perSecond(relay0, relay1) : null,
      // What the page sent (and was pushed) per second: each message to the relay's process costs it ~1 ms.
      messagesPerS: messages0 && messages1 ? Object.fromEntries(Object.keys(messages1).map((k) => [k, round((messages1[k] - (messages0[k] ?? 0)) / wall, 2)])) : null,
      trace,
      ...(profile ? { profile } : {}),
    },
    cpuPercentOfOneCore: { extension: round(cpu.extension), page: round(cpu.page), gpu: round(cpu.gpu), browser: round(cpu.browser), utility: round(cpu.utility) },
    memory: memoryGrowth(points),
  };
}

/** The same call page without AffectLens (host the content script does not match): the page's own main-thread cost. */
async function runControl(n, seconds) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(`${unmatchedUrl}/pages/call.html?${callQuery(tilesFor(n, `c${n}`))}`);
  await page.waitForFunction(() => [...window.document.querySelectorAll('video')].every((v) => v.readyState >= 2 && !v.paused), undefined, { timeout: 30_000 });
  await sleep(1000);
  const m0 = await mainThread(cdp);
  await sleep(seconds * 1000);
  const m1 = await mainThread(cdp);
  await page.close();
  return perSecond(m0, m1);
}

async function runFaceApi(n, seconds) {
  const tiles = tilesFor(n, `f${n}`);
  const page = await context.newPage();
  const q = new URLSearchParams({ baseline: 'faceapi', backend: opts.faceapiBackend, input: String(opts.faceapiInput), score: String(opts.faceapiScore) });
  await page.goto(`${unmatchedUrl}/pages/call.html?${q}&${callQuery(tiles)}`);
  await page.waitForFunction(() => window.faceapiBench && window.faceapiBench.phase !== 'loading', undefined, { timeout: 180_000, polling: 250 });
  const state = await page.evaluate(() => ({ phase: window.faceapiBench.phase, error: window.faceapiBench.error, backend: window.faceapiBench.backend, loadMs: window.faceapiBench.loadMs }));
  if (state.phase !== 'running') {
    await page.close();
    throw new Error(`face-api.js baseline failed: ${state.error}`);
  }
  log(`  face-api.js ${n} tile(s) on tfjs ${state.backend}: ready after ${state.loadMs} ms; ${seconds} s`);
  await sleep(Math.min(2, opts.warmup) * 1000);
  const p0 = await sampleProcesses(browserCdp);
  const t0 = Date.now();
  await sleep(seconds * 1000);
  const inWindow = (to) => page.evaluate(({ from, to }) => window.faceapiBench.records.filter((r) => r[1] >= from && r[1] < to), { from: t0, to });
  let t1 = Date.now();
  let records = await inWindow(t1);
  let extended = false;
  // No frame at all in a short window (a stalled video, a machine busy with something else):
  // measure on until one arrives (up to 15 s more) rather than report an empty baseline.
  while (!records.length && Date.now() - t1 < 15_000) {
    extended = true;
    await sleep(500);
    records = await inWindow(Date.now());
  }
  if (extended) t1 = Date.now();
  const p1 = await sampleProcesses(browserCdp);
  const pageState = await page.evaluate(() => ({
    recordsTotal: window.faceapiBench.records.length,
    videos: [...window.document.querySelectorAll('video')].map((v) => ({ t: Math.round(v.currentTime * 100) / 100, paused: v.paused, readyState: v.readyState })),
  }));
  if (extended) log(`  face-api.js: no frame in the ${seconds} s window; measured on to ${((t1 - t0) / 1000).toFixed(1)} s (${records.length} frames). Page state: ${JSON.stringify(pageState)}`);
  await page.close();
  const wall = (t1 - t0) / 1000;
  const perTile = Array.from({ length: n }, (_, i) => records.filter((r) => r[0] === i).length / wall);
  const cpu = cpuBetween(p0, p1);
  return {
    backend: state.backend,
    inputSize: opts.faceapiInput,
    scoreThreshold: opts.faceapiScore,
    loadMs: state.loadMs,
    seconds: round(wall, 2),
    frames: records.length,
    fps: round(records.length / wall, 2),
    fpsPerTile: { min: round(Math.min(...perTile), 2), mean: round(mean(perTile), 2), max: round(Math.max(...perTile), 2) },
    facesFoundShare: round(records.filter((r) => r[3] > 0).length / Math.max(1, records.length), 3),
    latency: summary(records.map((r) => r[2])),
    cpuPercentOfOneCore: { page: round(cpu.page), gpu: round(cpu.gpu), extension: round(cpu.extension) },
    ...(extended ? { windowExtended: true, pageState } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Main

const report = {
  tool: 'affectlens-bench',
  date: new Date().toISOString(),
  machine: { loadAvgAtStart: loadavg().map((v) => round(v, 2)), cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, memoryGB: round(totalmem() / 2 ** 30, 1), node: process.version, platform: process.platform },
  browser: { name: 'chromium', version: browserVersion, headless: true, executable: CHROMIUM },
  options: {
    tiles: opts.soak ? [4] : opts.tiles,
    seconds: opts.seconds,
    warmupSeconds: opts.warmup,
    backend: opts.backend,
    frameBudget: { fpsPerTile: opts.fpsPerTile ?? 8, cpuPercent: opts.cpuPercent ?? 50 },
    faceapiBackend: opts.faceapiBackend,
    faceapiInputSize: opts.faceapiInput,
    faceapiScoreThreshold: opts.faceapiScore,
    soakMinutes: opts.soak,
    extension: opts.extension ?? '.output/chrome-mv3',
    tileVideo: opts.tileVideo,
  },
  notes: [
    'latency: capture (content script) to result ready in the offscreen document, over the frames the page sent (a still tile\'s repeats made by the host, framesHeld, have no trip and are left out); the reply to the page and the overlay draw are not in it yet.',
    'stages (ms): grab = content-script main-thread time per frame (pageMs); transfer = latency - engine total (Chrome: the copied frame through the relay iframe and its direct channel to the offscreen document; where that channel is missing, a JPEG encode + message); queue = waiting for the engine; decode = turning the transferred frame into a bitmap (RGBA conversion, or a JPEG decode on the fallback path); viaShare = which transport carried the frames (channel / relay / direct); detection = BlazeFace alone, on the pictures tried light (framesLight of them were: the action units carried from the tile\'s last landmarked picture; utils/engine.ts LIGHT_PER_LANDMARKED); landmarks = the face landmarker on the pictures it ran on (its own detection inside); picture = the engine\'s work for one picture, light or landmarked; affectModel = stages.affect (cropping the faces and the affect model, one batch); smoothing = stages.smoothing (after the models: action units from the blendshapes, face tracks, the smoothing windows, compound expression and engagement); overlayRender = the page main thread\'s time for one draw of the overlay (the content script\'s layout reads and writes; the browser\'s own style, layout and paint after it are in mainThread.cdp.layoutStyleMsPerS), as sent with each frame (the draw before it).',
    '--backend ID sets chrome.storage.local affectBackend (the options page\'s choice) before the runs; affectBackends lists the backends seen in the logged faces.',
    'mainThread: pageMsPerS = sum of pageMs per wall second; cdp = the page main thread (Performance.getMetrics) with AffectLens; control = the same page without AffectLens; contentScriptMsPerS = cdp - control task time (contentScriptPercentOfWall: per 1000 ms of wall); contentScriptCpuPercentOfWall = the same from the main thread CPU time (ThreadTime: without the time its tasks waited for a core); relay = the same for the main thread of the extension renderer that holds the relay iframe (Chrome; it draws the overlay over the page; the offscreen document runs on that thread too); messagesPerS = what the content script sent per second (pictures, unchanged, holds, releases; pictureBytes) and the pushes it received from the host.',
    'cpuPercentOfOneCore: CDP SystemInfo.getProcessInfo CPU time per wall second (100 = one core); "extension" is the extension renderer process (service worker + offscreen document).',
    'memory.pageJsHeap / memory.pageMainThread: the meeting page\'s JS heap in use (its own and the content script\'s worlds share it) and its main thread\'s time per wall second between samples (CDP Performance.getMetrics), first → last and slope: a cost or a leak that grows with the call.',
    'memory: PSS/RSS of the extension process from /proc; per extension context (offscreen document, workers, service worker, relay iframes) the V8 heap in use and ArrayBuffer backing stores from CDP Runtime.getHeapUsage when reachable (offscreenJsHeap: the offscreen document\'s).',
    'mainThread.trace: a 3 s Chromium trace of the page renderer main thread right after the measured window, self time per event (ms per wall second); script events are labelled with their origin (chrome-extension:// = the content script).',
    'mainThread.profile (--profile SECONDS): a CDP CPU profile of the page renderer main thread after the trace, self time per function (ms per wall second; "extension" = the content script); "(program)" is native work outside any script (message receipt, style, layout, paint).',
    'face-api.js: TinyFaceDetector (input 224 by default: at 320 it misses the face on the top-left tile in most frames) + FaceExpressionNet on the page main thread, one run per new video frame per tile, round-robin, back to back; latency = one detect+expressions call.',
    'AffectLens samples each tile at most the frame budget\'s frames/s per tile (options.frameBudget; default 8, CAPTURE.fpsPerTile; --fps-per-tile and --cpu-percent set what the options page would), so with few tiles its fps is capped by design; face-api.js is not capped.',
    'fps counts every frame AffectLens answered; a frame whose face region did not change is answered from the tile\'s last analysis without decoding or running a model (utils/scheduler.ts; in Chrome the host repeats a still tile by itself, framesHeld, utils/hold.ts) — three of the four grid tiles are still photos, so fpsFromPicture (frames analysed from a picture) is the fairer comparison with face-api.js, which analyses every frame.',
  ],
  runs: [],
};

try {
  if (opts.soak) {
    log(`soak: 4 tiles for ${opts.soak} min, memory every 10 s`);
    const al = await runAffectLens(4, opts.soak * 60, { sampleEveryMs: 10_000, tag: 'soak' });
    report.soak = { minutes: opts.soak, tiles: 4, affectlens: al };
    report.runs.push({ tiles: 4, affectlens: al, faceapi: null, ratio: null, latencyRatio: null });
  } else {
    for (const n of opts.tiles) {
      log(`— ${n} tile(s)`);
      const al = await runAffectLens(n, opts.seconds);
      const control = await runControl(n, Math.min(5, opts.seconds));
      al.mainThread.control = control;
      al.mainThread.contentScriptMsPerS = round(al.mainThread.cdp.taskMsPerS - control.taskMsPerS, 1);
      al.mainThread.contentScriptPercentOfWall = round((al.mainThread.cdp.taskMsPerS - control.taskMsPerS) / 10, 2);
      al.mainThread.contentScriptCpuPercentOfWall = round((al.mainThread.cdp.threadCpuMsPerS - control.threadCpuMsPerS) / 10, 2);
      let fa = null;
      let faceapiError = null;
      if (opts.baseline) {
        try {
          fa = await runFaceApi(n, opts.seconds);
        } catch (err) {
          faceapiError = err instanceof Error ? err.message : String(err);
          log(`  ${faceapiError}`);
        }
      }
      const run = {
        tiles: n,
        affectlens: al,
        faceapi: fa,
        ...(faceapiError ? { faceapiError } : {}),
        ratio: fa ? ratio(al.fps, fa.fps) : null,
        // The same, counting only frames analysed from a picture (see fpsFromPicture).
        ratioFromPicture: fa ? ratio(al.fpsFromPicture, fa.fps) : null,
        latencyRatio: fa ? { p50: ratio(al.latency.p50, fa.latency.p50), p95: ratio(al.latency.p95, fa.latency.p95) } : null,
      };
      report.runs.push(run);
      log(`  AffectLens ${al.fps} fps (${al.fpsFromPicture} from a picture; per tile min ${al.fpsPerTile.min}), latency p50 ${al.latency.p50} / p95 ${al.latency.p95} ms (pictures ${al.latencyFromPicture.p50} / ${al.latencyFromPicture.p95})` +
        (fa ? ` | face-api.js ${fa.fps} fps, ${fa.latency.p50} / ${fa.latency.p95} ms | ratio ${run.ratio}` : ''));
    }
  }
} finally {
  report.machine.loadAvgAtEnd = loadavg().map((v) => round(v, 2));
  await shutdown();
}

const main = report.runs.find((r) => r.tiles === 4) ?? report.runs[0];
Object.assign(report, {
  tiles: main?.tiles ?? null,
  fps: main?.affectlens.fps ?? null,
  fpsPerTile: main?.affectlens.fpsPerTile ?? null,
  latency: main ? { p50: main.affectlens.latency.p50, p95: main.affectlens.latency.p95 } : null,
  ratio: main?.ratio ?? null,
  fpsFromPicture: main?.affectlens.fpsFromPicture ?? null,
  ratioFromPicture: main?.ratioFromPicture ?? null,
  latencyRatio: main?.latencyRatio ?? null,
  stages: main ? flatStages(main.affectlens.stages) : null,
  faceapi: main?.faceapi ? { backend: main.faceapi.backend, fps: main.faceapi.fps, latency: { p50: main.faceapi.latency.p50, p95: main.faceapi.latency.p95 } } : null,
});
// Keep the headline fields first in the file.
const ordered = { tool: report.tool, date: report.date, tiles: report.tiles, fps: report.fps, fpsFromPicture: report.fpsFromPicture, fpsPerTile: report.fpsPerTile, latency: report.latency, ratio: report.ratio, ratioFromPicture: report.ratioFromPicture, latencyRatio: report.latencyRatio, stages: report.stages, faceapi: report.faceapi, ...report };

mkdirSync(opts.out, { recursive: true });
const stamp = report.date.replace(/[:.]/g, '-');
const md = toMarkdown(ordered);
writeFileSync(join(opts.out, `bench-${stamp}.json`), JSON.stringify(ordered, null, 2) + '\n');
writeFileSync(join(opts.out, `bench-${stamp}.md`), md);
writeFileSync(join(opts.out, 'latest.json'), JSON.stringify(ordered, null, 2) + '\n');
writeFileSync(join(opts.out, 'latest.md'), md);
log(`wrote ${join(opts.out, `bench-${stamp}.{json,md}`)}`);
if (opts.json) process.stdout.write(JSON.stringify(ordered) + '\n');
else process.stdout.write(md);
// Only this script's own children are left (none): exit promptly even if a handle lingers.
process.exit(0);
