// The frame relay: a hidden extension iframe on the meeting page (its own process). It takes
// ImageBitmaps from the content script over a private MessageChannel, encodes them and forwards them
// to the inference host, so that the meeting page's main thread never encodes a frame.
import { CAPTURE } from '@/utils/config';
import { send } from '@/utils/messaging';
import type { RelayReply, RelayRequest } from '@/utils/transport';

const token = location.hash.slice(1);
let port: MessagePort | null = null;
// A synchronous encode (toDataURL) on purpose: this hidden frame never renders, so the idle-time
// scheduling behind convertToBlob would delay each frame by up to a second here.
const canvas = document.createElement('canvas');
const ctx = canvas.getContext('2d', { alpha: false });

addEventListener('message', (e: MessageEvent<{ type?: string; token?: string }>) => {
  // Only the first channel that proves it knows the secret in our URL is ever used.
  if (port || !token || e.data?.type !== 'affectlens-relay' || e.data.token !== token || !e.ports[0]) return;
  port = e.ports[0];
  port.onmessage = (m: MessageEvent<RelayRequest>) => void relay(m.data);
  port.postMessage({ ready: true } satisfies RelayReply);
});

async function relay({ id, meta, bitmap, pageMs }: RelayRequest): Promise<void> {
  let reply: RelayReply;
  try {
    if (!ctx) throw new Error('2d context unavailable');
    if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
    }
    ctx.drawImage(bitmap, 0, 0);
    const image = canvas.toDataURL('image/jpeg', CAPTURE.jpegQuality);
    const answer = await send('cs-off-frame', 'offscreen', { ...meta, image, width: bitmap.width, height: bitmap.height, pageMs, via: 'relay' });
    reply = { id, reply: answer ?? null };
  } catch (err) {
    console.warn('[AffectLens relay]', err);
    reply = { id, reply: null };
  } finally {
    bitmap.close();
  }
  port?.postMessage(reply);
}
