// The offscreen document (Chrome): hosts the inference engine for every tab, since the service
// worker has no DOM. Results are broadcast for the background's log and the side panel.
import { startInferenceHost } from '@/utils/inference-host';
import { listen, send } from '@/utils/messaging';

startInferenceHost({
  onResult: (result) => void send('off-bg-result', 'background', result),
  onStatus: (status) => void send('off-bg-status', 'background', status),
  backendChoice: async () => (await send('off-bg-get-backend', 'background', {})) ?? 'auto',
  watchBackendChoice: (cb) => listen('offscreen', { 'bg-off-backend': ({ choice }) => cb(choice) }),
});
