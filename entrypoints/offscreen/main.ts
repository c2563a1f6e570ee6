// The offscreen document (Chrome): hosts the inference engine for every tab, since the service
// worker has no DOM. Results go to the background in half-second batches, kept until it confirms
// they are stored (utils/outbox.ts).
import { startInferenceHost } from '@/utils/inference-host';
import { listen, send } from '@/utils/messaging';
import { Outbox } from '@/utils/outbox';
import { normaliseSmoothing } from '@/utils/settings';
import { TabCaptures } from '@/utils/tab-capture';
import { HOST_PORT_MESSAGE } from '@/utils/transport';

const captures = new TabCaptures();
listen('offscreen', {
  'bg-off-capture': async ({ tabId, streamId }) => {
    if (streamId === null) {
      captures.stop(tabId);
      return { ok: true };
    }
    try {
      await captures.start(tabId, streamId);
      return { ok: true };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  },
});

const outbox = new Outbox((batch) => send('off-bg-results', 'background', batch).then((r) => r?.stored === batch.length));

const host = startInferenceHost({
  onResult: (result) => outbox.push(result),
  onStatus: (status) => void send('off-bg-status', 'background', status),
  backendChoice: async () => (await send('off-bg-get-backend', 'background', {})) ?? 'auto',
  watchBackendChoice: (cb) => listen('offscreen', { 'bg-off-backend': ({ choice }) => cb(choice) }),
  smoothing: async () => normaliseSmoothing(await send('off-bg-get-smoothing', 'background', {})),
  watchSmoothing: (cb) => listen('offscreen', { 'bg-off-smoothing': (w) => cb(normaliseSmoothing(w)) }),
  captures,
});

// Relay iframes' direct channels (utils/transport.ts HostRequest): the service worker passes on each
// relay's end of a MessageChannel; only the extension's own service worker can post here.
navigator.serviceWorker.addEventListener('message', (e: MessageEvent<{ type?: string }>) => {
  if (e.data?.type === HOST_PORT_MESSAGE && e.ports[0]) host.serve(e.ports[0]);
});
navigator.serviceWorker.startMessages();
