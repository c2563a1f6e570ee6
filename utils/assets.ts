import { browser } from 'wxt/browser';

/**
 * URL of a file shipped in the build that WXT's typed `getURL` does not know about
 * (assets the build hook copies in: weights and MediaPipe's wasm).
 */
export function assetUrl(path: `/${string}`): string {
  return (browser.runtime.getURL as (p: string) => string)(path);
}
