/** Reading the extension's state from a test: the tab's session log and the popup. */
import type { BrowserContext, Page, Worker } from 'playwright-core';

import type { LoggedResult } from '../../utils/storage';
import type { Res } from '../../utils/protocol';
import { pollUntil } from '../../scripts/lib/poll.mjs';

export type { LoggedResult };

type ChromeGlobal = {
  chrome: {
    storage: { session: { get(k: null): Promise<Record<string, unknown>> } };
  };
};

/** All results the background has logged, for every tab (its chunks `results:<tab>:<n>`), each with its tab. */
export async function loggedResults(sw: Worker): Promise<(LoggedResult & { tab: number })[]> {
  return (await sw.evaluate(async () => {
    const { chrome } = globalThis as unknown as ChromeGlobal;
    const all = await chrome.storage.session.get(null);
    return Object.entries(all)
      .filter(([k]) => k.startsWith('results:'))
      .flatMap(([k, v]) => (v as object[]).map((r) => ({ ...r, tab: Number(k.split(':')[1]) })));
  })) as (LoggedResult & { tab: number })[];
}

/**
 * The frame log once `done` holds for it, or when `timeoutMs` is up (the last read). Results reach
 * the log after the overlay has drawn them: the inference host sends them in batches (utils/outbox.ts).
 */
export function waitForLog(sw: Worker, done: (log: LoggedResult[]) => boolean, timeoutMs = 5000): Promise<LoggedResult[]> {
  return pollUntil(() => loggedResults(sw), done, timeoutMs);
}

/**
 * The id of the tab where a tile named `tileName` was analysed. (AffectLens has no `tabs`
 * permission, so it cannot look tabs up by URL; its session log is keyed by tab id.)
 */
export async function tabIdOf(sw: Worker, tileName: string): Promise<number> {
  const id = await sw.evaluate(async (name) => {
    const { chrome } = globalThis as unknown as ChromeGlobal;
    const all = await chrome.storage.session.get(null);
    const hit = Object.entries(all).find(([k, v]) => k.startsWith('results:') && (v as { name: string }[]).some((r) => r.name === name));
    return hit ? Number(hit[0].split(':')[1]) : undefined;
  }, tileName);
  if (id === undefined) throw new Error(`no tab has analysed a tile named ${tileName}`);
  return id;
}

/** The popup, opened as a page acting on `tabId`. */
export async function openPopup(context: BrowserContext, extensionId: string, tabId: number): Promise<Page> {
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html?tabId=${tabId}`);
  // The switches are disabled until the tab's state has arrived from the (possibly waking) service worker.
  await popup.locator('input[role="switch"]:not([disabled])').first().waitFor();
  return popup;
}

/**
 * Stop the extension's service worker, as Chrome does after 30 s idle, and wait until Chrome
 * reports it stopped. `page` must be an extension page (same storage partition as the worker).
 */
export async function stopServiceWorkers(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  type Version = { versionId: string; scriptURL: string; runningStatus: string };
  const latest = new Map<string, Version>();
  let onUpdate = () => {};
  cdp.on('ServiceWorker.workerVersionUpdated', (e: { versions: Version[] }) => {
    for (const v of e.versions) latest.set(v.versionId, v);
    onUpdate();
  });
  try {
    await cdp.send('ServiceWorker.enable');
    for (let i = 0; i < 40 && ![...latest.values()].some((v) => v.runningStatus === 'running'); i++) await page.waitForTimeout(50);
    const running = [...latest.values()].filter((v) => v.runningStatus === 'running');
    if (!running.length) throw new Error('no running service worker to stop');
    const allStopped = new Promise<void>((resolve) => {
      onUpdate = () => {
        if (running.every((v) => latest.get(v.versionId)?.runningStatus === 'stopped')) resolve();
      };
    });
    for (const v of running) await cdp.send('ServiceWorker.stopWorker', { versionId: v.versionId });
    await Promise.race([allStopped, new Promise((_, reject) => setTimeout(() => reject(new Error('service worker did not stop')), 10_000))]);
  } finally {
    await cdp.detach();
  }
}

/**
 * Click the extension's toolbar button on `page`'s tab, as a user does (CDP `Extensions.triggerAction`;
 * the browser needs `--enable-unsafe-extension-debugging`): the popup opens with the `activeTab`
 * grant for that tab (bring `page` to the front first: the popup acts on the active tab). Returns a function that evaluates an expression in the popup with a user
 * gesture (as a click there would be), by value.
 */
export async function clickToolbarButton(context: BrowserContext, extensionId: string, page: Page): Promise<(expression: string) => Promise<unknown>> {
  const cdp = await context.browser()!.newBrowserCDPSession();
  type Info = { targetId: string; type: string; url: string };
  const tabs = ((await cdp.send('Target.getTargets', { filter: [{ type: 'tab' }] } as never)) as { targetInfos: Info[] }).targetInfos;
  const tab = tabs.find((t) => t.url === page.url());
  if (!tab) throw new Error(`no tab target for ${page.url()}`);
  await cdp.send('Extensions.triggerAction' as never, { id: extensionId, targetId: tab.targetId } as never);
  let popup: Info | undefined;
  for (let i = 0; i < 50 && !popup; i++) {
    popup = ((await cdp.send('Target.getTargets')) as { targetInfos: Info[] }).targetInfos.find((t) => t.url.startsWith(`chrome-extension://${extensionId}/popup.html`));
    if (!popup) await page.waitForTimeout(100);
  }
  if (!popup) throw new Error('the popup did not open');
  // The popup is not one of Playwright's pages: talk to it through the browser session (non-flat).
  const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId: popup.targetId, flatten: false })) as { sessionId: string };
  let nextId = 1;
  return async (expression) => {
    const id = nextId++;
    const reply = new Promise<unknown>((resolve, reject) => {
      const onMessage = (e: { sessionId: string; message: string }) => {
        if (e.sessionId !== sessionId) return;
        const msg = JSON.parse(e.message) as { id?: number; result?: { result?: { value?: unknown }; exceptionDetails?: { text: string } }; error?: { message: string } };
        if (msg.id !== id) return;
        cdp.off('Target.receivedMessageFromTarget' as never, onMessage as never);
        if (msg.error || msg.result?.exceptionDetails) reject(new Error(msg.error?.message ?? msg.result?.exceptionDetails?.text));
        else resolve(msg.result?.result?.value);
      };
      cdp.on('Target.receivedMessageFromTarget' as never, onMessage as never);
    });
    const params = { expression, userGesture: true, awaitPromise: true, returnByValue: true };
    await cdp.send('Target.sendMessageToTarget' as never, { sessionId, message: JSON.stringify({ id, method: 'Runtime.evaluate', params }) } as never);
    return reply;
  };
}

export type ContentPing = Res<'ui-cs-ping'>;

/** What the content script of the (first) tab that has one says about itself, asked the way the popup asks (tabs.sendMessage). */
export async function pingContent(sw: Worker): Promise<ContentPing> {
  return sw.evaluate(async () => {
    const { chrome } = globalThis as unknown as {
      chrome: { tabs: { query(q: object): Promise<{ id: number }[]>; sendMessage(id: number, m: unknown): Promise<ContentPing | undefined> } };
    };
    for (const t of await chrome.tabs.query({})) {
      const reply = await chrome.tabs.sendMessage(t.id, { target: 'content', type: 'ui-cs-ping', payload: {} }).catch(() => null);
      if (reply) return reply;
    }
    throw new Error('no content script answered');
  });
}
