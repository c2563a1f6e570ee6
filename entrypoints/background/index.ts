// Background (Chrome: service worker; Firefox: event page): owns per-tab state, provides the
// inference host (Chrome: an offscreen document; Firefox: this page itself, which has a DOM), and
// keeps the session log. Holds nothing that matters only in memory: MV3 may stop it at any time.
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { listen, send, sendToTab } from '@/utils/messaging';
import { reattachContentScript } from '@/utils/reattach';
import { affectBackendItem, appendResults, clearResults, tabStateItem, type LoggedResult } from '@/utils/storage';
import { listenForCommands, setTabState } from '@/utils/tab-state';
import { applyRetention, SessionStore, sessionsItem } from '@/utils/session-store';
import { Outbox } from '@/utils/outbox';
import { normaliseSmoothing, smoothingItem, watchPageSettings } from '@/utils/settings';
import { startInferenceHost } from '@/utils/inference-host';
import type { EngineStatus, FrameResult } from '@/utils/types';
import { HOST_PORT_MESSAGE } from '@/utils/transport';

/** The parts of the service worker's global scope used here (the project's TS lib is the DOM's). */
interface ServiceWorkerScope {
  addEventListener(type: 'message', cb: (e: { data?: { type?: string }; ports: readonly MessagePort[]; source: { url: string } | null; waitUntil(p: Promise<unknown>): void }) => void): void;
  clients: { matchAll(o: { includeUncontrolled: boolean }): Promise<{ url: string; postMessage(m: unknown, t: Transferable[]): void }[]> };
}

export default defineBackground({
  // An ES module, so Firefox's background loads ORT/MediaPipe wasm as separate files (../shared/SPIKE.md).
  type: 'module',
  main,
});

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** One analysed frame as the frame log keeps it (utils/storage.ts). */
function logRecord(result: FrameResult): LoggedResult {
  return {
      tileId: result.tileId,
      name: result.name,
      t: result.mediaTime,
      at: result.capturedAt,
      latency: result.doneAt - result.capturedAt,
      pageMs: Math.round(result.pageMs * 100) / 100,
      ...(result.drawMs === undefined ? {} : { drawMs: Math.round(result.drawMs * 100) / 100 }),
      stages: result.timings,
      via: result.via,
      ...(result.reused ? { reused: true } : {}),
      ...(result.held ? { held: true } : {}),
      ...(result.cropped ? { cropped: true } : {}),
      ...(result.light ? { light: true } : {}),
      ...(result.still ? { still: true } : {}),
      faces: result.faces.map((f) => ({
        participantId: f.participantId,
        boxNorm: f.boxNorm,
        aus: f.aus.map(round3),
        smile: f.smile,
        ...(f.affect ? { probs: f.affect.probs.map(round3), valence: round3(f.affect.valence), arousal: round3(f.affect.arousal), backend: f.affect.backend } : {}),
        ...(f.tooSmall ? { tooSmallPx: f.tooSmall.sizePx } : {}),
        ...(f.live
          ? {
              live: {
                label: f.live.label,
                smile: f.live.smile,
                baselineFormed: f.live.baselineFormed,
                engagement: f.live.engagement.index === null ? null : round3(f.live.engagement.index),
                compound: f.live.compound?.label ?? null,
              },
            }
          : {}),
      })),
  };
}

