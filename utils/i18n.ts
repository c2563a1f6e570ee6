/**
 * UI strings: `t(key, ...substitutions)` reads `public/_locales/<locale>/messages.json` through the
 * extension's i18n API (English is the default locale and complete). A key the active locale does
 * not have comes back as the key itself, so a gap shows up as `someKey` on screen instead of an
 * empty label.
 *
 * Keys are checked twice: `MessageKey` (the names in the English messages.json) at compile time,
 * and tests/unit/i18n.test.ts, which scans the UI sources for `t('…')` calls. Pass keys as string
 * literals only, so that both checks see every key in use.
 */
import { browser } from 'wxt/browser';

/** Every message name in the English (default) locale. */
export type MessageKey = keyof typeof import('../public/_locales/en/messages.json');

/** A messages.json as the extension ships it. */
export type MessageBundle = Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;

/** The English messages read from the extension's files, when the browser's i18n gave nothing (see `ensureMessages`). */
let fallback: MessageBundle | null = null;

/** The localised message `key`, with `$1`… (named placeholders in messages.json) filled in order. */
export function t(key: MessageKey, ...substitutions: (string | number)[]): string {
  let message = '';
  try {
    // The generated overloads (WXT) accept exactly the names of messages.json, as MessageKey does.
    message = browser.i18n.getMessage(key, substitutions.map(String));
  } catch {
    // No i18n API in this context (e.g. a unit test without a fake): fall back to the key.
  }
  return message || (fallback ? fromBundle(fallback, key, substitutions.map(String)) : '') || key;
}

/**
 * Call before a page's first render. Chromium can give an extension page an empty message bundle —
 * its i18n then returns '' for every name (seen when the welcome tab was closed while it loaded:
 * the popup opened after it showed message names). Then the English messages are read from the
 * extension's own `_locales` and `t()` uses them.
 */
export async function ensureMessages(): Promise<void> {
  try {
    if (browser.i18n.getMessage('extName')) {
      fallback = null;
      return;
    }
  } catch {
    return; // no i18n API here
  }
  try {
    const res = await fetch(browser.runtime.getURL('/_locales/en/messages.json'));
    fallback = (await res.json()) as MessageBundle;
  } catch {
    fallback = null;
  }
}

/** A message of `bundle` as the browser's i18n fills it: `$NAME$` → its placeholder's content, `$1`… → the substitutions, `$$` → `$`. */
export function fromBundle(bundle: MessageBundle, key: string, substitutions: readonly string[] = []): string {
  const entry = bundle[key];
  if (!entry) return '';
  const named = (name: string) => Object.entries(entry.placeholders ?? {}).find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1].content ?? '';
  const numbered = (text: string) => text.replace(/\$(\d)/g, (_, d: string) => substitutions[Number(d) - 1] ?? '');
  return entry.message.replace(/\$\$|\$([A-Za-z0-9_@]+)\$|\$(\d)/g, (all, name?: string, digit?: string) => {
    if (all === '$$') return '$';
    if (name) return numbered(named(name));
    return substitutions[Number(digit) - 1] ?? '';
  });
}

/** The UI language's number format (for ms, s, %, days shown next to controls). */
export function formatNumber(value: number, maximumFractionDigits = 0): string {
  let locale: string | undefined;
  try {
    locale = browser.i18n.getUILanguage();
  } catch {
    locale = undefined;
  }
  return new Intl.NumberFormat(locale, { maximumFractionDigits }).format(value);
}
