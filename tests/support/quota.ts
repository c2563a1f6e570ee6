import { onTestFinished } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';

/**
 * Give one of fakeBrowser's storage areas a byte quota, counted as Chrome does (key + JSON value
 * bytes of everything stored): a `set` that would exceed it throws Chrome's quota error instead.
 * fakeBrowser.reset() does not undo it, so it is undone when the test ends: call it in a test, after the reset.
 */
export function limitStorage(area: 'local' | 'session', quotaBytes: number): void {
  const store = fakeBrowser.storage[area];
  const original = store.set.bind(store);
  onTestFinished(() => {
    store.set = original;
  });
  store.set = async (items: Record<string, unknown>) => {
    const all = { ...(await store.get(null)), ...items };
    const bytes = Object.entries(all).reduce((n, [k, v]) => n + k.length + JSON.stringify(v).length, 0);
    if (bytes > quotaBytes) throw new Error(area === 'local' ? 'Resource::kQuotaBytes quota exceeded' : 'Session storage quota bytes exceeded. Values were not stored.');
    return original(items);
  };
}
