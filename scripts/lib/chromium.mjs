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
