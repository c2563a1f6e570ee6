// An engine thread of the inference host (utils/engine-worker.ts): the models, for the tiles the
// router gives it. Built by WXT as a classic script: MediaPipe loads its wasm glue with importScripts there.
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { runEngineWorker, type FromEngine, type ToEngine, type WorkerScope } from '@/utils/engine-worker';

export default defineUnlistedScript(() => runEngineWorker(self as unknown as WorkerScope<ToEngine, FromEngine>));
