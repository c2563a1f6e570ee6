import { browser } from 'wxt/browser';
import { asEnvelope, envelope, type Handlers, type MessageType, type Protocol, type Req, type Res, type Target } from './protocol';

/**
 * Send a typed message to extension pages (background, offscreen, popup, side panel).
 * Resolves `undefined` when nobody answered (e.g. the offscreen document is gone).
 */
export async function send<K extends MessageType>(
  type: K,
  target: Protocol[K]['target'],
  payload: Req<K>,
): Promise<Res<K> | undefined> {
  try {
    return (await browser.runtime.sendMessage(envelope(type, target, payload))) as Res<K> | undefined;
  } catch (err) {
    // "Receiving end does not exist" / "message port closed": nobody answered.
    if (isNoReceiver(err)) return undefined;
    throw err;
  }
}

/** Send a typed message to a tab's content script. Resolves `undefined` when the tab has none. */
export async function sendToTab<K extends MessageType>(tabId: number, type: K, payload: Req<K>): Promise<Res<K> | undefined> {
  try {
    return (await browser.tabs.sendMessage(tabId, envelope(type, 'content' as Protocol[K]['target'], payload))) as Res<K> | undefined;
  } catch (err) {
    if (isNoReceiver(err)) return undefined;
    throw err;
  }
}

export function isNoReceiver(err: unknown): boolean {
  const text = err instanceof Error ? err.message : String(err);
  return /Receiving end does not exist|message port closed|Could not establish connection|No matching message handler/i.test(text);
}

/**
 * Answer the envelopes addressed to `target` with `handlers`; everything else is left for other
 * contexts. Returns the function that removes the listener.
 */
export function listen<T extends Target>(target: T, handlers: Handlers<T>): () => void {
  const listener = (msg: unknown, sender: { tab?: { id?: number }; url?: string }, sendResponse: (r: unknown) => void) => {
    const env = asEnvelope(msg, target);
    if (!env) return false;
    const handler = (handlers as Record<string, ((p: unknown, s: { tabId?: number; url?: string }) => unknown) | undefined>)[env.type];
    if (!handler) return false;
    Promise.resolve()
      .then(() => handler(env.payload, { tabId: sender.tab?.id, url: sender.url }))
      .then(
        (res) => sendResponse(res ?? null),
        (err: unknown) => {
          console.error(`[AffectLens] ${env.type} failed`, err);
          sendResponse(null);
        },
      );
    return true; // keep the channel open for the async reply
  };
  browser.runtime.onMessage.addListener(listener as never);
  return () => browser.runtime.onMessage.removeListener(listener as never);
}
