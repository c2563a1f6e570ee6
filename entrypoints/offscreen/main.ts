// The offscreen document: hosts the inference engine for every tab (Chrome; no DOM in the worker).
import { assetUrl } from '@/utils/assets';
import { Engine } from '@/utils/engine';
import { listen, send } from '@/utils/messaging';

const engine = new Engine(
  {
    wasmBase: assetUrl('/mediapipe/wasm'),
    modelUrl: assetUrl('/models/face_landmarker.task'),
  },
  (status) => void send('off-bg-status', 'background', status),
);

listen('offscreen', {
  'cs-off-frame': async (frame, sender) => {
    const reply = await engine.analyse(frame, sender.tabId);
    // The background keeps the session log; the side panel listens to the same broadcast.
    if (reply.ok) void send('off-bg-result', 'background', reply.result);
    return reply;
  },
  'any-off-status': () => engine.getStatus(),
});

void engine.init();
