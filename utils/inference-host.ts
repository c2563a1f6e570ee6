/**
 * Hosts the inference engine in whichever context has a DOM: Chrome's offscreen document, or
 * Firefox's background page (no offscreen API there). Same module, no forked pipeline: the host
 * answers envelopes addressed to `offscreen` (read: "the inference host") in both browsers.
 */
import { assetUrl } from './assets';
import { Engine } from './engine';
import { listen } from './messaging';
import type { EngineStatus, FrameResult } from './types';

export interface HostCallbacks {
  onResult(result: FrameResult): void;
  onStatus(status: EngineStatus): void;
}

export function startInferenceHost(callbacks: HostCallbacks): { engine: Engine; stop(): void } {
  const engine = new Engine(
    { wasmBase: assetUrl('/mediapipe/wasm'), modelUrl: assetUrl('/models/face_landmarker.task') },
    callbacks.onStatus,
  );
  const stop = listen('offscreen', {
    'cs-off-frame': async (frame, sender) => {
      const reply = await engine.analyse(frame, sender.tabId);
      if (reply.ok) callbacks.onResult(reply.result);
      return reply;
    },
    'any-off-status': () => engine.getStatus(),
  });
  void engine.init();
  return {
    engine,
    stop: () => {
      stop();
      engine.dispose();
    },
  };
}
