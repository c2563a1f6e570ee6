/* global document */
import { pollUntil } from './poll.mjs';

// Flags for Debian's Chromium with the unpacked extension (see ../shared/SPIKE.md).
export const CHROMIUM = process.env.AFFECTLENS_CHROMIUM ?? '/usr/bin/chromium';

/**
 * @param {string} extensionDir
 * @param {{proxyPort?: number, extraArgs?: string[]}} [opts]
 * @returns {string[]}
 */
export function chromiumArgs(extensionDir, opts = {}) {
  return [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-default-apps',
    '--autoplay-policy=no-user-gesture-required',
    `--disable-extensions-except=${extensionDir}`,
    `--load-extension=${extensionDir}`,
    ...(opts.proxyPort ? [`--proxy-server=http://127.0.0.1:${opts.proxyPort}`, '--proxy-bypass-list=<-loopback>'] : []),
    ...(opts.extraArgs ?? []),
  ];
}

/**
 * A fresh profile installs the extension, which opens its welcome page in a new tab — the active
 * tab, so a page opened before it loads sits behind it, and Chromium throttles a background tab
 * even headless (measured: animation frames 1.5/s and video frames 1/s instead of 30 and 17.5).
 * Wait for that tab and close it, so the pages a test or the bench opens are in front, as a call is.
 * It is closed once it has drawn its heading: closed while still loading, the extension's pages
 * opened after it in that browser read every i18n message as empty (probe: 5 of 30 launches
 * closing it at once, 0 of 30 waiting; the popup showed message names instead of text).
 * @param {import('playwright-core').BrowserContext} context
 * @param {number} [timeoutMs]
 * @returns {Promise<boolean>} whether the welcome page opened
 */
export async function closeWelcomePage(context, timeoutMs = 15_000) {
  // A new tab's url can still be about:blank when Playwright reports it: look at every tab until one is the welcome page.
  const welcome = () => context.pages().find((p) => p.url().endsWith('/welcome.html'));
  const page = await pollUntil(async () => welcome(), (p) => p !== undefined, timeoutMs, 100);
  if (!page) return false;
  await page.waitForFunction(() => document.querySelector('h1')?.textContent, undefined, { timeout: 10_000 }).catch(() => {});
  await page.close();
  return true;
}
