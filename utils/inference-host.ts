/**
 * Hosts the inference engine in whichever context has a DOM: Chrome's offscreen document, or
 * Firefox's background page (no offscreen API there). Same module, no forked pipeline: the host
 * answers envelopes addressed to `offscreen` (read: "the inference host") in both browsers.
 *
 * The engine itself runs in dedicated workers — engine threads and a router in front of them
 * (utils/engine-worker.ts, utils/engine-router.ts). This side starts them, gives them the extension
 * URLs and the user's settings, forwards frames that came by runtime messaging, hands the router the
 * relays' direct channels, cuts tab-capture regions for the engines, and passes results and status on.
 */
import { assetUrl } from './assets';
import { listen } from './messaging';
import type { EngineStatus, FrameResult } from './types';
import type { SmoothingSettings } from './settings';
import type { CapturedTabs } from './tab-capture';
import type { FrameReply } from './protocol';
import { CAPTURE, engineThreads } from './config';
import type { BackendChoice, EngineUrls, FromEngine, ToEngine } from './engine-worker';
import type { FromRouter, ToRouter } from './engine-router';

export type { BackendChoice } from './engine-worker';

export interface HostCallbacks {
  onResult(result: FrameResult): void;
  onStatus(status: EngineStatus): void;
  /** The user's affect-backend choice now (the offscreen document asks the background: it has no storage API). */
  backendChoice(): Promise<BackendChoice>;
  /** Follow changes of that choice; returns the unsubscribe function. */
  watchBackendChoice(cb: (choice: BackendChoice) => void): () => void;
  /** The user's smoothing windows now, and their changes (same pattern as the backend choice). */
  smoothing(): Promise<SmoothingSettings>;
  watchSmoothing(cb: (s: SmoothingSettings) => void): () => void;
  /**
   * The tab captures (Chrome's offscreen document only): a tile sent as an on-screen rectangle is
   * cut out of its tab's captured frame.
   */
  captures?: CapturedTabs;
}

export interface InferenceHost {
  /** Status of the running engine (replaced when the user picks another affect backend). */
  status(): Promise<EngineStatus>;
  /**
   * Answer frames on a direct channel from a relay iframe (Chrome; brokered by the service worker):
   * pixels arrive as a transferred ImageBitmap or a video frame's copied planes, not a JPEG.
   */
  serve(port: MessagePort): void;
  stop(): void;
}

/** The workers' scripts (entrypoints/engine-*.ts, built by WXT as classic scripts). */
const ENGINE_SCRIPT = '/engine-worker.js';
const ROUTER_SCRIPT = '/engine-router.js';

/**
 * One status for the user from the engines' (they load the same models): a failure if any failed,
 * else loading while any loads, else the first one's "ready".
 */
export function combinedStatus(statuses: readonly EngineStatus[]): EngineStatus {
  return (
    statuses.find((s) => s.state === 'error' || s.state === 'model-missing') ??
    statuses.find((s) => s.state !== 'ready') ??
    statuses[0] ?? { state: 'idle' }
  );
}

