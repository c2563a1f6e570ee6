#!/usr/bin/env node

// `npm run bench:firefox`: AffectLens in Debian's firefox-esr (under xvfb-run: MediaPipe needs WebGL),
// on the same local call page and tile videos as `npm run bench` in Chromium. Firefox has no offscreen
// document and cannot transfer ImageBitmaps to the background, so frames go as JPEG from the content
// script (utils/transport.ts DirectTransport) to the background page that hosts the models. This
// reports that transport's cost on the meeting page (ms per frame, ms per second), the analysed
// frame rate, capture-to-result latency and the cost per stage, from the extension's own frame log.
//
//   xvfb-run -a node scripts/bench-firefox.mjs [--tiles 1,4] [--seconds 15] [--warmup 3] [--json] [--out DIR]
//
// Writes bench-results/bench-firefox-<date>.{json,md}. Numbers are measured, never asserted.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from './lib/static-server.mjs';
import { benchTiles, callQuery } from './lib/bench-media.mjs';
import { round, summary } from './lib/bench-stats.mjs';
import { extensionPage, launchFirefox, loggedFrames } from './lib/firefox.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const opts = {
  tiles: opt('--tiles', '1,4').split(',').map(Number),
  seconds: Number(opt('--seconds', '15')),
  warmup: Number(opt('--warmup', '3')),
  json: argv.includes('--json'),
  out: resolve(opt('--out', join(ROOT, 'bench-results'))),
};
if (opts.tiles.some((n) => !Number.isInteger(n) || n < 1 || n > 16) || !(opts.seconds > 0)) {
  console.error('usage: xvfb-run -a node scripts/bench-firefox.mjs [--tiles 1,4] [--seconds 15] [--warmup 3] [--json] [--out DIR]');
  process.exit(2);
}
const log = (...a) => console.error('[bench:firefox]', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const buildDir = join(ROOT, '.output', 'firefox-mv3');
if (!existsSync(join(buildDir, 'manifest.json'))) {
  log('building the Firefox extension (npx wxt build -b firefox --mv3)…');
  execFileSync('npx', ['wxt', 'build', '-b', 'firefox', '--mv3'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
}
const tileSources = benchTiles(ROOT);
const server = await serveStatic({ '/pages/': join(ROOT, 'tests', 'pages'), '/media/': dirname(tileSources[0].file) });
const browser = await launchFirefox(buildDir, { localServer: server.url });
const version = await browser.version();
log(`${version}, ${cpus().length} CPUs`);

const runs = [];
try {
  const ext = await extensionPage(browser);
  for (const n of opts.tiles) {
    const tag = `ff${n}-${Date.now().toString(36)}`;
    const tiles = Array.from({ length: n }, (_, i) => {
      const src = tileSources[i % tileSources.length];
      return { src: `/media/${src.key}.webm`, name: `${tag} ${src.name} #${i + 1}` };
    });
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 1320 });
    await page.goto(`${server.url}/pages/call.html?${callQuery(tiles)}`);
    await page.bringToFront();
    const ofRun = async () => (await loggedFrames(ext)).filter((r) => typeof r.name === 'string' && r.name.startsWith(`${tag} `));
    const started = Date.now();
    for (;;) {
      const seen = new Set((await ofRun()).map((r) => r.tileId)).size;
      if (seen >= n) break;
      if (Date.now() - started > 120_000) throw new Error(`bench:firefox: ${seen}/${n} tiles analysed after 120 s (models missing? run "npm run models")`);
      await sleep(500);
    }
    log(`${n} tile(s): every tile analysed after ${((Date.now() - started) / 1000).toFixed(1)} s; warm-up ${opts.warmup} s, then ${opts.seconds} s`);
    await sleep(opts.warmup * 1000);
    const t0 = Date.now();
    await sleep(opts.seconds * 1000);
    const t1 = Date.now();
    await sleep(1500); // the background stores its results once a second
    const rows = (await ofRun()).filter((r) => r.at >= t0 && r.at < t1);
    const pictures = rows.filter((r) => !r.reused);
    const perTile = tiles.map((_, i) => rows.filter((r) => r.name.endsWith(` #${i + 1}`)).length / opts.seconds);
    const vias = Object.fromEntries([...new Set(rows.map((r) => r.via))].map((v) => [v, rows.filter((r) => r.via === v).length]));
    const run = {
      tiles: n,
      frames: rows.length,
      fps: round(rows.length / opts.seconds, 2),
      fpsFromPicture: round(pictures.length / opts.seconds, 2),
      framesLight: pictures.filter((r) => r.light).length,
      fpsPerTileMin: round(Math.min(...perTile), 2),
      latencyMs: summary(rows.map((r) => r.latency)),
      // The frame transport's cost on the meeting page's main thread: grab + JPEG encode + send.
      transportPageMsPerFrame: summary(pictures.map((r) => r.pageMs), 2),
      transportPageMsPerSecond: round(pictures.reduce((s, r) => s + r.pageMs, 0) / opts.seconds, 1),
      via: vias,
      stagesMs: {
        decode: summary(pictures.map((r) => r.stages?.decode)),
        // BlazeFace on the light pictures, the landmarker on the others (utils/engine.ts LIGHT_PER_LANDMARKED).
        detection: summary(pictures.map((r) => r.stages?.detection).filter((v) => v !== undefined)),
        landmarks: summary(pictures.map((r) => r.stages?.landmarks).filter((v) => v > 0)),
        affect: summary(pictures.map((r) => r.stages?.affect)),
        smoothing: summary(pictures.map((r) => r.stages?.smoothing)),
        total: summary(pictures.map((r) => r.stages?.total)),
      },
      facesFoundShare: round(rows.filter((r) => r.faces.length > 0).length / Math.max(1, rows.length), 3),
    };
    runs.push(run);
    log(
      `${n} tile(s): ${run.fps} fps (${run.fpsFromPicture} from a picture), latency p50 ${run.latencyMs.p50} / p95 ${run.latencyMs.p95} ms, ` +
        `transport on the page ${run.transportPageMsPerFrame.p50} ms/frame (p95 ${run.transportPageMsPerFrame.p95}), ${run.transportPageMsPerSecond} ms/s, via ${JSON.stringify(vias)}`,
    );
    await page.close();
  }
  await ext.close();
} finally {
  await browser.close();
  await server.close();
}

const result = { kind: 'affectlens-bench-firefox', date: new Date().toISOString(), browser: version, cpus: cpus().length, seconds: opts.seconds, runs };
mkdirSync(opts.out, { recursive: true });
const base = join(opts.out, `bench-firefox-${result.date.replace(/[:.]/g, '-')}`);
writeFileSync(`${base}.json`, JSON.stringify(result, null, 2));
const md = [
  `# AffectLens in Firefox — ${result.date}`,
  '',
  `${version}, ${result.cpus} CPUs, ${opts.seconds} s per run. Transport: JPEG from the content script to the background page.`,
  '',
  '| tiles | fps (from a picture) | min fps/tile | latency p50 / p95 ms | transport on page ms/frame p50 / p95 | page ms/s | detection (light) p50 ms | landmarks p50 ms | affect p50 ms |',
  '|---|---|---|---|---|---|---|---|---|',
  ...runs.map((r) => `| ${r.tiles} | ${r.fps} (${r.fpsFromPicture}) | ${r.fpsPerTileMin} | ${r.latencyMs.p50} / ${r.latencyMs.p95} | ${r.transportPageMsPerFrame.p50} / ${r.transportPageMsPerFrame.p95} | ${r.transportPageMsPerSecond} | ${r.stagesMs.detection.p50} | ${r.stagesMs.landmarks.p50} | ${r.stagesMs.affect.p50} |`),
  '',
].join('\n');
writeFileSync(`${base}.md`, md);
log(`wrote ${base}.{json,md}`);
if (opts.json) console.log(JSON.stringify(result));
else console.log(md);