function main() {
  let creating: Promise<void> | null = null;
  const hostHere = !browser.offscreen; // Firefox: no offscreen API, the background hosts inference
  let host: ReturnType<typeof startInferenceHost> | null = null;

  /** Make sure the inference host runs: the offscreen document (one creation in flight), or here. */
  async function ensureInferenceHost(): Promise<void> {
    if (hostHere) {
      host ??= startInferenceHost({
        // Same context: batch once a second, then store (and tell the side panel).
        onResult: (result) => local.push(result),
        onStatus: (status) => void send('off-bg-status', 'background', status),
        backendChoice: () => affectBackendItem.getValue(),
        watchBackendChoice: (cb) => affectBackendItem.watch(cb),
        smoothing: async () => normaliseSmoothing(await smoothingItem.getValue()),
        watchSmoothing: (cb) => smoothingItem.watch((w) => cb(normaliseSmoothing(w))),
      });
      return;
    }
    const existing = await browser.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT' as never] });
    if (existing.length) return;
    creating ??= browser.offscreen
      .createDocument({
        url: '/offscreen.html',
        reasons: ['WORKERS' as never, 'USER_MEDIA' as never],
        justification: 'Runs on-device face analysis (MediaPipe / onnxruntime-web wasm) for video-call tiles, and holds a tab capture the user started.',
      })
      .finally(() => {
        creating = null;
      });
    await creating;
  }

  async function engineStatus(): Promise<EngineStatus> {
    if (host) return host.status();
    return (await send('any-off-status', 'offscreen', {})) ?? { state: 'loading', detail: 'starting the inference document' };
  }

  // Results arrive in batches (offscreen: every 0.5 s, kept there until stored; Firefox: from the
  // host in this page, every 1 s). One batch at a time: each appends to the newest chunk of the
  // tab's frame log and to the session store, and is confirmed only once both are written.
  const store = new SessionStore();
  let recording: Promise<unknown> = Promise.resolve();
  /**
   * Tabs closed since this worker started. A closed tab's result can still arrive — a still tile's
   * repeat the host made in the moment before it heard nothing more (utils/hold.ts, up to
   * HOLD_EXPIRY_MS), a batch in flight — and would start a new session for the closed call and a
   * log nobody clears: it is dropped (counted as handled, so its batch is confirmed). Tab ids are
   * not reused within a browser session.
   */
  const closedTabs = new Set<number>();
  function record(batch: FrameResult[]): Promise<number> {
    const results = batch.filter((r) => r.tabId === undefined || !closedTabs.has(r.tabId));
    const done = recording.then(async () => {
      // Each store skips what it already holds (a batch re-sent after a stopped service worker).
      await store.record(results);
      const byTab = new Map<number, LoggedResult[]>();
      for (const r of results) if (r.tabId !== undefined) byTab.set(r.tabId, [...(byTab.get(r.tabId) ?? []), logRecord(r)]);
      for (const [tabId, records] of byTab) {
        // The log of recent frames is a convenience (the session store above holds the call): a
        // write it cannot make must not hold the batch back, or the host would resend ever-growing
        // batches and nothing would be stored any more.
        await appendResults(tabId, records).catch((err: unknown) => console.warn('[AffectLens] frame log not written', err));
      }
      return batch.length;
    });
    recording = done.catch(() => undefined);
    return done;
  }
  const local = new Outbox(async (batch) => {
    await record(batch);
    void send('off-bg-results', 'background', batch); // the side panel listens in
    return true;
  }, 1000);
  void applyRetention();
  sessionsItem.watch((stored) => store.dropDeleted(stored ?? []));

  // The keyboard shortcut (manifest `commands`) toggles the overlay on the active tab.
  listenForCommands();

  // The meeting pages do not watch storage (utils/settings.ts PageSettings): tell every tab when a
  // setting they use changes (a tab without the content script just has no receiver).
  watchPageSettings((settings) => {
    void browser.tabs.query({}).then((tabs) => {
      for (const tab of tabs) if (tab.id !== undefined) void sendToTab(tab.id, 'bg-cs-settings', settings).catch(() => undefined);
    });
  });

  listen('background', {
    'cs-bg-hello': async (_payload, sender) => {
      if (sender.tabId === undefined) throw new Error('hello from outside a tab');
      // A page of another call (origin + path; the query may carry a meeting secret) starts a new session.
      const url = sender.url ? new URL(sender.url) : null;
      if (url) await store.noteCall(sender.tabId, url.origin + url.pathname);
      await ensureInferenceHost();
      return { tabId: sender.tabId, state: await tabStateItem(sender.tabId).getValue(), engine: await engineStatus(), canCapture: !!browser.tabCapture };
    },
    'ui-bg-get-tab': ({ tabId }) => tabStateItem(tabId).getValue(),
    'ui-bg-set-tab': ({ tabId, patch }) => setTabState(tabId, patch),
    'ui-bg-enable-site': async ({ tabId, origin }) => {
      // The popup asked the user for this origin first; without the grant, do nothing.
      const pattern = `${origin}/*`;
      if (!(await browser.permissions.contains({ origins: [pattern] }))) return { ok: false, message: 'permission not granted' };
      const id = `site:${origin}`;
      const existing = await browser.scripting.getRegisteredContentScripts({ ids: [id] });
      if (!existing.length) {
        await browser.scripting.registerContentScripts([
          { id, matches: [pattern], js: ['content-scripts/content.js'], runAt: 'document_idle', persistAcrossSessions: true },
        ]);
      }
      await browser.scripting.executeScript({ target: { tabId }, files: ['/content-scripts/content.js'] });
      return { ok: true };
    },
    'ui-bg-capture': async ({ tabId, streamId }) => {
      // Started by the user's click in the popup, which obtained the stream id for this tab.
      await ensureInferenceHost();
      const reply = (await send('bg-off-capture', 'offscreen', { tabId, streamId })) ?? { ok: false, message: 'the inference document did not answer' };
      if (reply.ok) await setTabState(tabId, { capture: streamId !== null });
      return reply;
    },
    'off-bg-get-backend': () => affectBackendItem.getValue(),
    'off-bg-get-smoothing': async () => normaliseSmoothing(await smoothingItem.getValue()),
    'off-bg-results': async (results) => ({ stored: await record(results) }),
    'off-bg-status': () => undefined,
  });

  // Tell the offscreen document when the user picks another affect backend (it cannot read storage).
  if (!hostHere) {
    affectBackendItem.watch((choice) => void send('bg-off-backend', 'offscreen', { choice }));
    smoothingItem.watch((w) => void send('bg-off-smoothing', 'offscreen', normaliseSmoothing(w)));
  }

  browser.tabs.onRemoved.addListener((tabId) => {
    closedTabs.add(tabId);
    if (closedTabs.size > 10_000) closedTabs.delete(closedTabs.values().next().value!);
    void tabStateItem(tabId).removeValue();
    if (browser.tabCapture) void send('bg-off-capture', 'offscreen', { tabId, streamId: null }).catch(() => undefined);
    void recording.then(async () => {
      await clearResults(tabId);
      await store.closeTab(tabId);
    });
  });

  // Chrome: a relay iframe asks for a direct channel to the inference host (utils/transport.ts
  // HostRequest); its end of the channel is passed on to the offscreen document, made if needed.
  // Registered synchronously, so the message wakes a stopped service worker.
  if (!hostHere) {
    const sw = globalThis as unknown as ServiceWorkerScope;
    sw.addEventListener('message', (e) => {
      const from = e.source && 'url' in e.source ? e.source.url : '';
      if (e.data?.type !== HOST_PORT_MESSAGE || !e.ports[0] || !from.startsWith(browser.runtime.getURL('/'))) return;
      const relayEnd = e.ports[0];
      e.waitUntil(
        (async () => {
          await ensureInferenceHost();
          const pages = await sw.clients.matchAll({ includeUncontrolled: true });
          const offscreen = pages.find((c) => new URL(c.url).pathname === '/offscreen.html');
          if (offscreen) offscreen.postMessage({ type: HOST_PORT_MESSAGE }, [relayEnd]);
          else relayEnd.close(); // the relay falls back to runtime messages
        })(),
      );
    });
  }

  // Firefox: start loading the models as soon as the page wakes, not at the first frame.
  if (hostHere) void ensureInferenceHost();

  // First install: the welcome page says what is analysed and that nothing leaves the device.
  // Update or reload during a call: the call tabs get the new content script (below).
  browser.runtime.onInstalled.addListener(({ reason }) => {
    if (reason === 'install') void browser.tabs.create({ url: browser.runtime.getURL('/welcome.html') });
    if (reason === 'update') void reinjectContentScripts();
  });
}

/** After an update or reload: every open tab is offered the new content script (utils/reattach.ts). */
async function reinjectContentScripts(): Promise<void> {
  const tabs = await browser.tabs.query({}).catch(() => []);
  for (const tab of tabs) {
    if (tab.id !== undefined && !tab.discarded) await reattachContentScript(tab.id);
  }
}
