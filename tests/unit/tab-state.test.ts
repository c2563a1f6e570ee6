import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { tabStateItem } from '../../utils/storage';
import { listenForCommands, TOGGLE_OVERLAY_COMMAND } from '../../utils/tab-state';
import { ROOT } from '../support/media';

/*
 * Headless Chromium does not deliver browser keyboard shortcuts (a key pressed in the page reaches
 * the page, not the extension's accelerator; measured), so the shortcut is tested in two halves:
 * what the manifest declares, and what the background does on the command.
 */
describe('keyboard shortcut', () => {
  beforeEach(() => fakeBrowser.reset());

  it('the manifest declares it (Alt+Shift+A), under the name the background listens for', async () => {
    const { default: config } = (await import('../../wxt.config')) as { default: { manifest: (env: { browser: string }) => { commands: Record<string, { suggested_key: { default: string } }> } } };
    for (const browser of ['chrome', 'firefox']) {
      expect(config.manifest({ browser }).commands[TOGGLE_OVERLAY_COMMAND]?.suggested_key.default).toBe('Alt+Shift+A');
    }
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('`Alt+Shift+A`');
  });

  it('toggles the overlay of the active tab only, and tells its content script', async () => {
    const active = { id: 11 };
    const other = { id: 12 };
    const told: unknown[] = [];
    fakeBrowser.tabs.sendMessage = (async (_tabId: number, message: unknown) => {
      told.push(message);
      return undefined;
    }) as typeof fakeBrowser.tabs.sendMessage;
    // The fake browser has no commands events: a minimal one, as the browser fires it.
    const listeners: ((command: string) => void)[] = [];
    Object.assign(fakeBrowser.commands, { onCommand: { addListener: (fn: (command: string) => void) => void listeners.push(fn) } });
    // Nor windows: the active tab of the current window is `active`.
    Object.assign(fakeBrowser.tabs, { query: async (q: { active?: boolean }) => (q.active ? [active] : [active, other]) });
    const press = (command: string) => listeners.forEach((fn) => fn(command));
    listenForCommands();
    expect(listeners).toHaveLength(1);
    press('some-other-command');
    press(TOGGLE_OVERLAY_COMMAND);
    await expect.poll(async () => (await tabStateItem(active.id).getValue()).overlay).toBe(false);
    expect((await tabStateItem(other.id).getValue()).overlay).toBe(true);
    expect(told).toEqual([expect.objectContaining({ type: 'bg-cs-state', payload: expect.objectContaining({ overlay: false }) })]);
    press(TOGGLE_OVERLAY_COMMAND);
    await expect.poll(async () => (await tabStateItem(active.id).getValue()).overlay).toBe(true);
  });
});
