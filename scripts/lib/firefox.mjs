/* global document -- used inside page.evaluate / waitForFunction callbacks, which run in the browser */
// Debian's firefox-esr with the built extension, driven over WebDriver BiDi by puppeteer-core (run it
// under `xvfb-run`: MediaPipe needs WebGL). Shared by the Firefox tests and `npm run bench:firefox`.
import puppeteer from 'puppeteer-core';

export const FIREFOX = process.env.AFFECTLENS_FIREFOX ?? '/usr/lib/firefox-esr/firefox-esr';
export const ADDON_ID = 'affectlens@affectlens.dev';
/** Fixed moz-extension:// UUID, so the extension's own pages can be opened by URL. */
export const ADDON_UUID = '6f1f9c36-3c1e-4e55-9a55-2b1f0e0a7a11';

/**
 * Launch Firefox with the extension installed.
 * @param {string} extensionDir the built `.output/firefox-mv3`
 * @param {{ localServer: string, prefs?: Record<string, unknown> }} opts `localServer`: a local URL
 *   that answers 404, where Firefox's remote settings are pointed (no traffic leaves the machine)
 */
export async function launchFirefox(extensionDir, opts) {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    // Firefox 153+ lets WebDriver open moz-extension:// pages only with system access.
    args: ['--remote-allow-system-access'],
    env: { ...process.env, MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
    extraPrefsFirefox: {
      // Firefox's own background traffic, off: add-on blocklist / remote settings.
      'extensions.blocklist.enabled': false,
      // (honoured only with MOZ_REMOTE_SETTINGS_DEVTOOLS=1): point it at the local server, which 404s.
      'services.settings.server': `${opts.localServer}/no-remote-settings/v1`,
      'extensions.webextensions.uuids': JSON.stringify({ [ADDON_ID]: ADDON_UUID }),
      'media.autoplay.default': 0,
      ...opts.prefs,
    },
  });
  await browser.installExtension(extensionDir);
  return browser;
}

/**
 * A page of the extension (the side panel page), where its storage and messaging can be reached.
 * @param {import('puppeteer-core').Browser} browser
 */
export async function extensionPage(browser) {
  const page = await browser.newPage();
  // WebDriver's navigation to extension pages may never report "load": wait for the DOM instead.
  await page.goto(`moz-extension://${ADDON_UUID}/sidepanel.html`, { waitUntil: 'domcontentloaded', timeout: 10_000 }).catch(() => undefined);
  await page.waitForFunction(() => document.readyState !== 'loading' && 'browser' in globalThis, { timeout: 10_000 });
  return page;
}

/**
 * Every frame result the background logged (storage.session), read from an extension page.
 * @param {import('puppeteer-core').Page} ext
 */
export async function loggedFrames(ext) {
  return ext.evaluate(async () => {
    const all = await globalThis.browser.storage.session.get(null);
    return Object.entries(all)
      .filter(([k]) => k.startsWith('results:'))
      .flatMap(([, v]) => v);
  });
}