export function startInferenceHost(callbacks: HostCallbacks): InferenceHost {
  const urls: EngineUrls = {
    wasmBase: assetUrl('/mediapipe/wasm'),
    modelUrl: assetUrl('/models/face_landmarker.task'),
    modelsBase: assetUrl('/models'),
    ortWasm: assetUrl('/ort/ort-wasm-simd-threaded.wasm'),
  };
  const starting: EngineStatus = { state: 'loading', detail: 'starting the inference workers' };
  const router = new Worker(assetUrl(ROUTER_SCRIPT));
  const toRouter = (message: ToRouter, transfer: Transferable[] = []) => router.postMessage(message, transfer);
  const engines = Array.from({ length: engineThreads() }, () => new Worker(assetUrl(ENGINE_SCRIPT)));
  const toEngines = (message: ToEngine) => engines.forEach((w) => w.postMessage(message));
  const statuses: EngineStatus[] = engines.map(() => starting);
  /** The router failed: no frame gets through, whatever the engines say. */
  let routerFailure: EngineStatus | null = null;
  let status: EngineStatus = starting;
  const update = () => {
    const next = routerFailure ?? combinedStatus(statuses);
    if (next === status) return;
    status = next;
    callbacks.onStatus(next);
  };
  const setStatus = (i: number, s: EngineStatus) => {
    statuses[i] = s;
    update();
  };
  // A worker's script failed to load (a plain error event) or threw uncaught (with a message): say
  // so where the user looks.
  const workerError = (script: string, e: ErrorEvent): EngineStatus => ({
    state: 'error',
    message: e.message ? `inference worker ${script.slice(1)} stopped: ${e.message}` : `inference worker ${script.slice(1)} could not start; reinstall AffectLens`,
  });

  const links = engines.map((engine, i) => {
    const channel = new MessageChannel();
    engine.postMessage({ type: 'link', port: channel.port1 } satisfies ToEngine, [channel.port1]);
    engine.addEventListener('message', (e: MessageEvent<FromEngine>) => {
      const m = e.data;
      switch (m.type) {
        case 'status':
          setStatus(i, m.status);
          break;
        case 'result':
          callbacks.onResult(m.result);
          break;
        case 'cut': {
          const captures = callbacks.captures;
          const picture = captures?.has(m.tabId) ? captures.cut(m.tabId, m.region, CAPTURE.maxSide) : Promise.resolve(null);
          void picture
            .catch(() => null)
            .then((p) => engine.postMessage({ type: 'picture', id: m.id, bitmap: p?.bitmap ?? null, ...(p ? { takenAt: p.takenAt } : {}) } satisfies ToEngine, p ? [p.bitmap] : []));
          break;
        }
      }
    });
    engine.addEventListener('error', (e) => setStatus(i, workerError(ENGINE_SCRIPT, e)));
    return channel.port2;
  });
  toRouter({ type: 'engines', ports: links }, links);
  router.addEventListener('error', (e) => {
    routerFailure = workerError(ROUTER_SCRIPT, e);
    update();
  });

  const replies = new Map<number, (reply: FrameReply) => void>();
  let nextId = 1;
  router.addEventListener('message', (e: MessageEvent<FromRouter>) => {
    replies.get(e.data.id)?.(e.data.reply);
    replies.delete(e.data.id);
  });

  // The engines start with the user's backend choice and are started afresh when it changes.
  // Listeners are registered synchronously (a Firefox event page must, to be woken by messages).
  let chosen = false;
  void callbacks
    .backendChoice()
    .catch((): BackendChoice => 'auto')
    .then((choice) => {
      if (!chosen) toEngines({ type: 'start', urls, choice });
      chosen = true;
    });
  void callbacks
    .smoothing()
    .then((windows) => toEngines({ type: 'smoothing', windows }))
    .catch(() => undefined);
  const unwatchSmoothing = callbacks.watchSmoothing((windows) => toEngines({ type: 'smoothing', windows }));
  const unwatch = callbacks.watchBackendChoice((choice) => {
    chosen = true;
    toEngines({ type: 'start', urls, choice });
  });

  const unlisten = listen('offscreen', {
    'cs-off-frame': (request, sender) =>
      new Promise<FrameReply>((resolve) => {
        const id = nextId++;
        replies.set(id, resolve);
        toRouter({ type: 'frame', id, tabId: sender.tabId, request });
      }),
    'any-off-status': () => Promise.resolve(status),
  });
  return {
    status: () => Promise.resolve(status),
    serve: (port) => toRouter({ type: 'serve', port }, [port]),
    stop: () => {
      unwatch();
      unwatchSmoothing();
      unlisten();
      toRouter({ type: 'stop' });
      toEngines({ type: 'stop' });
      for (const resolve of replies.values()) resolve({ ok: false, reason: 'dropped', status });
      replies.clear();
    },
  };
}
