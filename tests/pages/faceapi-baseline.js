/* global window, HTMLMediaElement, performance, setTimeout, URL */
// face-api.js baseline for scripts/bench.mjs (see faceapi-baseline.html for the query parameters).
// One detection + expression per new video frame per tile, round-robin over the tiles, back to back.
const params = new URLSearchParams(location.search);
const sources = params.getAll('src');
const names = params.getAll('name');
const wanted = params.get('backend') || 'wasm';
const inputSize = Number(params.get('input') || 320);
const scoreThreshold = Number(params.get('score') || 0.5);
const libUrl = params.get('lib') || '/faceapi/dist/face-api.esm.js';
const modelUrl = params.get('models') || '/faceapi/model/';
const wasmUrl = params.get('wasm') || '/tfwasm/';

const statusEl = document.getElementById('status');
const grid = document.getElementById('grid');
grid.style.setProperty('--cols', String(Math.max(1, Math.ceil(Math.sqrt(sources.length)))));

/** Shared with the driver: `records` holds [tileIndex, wall ms at start, ms, faces found, top expression]. */
const state = (window.faceapiBench = {
  phase: 'loading',
  backend: null,
  wanted,
  inputSize,
  scoreThreshold,
  tiles: sources.length,
  loadMs: null,
  error: null,
  records: [],
  warmupFrames: 0,
});

function setStatus(text) {
  statusEl.textContent = 'face-api.js baseline: ' + text;
}

const videos = sources.map((src, i) => {
  const fig = document.createElement('figure');
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  video.loop = true;
  video.title = names[i] || 'Participant ' + (i + 1);
  video.src = src;
  const cap = document.createElement('figcaption');
  cap.textContent = video.title;
  fig.append(video, cap);
  grid.append(fig);
  return video;
});

async function main() {
  const t0 = performance.now();
  const faceapi = await import(libUrl);
  const tf = faceapi.tf;
  if (wanted === 'wasm') tf.setWasmPaths(new URL(wasmUrl, location.href).href);
  const ok = await tf.setBackend(wanted);
  if (!ok) throw new Error(`tfjs backend ${wanted} failed to initialise`);
  await tf.ready();
  state.backend = tf.getBackend();
  setStatus(`loading models (${state.backend})…`);
  await faceapi.nets.tinyFaceDetector.loadFromUri(modelUrl);
  await faceapi.nets.faceExpressionNet.loadFromUri(modelUrl);
  const options = new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold });
  const analyse = (video) => faceapi.detectAllFaces(video, options).withFaceExpressions();

  // Wait for every video to have a frame.
  while (videos.some((v) => v.readyState < HTMLMediaElement.HAVE_CURRENT_DATA)) await sleep(50);
  // Warm-up: the first runs compile shaders / wasm kernels.
  setStatus(`warming up (${state.backend})…`);
  for (let i = 0; i < 3; i++) {
    for (const v of videos.slice(0, 2)) {
      await analyse(v);
      state.warmupFrames++;
    }
  }
  state.loadMs = Math.round(performance.now() - t0);
  state.phase = 'running';
  setStatus(`running on ${state.backend}, ${videos.length} tile(s), input ${inputSize}`);

  const lastTime = videos.map(() => -1);
  let next = 0;
  for (;;) {
    let picked = -1;
    for (let k = 0; k < videos.length; k++) {
      const i = (next + k) % videos.length;
      const v = videos[i];
      // One analysis per video frame: skip a tile whose frame has not changed since its last run.
      if (v.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && !v.paused && v.currentTime !== lastTime[i]) {
        picked = i;
        break;
      }
    }
    if (picked < 0) {
      await sleep(5);
      continue;
    }
    next = (picked + 1) % videos.length;
    const video = videos[picked];
    lastTime[picked] = video.currentTime;
    const at = Date.now();
    const start = performance.now();
    const faces = await analyse(video);
    const ms = performance.now() - start;
    let top = '';
    if (faces[0]) top = Object.entries(faces[0].expressions).sort((a, b) => b[1] - a[1])[0][0];
    state.records.push([picked, at, Math.round(ms * 100) / 100, faces.length, top]);
    // Yield to the page between frames, as an extension's content script would.
    await sleep(0);
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().catch((err) => {
  state.phase = 'error';
  state.error = String(err && err.stack ? err.stack : err);
  setStatus('error: ' + String(err));
});
