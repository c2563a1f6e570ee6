/* global window, HTMLMediaElement, performance, setTimeout, URL */
// face-api.js baseline for scripts/bench.mjs, loaded by tests/pages/call.html for `?baseline=faceapi`.
// The same tiles as the extension sees (call.html builds them from ?src=…&name=…), analysed by
// face-api.js (@vladmandic/face-api: TinyFaceDetector + FaceExpressionNet) on the page's main
// thread, as meeting-emotion extensions built on it do. Everything is served locally (no CDN):
//   &backend=wasm|webgl|cpu   tfjs backend
//   &input=320 &score=0.5     TinyFaceDetector input size and score threshold
//   &lib=/faceapi/dist/face-api.esm.js &models=/faceapi/model/ &wasm=/tfwasm/
// State for the driver is on window.faceapiBench.
// One detection + expression per new video frame per tile, round-robin over the tiles, back to back.
const params = new URLSearchParams(location.search);
const wanted = params.get('backend') || 'wasm';
const inputSize = Number(params.get('input') || 320);
const scoreThreshold = Number(params.get('score') || 0.5);
const libUrl = params.get('lib') || '/faceapi/dist/face-api.esm.js';
const modelUrl = params.get('models') || '/faceapi/model/';
const wasmUrl = params.get('wasm') || '/tfwasm/';

// The tiles are call.html's own (it loads this module for `?baseline=faceapi`).
const statusEl = document.querySelector('header');
const videos = [...document.querySelectorAll('#grid video')];

/** Shared with the driver: `records` holds [tileIndex, wall ms at start, ms, faces found, top expression]. */
const state = (window.faceapiBench = {
  phase: 'loading',
  backend: null,
  wanted,
  inputSize,
  scoreThreshold,
  tiles: videos.length,
  loadMs: null,
  error: null,
  records: [],
  warmupFrames: 0,
});

function setStatus(text) {
  statusEl.textContent = 'face-api.js baseline: ' + text;
}


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

  // A tile's new frame: the count of frames the video has presented (requestVideoFrameCallback);
  // its currentTime moves on between two frames, so comparing that analysed one frame several times
  // when face-api.js ran faster than the video (1 tile: 52.8 runs/s, ~2 per presented frame).
  const presented = videos.map(() => 0);
  const tracked = videos.map((v, i) => {
    if (typeof v.requestVideoFrameCallback !== 'function') return false;
    const onFrame = (_now, meta) => {
      presented[i] = meta.presentedFrames;
      v.requestVideoFrameCallback(onFrame);
    };
    v.requestVideoFrameCallback(onFrame);
    return true;
  });
  const frameOf = (i) => (tracked[i] ? presented[i] : videos[i].currentTime);
  const lastFrame = videos.map(() => -1);
  let next = 0;
  for (;;) {
    let picked = -1;
    for (let k = 0; k < videos.length; k++) {
      const i = (next + k) % videos.length;
      const v = videos[i];
      // One analysis per video frame: skip a tile whose frame has not changed since its last run.
      if (v.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && !v.paused && frameOf(i) !== lastFrame[i]) {
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
    lastFrame[picked] = frameOf(picked);
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
