/**
 * Hosts the inference engine in whichever context has a DOM: Chrome's offscreen document, or
 * Firefox's background page (no offscreen API there). Same module, no forked pipeline: the host
 * answers envelopes addressed to `offscreen` (read: "the inference host") in both browsers.
 */
import * as ort from 'onnxruntime-web';
import { assetUrl } from './assets';
import { Engine } from './engine';
import { listen } from './messaging';
import type { AffectBackendId } from '../models/affect/types';
import type { EngineStatus, FrameResult } from './types';
import type { SmoothingSettings } from './settings';
import type { CapturedTabs } from './tab-capture';
import type { FrameReply, FrameRequest } from './protocol';
import { CAPTURE } from './config';
import { rawToBitmap } from './raw-frame';
import type { HostReply, HostRequest } from './transport';

export type BackendChoice = AffectBackendId | 'auto';

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

export function startInferenceHost(callbacks: HostCallbacks): InferenceHost {
  // onnxruntime-web fetches its wasm binary at run time: point it at the copy shipped in the build.
  ort.env.wasm.wasmPaths = { wasm: assetUrl('/ort/ort-wasm-simd-threaded.wasm') };
  // The engine starts with the user's backend choice and is swapped for a fresh one when it changes.
  // Listeners are registered synchronously (a Firefox event page must, to be woken by messages).
  let engine: Engine | null = null;
  let windows: SmoothingSettings | null = null;
  const first = callbacks
    .backendChoice()
    .catch((): BackendChoice => 'auto')
    .then((choice) => {
      if (!engine) {
        engine = createEngine(callbacks, choice);
        if (windows) engine.setSmoothing(windows);
      }
      return engine;
    });
  const current = async () => engine ?? (await first);
  void callbacks
    .smoothing()
    .then((w) => {
      windows = w;
      engine?.setSmoothing(w);
    })
    .catch(() => undefined);
  const unwatchSmoothing = callbacks.watchSmoothing((w) => {
    windows = w;
    engine?.setSmoothing(w);
  });
  const unwatch = callbacks.watchBackendChoice((choice) => {
    engine?.dispose();
    engine = createEngine(callbacks, choice);
    if (windows) engine.setSmoothing(windows);
  });
  /** One frame of one tab's tile, whichever way it came; `picture`: its pixels, taken when its turn comes. */
  async function frame(request: FrameRequest, tabId: number | undefined, picture?: () => Promise<ImageBitmap | null>): Promise<FrameReply> {
    const eng = await current();
    if (request.region) {
      const region = request.region;
      const captures = callbacks.captures;
      if (tabId === undefined || !captures?.has(tabId)) return { ok: false, reason: 'no-capture', status: eng.getStatus() };
      // Cut when the engine takes the frame: the freshest picture, and none for a dropped frame.
      picture = () => captures.bitmap(tabId, region, CAPTURE.maxSide);
    }
    const reply = await eng.analyse(request, tabId, picture);
    if (reply.ok) callbacks.onResult(reply.result);
    return reply;
  }
  const ports = new Set<MessagePort>();
  const unlisten = listen('offscreen', {
    'cs-off-frame': (request, sender) => frame(request, sender.tabId),
    'any-off-status': async () => (await current()).getStatus(),
  });
  return {
    status: async () => (await current()).getStatus(),
    serve: (port) => {
      ports.add(port);
      // The relay's page was closed or reloaded: forget its channel.
      port.addEventListener('close', () => ports.delete(port));
      port.onmessage = (e: MessageEvent<HostRequest>) => {
        const { id, tabId, request, bitmap, raw } = e.data;
        const picture = bitmap ? () => Promise.resolve(bitmap) : raw ? () => rawToBitmap(raw, CAPTURE.maxSide) : undefined;
        void frame(request, tabId, picture)
          .catch((err: unknown): FrameReply => ({ ok: false, reason: 'error', message: err instanceof Error ? err.message : String(err), status: { state: 'loading', detail: 'restarting analysis' } }))
          .then((reply) => {
            if (!reply.ok) bitmap?.close(); // not taken by the engine (dropped, not ready)
            // The copied planes were read into a VideoFrame (a copy) if at all: their buffer goes
            // back to the page for its next frame.
            if (raw && raw.buffer.byteLength > 0) port.postMessage({ id, reply, buffer: raw.buffer } satisfies HostReply, [raw.buffer]);
            else port.postMessage({ id, reply } satisfies HostReply);
          });
      };
      port.postMessage({ ready: true } satisfies HostReply);
    },
    stop: () => {
      for (const port of ports) port.close();
      ports.clear();
      unwatch();
      unwatchSmoothing();
      unlisten();
      engine?.dispose();
    },
  };
}

function createEngine(callbacks: HostCallbacks, affectBackend: BackendChoice): Engine {
  const engine = new Engine(
    {
      wasmBase: assetUrl('/mediapipe/wasm'),
      modelUrl: assetUrl('/models/face_landmarker.task'),
      affectUrl: (file) => assetUrl(`/models/${file}`),
      affectBackend,
    },
    callbacks.onStatus,
  );
  void engine.init();
  return engine;
}
