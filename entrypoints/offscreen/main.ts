// The offscreen document (Chrome): hosts the inference engine for every tab, since the service
// worker has no DOM. Results are broadcast for the background's log and the side panel.
import { startInferenceHost } from '@/utils/inference-host';
import { send } from '@/utils/messaging';

startInferenceHost({
  onResult: (result) => void send('off-bg-result', 'background', result),
  onStatus: (status) => void send('off-bg-status', 'background', status),
});
