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

/** The localised message `key`, with `$1`… (named placeholders in messages.json) filled in order. */
export function t(key: MessageKey, ...substitutions: (string | number)[]): string {
  let message = '';
  try {
    // The generated overloads (WXT) accept exactly the names of messages.json, as MessageKey does.
    message = browser.i18n.getMessage(key, substitutions.map(String));
  } catch {
    // No i18n API in this context (e.g. a unit test without a fake): fall back to the key.
  }
  return message || key;
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
