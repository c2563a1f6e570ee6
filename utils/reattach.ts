/**
 * Re-attaching the content script to an open call tab after the extension was updated or reloaded
 * (Firefox injects the new content script itself; Chrome does not). One helper for both callers:
 * - the background, right after an update, offers it to every tab (it cannot read their URLs
 *   without the `tabs` permission): the browser's own host-access check decides, so only the sites
 *   the user enabled get it;
 * - the popup, on a click of the toolbar button, offers it to that tab under `activeTab`, which
 *   would allow any site: there it goes only to a URL the content script is registered for.
 */
import { browser } from 'wxt/browser';
import { MatchPattern } from 'wxt/utils/match-patterns';
import { sendToTab } from './messaging';

const CONTENT_SCRIPT = '/content-scripts/content.js';

/**
 * Inject the content script into the tab unless a live one answers there. With `url`, only when
 * that URL matches the content script's patterns (manifest or registered at run time). Resolves
 * whether a new one was injected.
 */
export async function reattachContentScript(tabId: number, url?: string): Promise<boolean> {
  if (await sendToTab(tabId, 'ui-cs-ping', {}).catch(() => undefined)) return false;
  if (url !== undefined && !(await registeredFor(url))) return false;
  return browser.scripting.executeScript({ target: { tabId }, files: [CONTENT_SCRIPT] }).then(
    () => true,
    () => false,
  );
}

async function registeredFor(url: string): Promise<boolean> {
  const registered = await browser.scripting.getRegisteredContentScripts().catch(() => []);
  const patterns = [...(browser.runtime.getManifest().content_scripts ?? []).flatMap((c) => c.matches ?? []), ...registered.flatMap((c) => c.matches ?? [])];
  return patterns.some((p) => new MatchPattern(p).includes(url));
}
