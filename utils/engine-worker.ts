/**
 * The inference engine's own threads: dedicated workers started by the inference host
 * (utils/inference-host.ts) in the offscreen document (Chrome) or the background page (Firefox).
 *
 * Why workers: the offscreen document shares its renderer's main thread with every relay iframe
 * (all extension frames live in one process), so while the models ran there (~45 ms a frame) the
 * relays' frames waited in line, and the machine's second core stayed idle. Now the models run on
 * engine threads (one per core, at most two: utils/config.ts `engineThreads`), and a small router
 * thread (utils/engine-router.ts) takes the relays' direct channels and gives each tile's frames to
 * one engine — the same one every time, since a tile's face tracks and smoothing windows live there.
 * A frame's planes go from the meeting page's relay to the models without touching a main thread.
 *
 *   host (main thread) ──start / smoothing / link(port) / picture / stop──► engine
 *   engine ──status / result / cut──► host
 *   router ──EngineRequest──► engine (on the linked port) ──EngineReply──► router
 *   router ──hold / release──► engine ──push (a held tile's repeat)──► router   (utils/hold.ts)
 *
 * A frame cut from a tab capture is asked of the host when its turn comes (`cut` → `picture`): the
 * capture lives in the document, and the freshest picture is the one wanted.
 *
 * No extension APIs here (a worker has none): every URL comes in with `start`.
 */
import * as ort from 'onnxruntime-web';
import { Engine, type Picture } from './engine';
import { CAPTURE } from './config';
import { answerFrame, type FrameAnswer } from './pending';
import { rawToBitmap, type RawFrame } from './raw-frame';
import type { AffectBackendId } from '../models/affect/types';
import type { EngineStatus, FaceResult, FrameResult } from './types';
import { HoldTable, holdKey, repeatFrame } from './hold';
import { badgeKey } from '../components/badge';
import type { HoldMessage, TilePush } from './transport';
import type { FrameReply, FrameRequest } from './protocol';
import type { OverlayContents, SmoothingSettings } from './settings';
import type { ScreenRegion } from './tab-capture';

export type BackendChoice = AffectBackendId | 'auto';

/** Where the engine's files are (extension URLs, made by the host: the worker cannot). */
export interface EngineUrls {
  /** Folder of MediaPipe's `vision_wasm_internal.{js,wasm}`. */
  wasmBase: string;
  /** `face_landmarker.task`. */
  modelUrl: string;
  /** Folder of the installed weights (affect models), without the trailing slash. */
  modelsBase: string;
  /** onnxruntime-web's wasm binary. */
  ortWasm: string;
}

export type ToEngine =
  /** (Re)start the engine with this affect backend (the user picked another one: a fresh engine). */
  | { type: 'start'; urls: EngineUrls; choice: BackendChoice }
  | { type: 'smoothing'; windows: SmoothingSettings }
  /** The router's channel (transferred): frames come on it as EngineRequests. */
  | { type: 'link'; port: MessagePort }
  /** The answer to `cut`: the tab capture's region, or null when the tab has no capture. */
  | { type: 'picture'; id: number; bitmap: ImageBitmap | null; takenAt?: number }
  | { type: 'stop' };

export type FromEngine =
  | { type: 'status'; status: EngineStatus }
  /** An analysed frame, for the session log. */
  | { type: 'result'; result: FrameResult }
  /** Cut this region out of the tab's capture now, and answer with `picture`. */
  | { type: 'cut'; id: number; tabId: number; region: ScreenRegion };

/** A frame on the router's channel: pixels as a transferred bitmap or copied planes, or none (a JPEG data URL in the request, or "unchanged"). */
export type EngineRequest = { id: number; tabId: number | undefined; request: FrameRequest; bitmap?: ImageBitmap; raw?: RawFrame };
/** `buffer`: the copied planes' buffer, back to the relay for the next frame (utils/raw-frame.ts `fromWire`). */
export type EngineReply = FrameAnswer<FrameReply>;
/** Besides frames, the router's channel carries still tiles' holds (utils/hold.ts)… */
export type EngineMessage = HoldMessage;
/** …and brings back what a held tile's repeat changed on its overlay, for the router to pass to the tab's relay. */
export type EnginePush = { push: TilePush };

