/**
 * A tab's analysis / overlay switches: changed by the popup, the keyboard shortcut and tab capture,
 * always through `setTabState`, which stores them and tells the tab's content script.
 */
import { browser } from 'wxt/browser';
import { sendToTab } from './messaging';
import { tabStateItem } from './storage';
import type { TabState } from './types';

/** The manifest `commands` entry of the keyboard shortcut (Alt+Shift+A by default). */
export const TOGGLE_OVERLAY_COMMAND = 'toggle-overlay';

export async function setTabState(tabId: number, patch: Partial<TabState>): Promise<TabState> {
  const item = tabStateItem(tabId);
  const next: TabState = { ...(await item.getValue()), ...patch };
  await item.setValue(next);
  await sendToTab(tabId, 'bg-cs-state', next);
  return next;
}

/** The keyboard shortcut toggles the overlay on the active tab. */
export function listenForCommands(): void {
  browser.commands?.onCommand.addListener((command) => {
    if (command !== TOGGLE_OVERLAY_COMMAND) return;
    void browser.tabs.query({ active: true, currentWindow: true }).then(async ([tab]) => {
      if (tab?.id === undefined) return;
      await setTabState(tab.id, { overlay: !(await tabStateItem(tab.id).getValue()).overlay });
    });
  });
}