/** The part of a DedicatedWorkerGlobalScope used here (the project's TS lib is the DOM's). */
export interface WorkerScope<In, Out> {
  postMessage(message: Out, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<In>) => void): void;
  close(): void;
}

const NOT_STARTED: EngineStatus = { state: 'loading', detail: 'starting the inference worker' };

export function runEngineWorker(scope: WorkerScope<ToEngine, FromEngine>): void {
  let engine: Engine | null = null;
  let windows: SmoothingSettings | null = null;
  let markStarted: () => void = () => {};
  /** Frames that arrive before the first `start` wait for it (the host asks the background for the backend first). */
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const cuts = new Map<number, (picture: Picture | null) => void>();
  let nextCut = 1;
  let router: MessagePort | null = null;
  const post = (message: FromEngine, transfer: Transferable[] = []) => scope.postMessage(message, transfer);

  function start(urls: EngineUrls, choice: BackendChoice): void {
    engine?.dispose();
    // onnxruntime-web fetches its wasm binary at run time: point it at the copy shipped in the build.
    ort.env.wasm.wasmPaths = { wasm: urls.ortWasm };
    const next = new Engine(
      { wasmBase: urls.wasmBase, modelUrl: urls.modelUrl, detectorUrl: `${urls.modelsBase}/blaze_face_short_range.tflite`, affectUrl: (file) => `${urls.modelsBase}/${file}`, affectBackend: choice },
      // A replaced engine's last word ("idle" on dispose) must not overwrite its successor's.
      (status) => {
        if (engine === next) post({ type: 'status', status });
      },
    );
    engine = next;
    if (windows) next.setSmoothing(windows);
    post({ type: 'status', status: next.getStatus() });
    void next.init();
    markStarted();
  }

  /** Ask the host for a tab capture's region now. */
  function cut(tabId: number, region: ScreenRegion): Promise<Picture | null> {
    const id = nextCut++;
    return new Promise((resolve) => {
      cuts.set(id, resolve);
      post({ type: 'cut', id, tabId, region });
    });
  }

  /** One frame of one tab's tile, whichever way it came; `picture`: its pixels, taken when its turn comes. */
  async function frame(request: FrameRequest, tabId: number | undefined, picture?: () => Promise<Picture | null>): Promise<FrameReply> {
    await started;
    const eng = engine;
    if (!eng) return { ok: false, reason: 'engine-not-ready', status: NOT_STARTED };
    if (request.region) {
      if (tabId === undefined) return { ok: false, reason: 'no-capture', status: eng.getStatus() };
      const region = request.region;
      // Cut when the engine takes the frame: the freshest picture, and none for a dropped frame.
      picture = () => cut(tabId, region);
    }
    return eng.analyse(request, tabId, picture);
  }

  const failed = (err: unknown): FrameReply => ({
    ok: false,
    reason: 'error',
    message: err instanceof Error ? err.message : String(err),
    status: { state: 'loading', detail: 'restarting analysis' },
  });

  // Still tiles, repeated here (utils/hold.ts), and the last result each tile's page was given.
  const holds = new HoldTable();
  /** Each tile's last result its page was given, and its badge's key for the lines last asked about. */
  const shown = new Map<string, { faces: readonly FaceResult[]; lines?: OverlayContents; key?: string }>();
  let holdTimer: ReturnType<typeof setTimeout> | null = null;

  function remember(tabId: number | undefined, reply: FrameReply, badge?: { lines: OverlayContents; key: string }): void {
    if (!reply.ok) return;
    const key = holdKey(tabId, reply.result.tileId);
    shown.delete(key); // most recent last: the first is the one to forget
    shown.set(key, { faces: reply.result.faces, ...badge });
    if (shown.size > 512) shown.delete(shown.keys().next().value!);
  }

  /** The badge key of what the tile's page shows, for these lines (computed once per lines). */
  function shownKey(key: string, lines: OverlayContents): string | undefined {
    const before = shown.get(key);
    if (!before) return undefined;
    if (before.lines !== lines || before.key === undefined) Object.assign(before, { lines, key: badgeKey(before.faces, lines) });
    return before.key;
  }

  /** Repeat the held tiles that are due, and wake up again when the next one is. */
  function repeatHeld(port: MessagePort): void {
    if (holdTimer !== null) clearTimeout(holdTimer);
    holdTimer = null;
    const now = Date.now();
    for (const h of holds.due(now)) {
      const key = holdKey(h.tabId, h.tileId);
      void frame(repeatFrame(h, now), h.tabId)
        .catch(failed)
        .then((reply) => {
          if (reply.ok) post({ type: 'result', result: reply.result });
          // Released meanwhile (its picture changed): the page has moved on.
          if (!holds.has(key)) return;
          if (reply.ok) {
            const showing = badgeKey(reply.result.faces, h.lines);
            if (shownKey(key, h.lines) === showing) return;
            if (!holds.push(key, Date.now())) return; // pushed a moment ago: a later repeat brings the newest
            remember(h.tabId, reply, { lines: h.lines, key: showing });
          } else if (reply.reason === 'need-picture') {
            holds.release(key); // a new engine without this tile's last frame: the page sends its picture
          } else {
            return; // dropped behind a newer frame, or the engine restarting: the page learns it from its next picture
          }
          port.postMessage({ push: { tabId: h.tabId, tileId: h.tileId, reply } } satisfies EnginePush);
        });
    }
    const wait = holds.wait(Date.now());
    if (wait !== null) holdTimer = setTimeout(() => repeatHeld(port), wait);
  }

  function link(port: MessagePort): void {
    router?.close();
    router = port;
    port.onmessage = (e: MessageEvent<EngineRequest | EngineMessage>) => {
      const m = e.data;
      if ('holds' in m) {
        const now = Date.now();
        for (const h of m.holds) holds.hold(h, now);
        repeatHeld(port);
        return;
      }
      if ('release' in m) {
        holds.release(holdKey(m.release.tabId, m.release.tileId));
        return;
      }
      const { id, tabId, request, bitmap, raw } = m;
      // Any other frame of a held tile ends its hold: its picture changed, or the keep-alive came.
      // (A repeat made while it travelled is stamped later: the engine puts the frame after it.)
      holds.release(holdKey(tabId, request.tileId));
      const picture = bitmap ? () => Promise.resolve({ bitmap }) : raw ? () => rawToBitmap(raw, CAPTURE.maxSide).then((b) => ({ bitmap: b })) : undefined;
      void frame(request, tabId, picture)
        .catch(failed)
        .then((reply) => {
          if (reply.ok) post({ type: 'result', result: reply.result });
          else bitmap?.close(); // not taken by the engine (dropped, not ready)
          remember(tabId, reply);
          // The copied planes were read into a VideoFrame (a copy) if at all: their buffer goes
          // back to the page for its next frame.
          answerFrame(port, { id, reply, ...(raw ? { buffer: raw.buffer } : {}) });
        });
    };
  }

  scope.addEventListener('message', (e) => {
    const m = e.data;
    switch (m.type) {
      case 'start':
        start(m.urls, m.choice);
        break;
      case 'smoothing':
        windows = m.windows;
        engine?.setSmoothing(m.windows);
        break;
      case 'link':
        link(m.port);
        break;
      case 'picture': {
        const resolve = cuts.get(m.id);
        cuts.delete(m.id);
        if (resolve) resolve(m.bitmap && { bitmap: m.bitmap, cut: true, ...(m.takenAt === undefined ? {} : { takenAt: m.takenAt }) });
        else m.bitmap?.close();
        break;
      }
      case 'stop':
        if (holdTimer !== null) clearTimeout(holdTimer);
        router?.close();
        engine?.dispose();
        engine = null;
        scope.close();
        break;
    }
  });
}
