/** Debian Chromium with the built extension loaded, driven by playwright-core (no downloaded browser). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { chromium, type BrowserContext, type Frame, type Page, type Worker } from 'playwright-core';
import { ROOT } from './media';
import { CHROMIUM, chromiumArgs, closeWelcomePage } from '../../scripts/lib/chromium.mjs';
import { pollUntil } from '../../scripts/lib/poll.mjs';
import { serveStatic } from '../../scripts/lib/static-server.mjs';

export const EXTENSION_DIR = join(ROOT, '.output', 'chrome-mv3');

export interface Launched {
  context: BrowserContext;
  extensionId: string;
  serviceWorker: Worker;
  close(): Promise<void>;
}

export interface LaunchOptions {
  extensionDir?: string;
  /** Send all traffic, loopback included, through this proxy port (egress recording). */
  proxyPort?: number;
  headless?: boolean;
  extraArgs?: string[];
}

export async function launchWithExtension(opts: LaunchOptions = {}): Promise<Launched> {
  const extensionDir = opts.extensionDir ?? EXTENSION_DIR;
  const userDataDir = mkdtempSync(join(tmpdir(), 'affectlens-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: opts.headless ?? true,
    args: chromiumArgs(extensionDir, opts),
    viewport: { width: 1280, height: 800 },
  });
  const serviceWorker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 30_000 }));
  const extensionId = new URL(serviceWorker.url()).host;
  if (!(await closeWelcomePage(context))) throw new Error('the welcome page did not open on install');
  return {
    context,
    extensionId,
    serviceWorker,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The overlay lives in a closed shadow root (page scripts must not read it); tests read it the way
 * DevTools does, through CDP with `pierce`.
 */
export async function overlayHtml(page: Page): Promise<string> {
  // Drawn on the page itself (before the relay iframe is up, where it cannot be, or cut off from
  // the extension), or in the relay iframe over it (its own process: a target of its own).
  for (const where of [page, ...relayFrames(page)]) {
    const html = await overlayHtmlIn(page, where).catch(() => '');
    if (html) return html;
  }
  return '';
}

/** The page's relay iframes (utils/transport.ts RelayTransport), where the overlay is drawn in Chrome. */
export function relayFrames(page: Page): Frame[] {
  return page.frames().filter((f) => f !== page.mainFrame() && /^chrome-extension:\/\/[^/]+\/relay\.html/.test(f.url()));
}

async function overlayHtmlIn(page: Page, where: Page | Frame): Promise<string> {
  const cdp = await page.context().newCDPSession(where);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    type Node = { nodeId: number; localName?: string; shadowRoots?: Node[]; children?: Node[] };
    const find = (n: Node): Node | undefined => {
      if (n.localName === 'affectlens-overlay') return n;
      for (const c of [...(n.children ?? []), ...(n.shadowRoots ?? [])]) {
        const hit = find(c);
        if (hit) return hit;
      }
      return undefined;
    };
    const host = find(root as Node);
    const shadow = host?.shadowRoots?.[0];
    if (!shadow) return '';
    const { outerHTML } = await cdp.send('DOM.getOuterHTML', { nodeId: (shadow.children ?? []).find((c) => c.localName === 'div')?.nodeId ?? shadow.nodeId });
    return outerHTML;
  } finally {
    await cdp.detach();
  }
}

/** Badges the overlay draws now. */
export async function badgeCount(page: Page): Promise<number> {
  return (await overlayHtml(page)).split('class="badge"').length - 1;
}

/** Wait until the overlay draws at least `n` badges (or the time is up); returns the last count. */
export function waitForBadges(page: Page, n: number, timeoutMs = 60_000): Promise<number> {
  return pollUntil(() => badgeCount(page), (count) => count >= n, timeoutMs);
}

/** Collect the page's uncaught errors and console errors (the content script's included) into `errors`. */
export function collectErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
}

/**
 * The local call page with one tile playing `video` (served from its folder) as `name`, in Chromium
 * with the built extension, once the tile's badge shows; the page's errors go to `errors`.
 */
export async function oneTileCall(video: string, name: string, errors: string[]): Promise<{ server: Awaited<ReturnType<typeof serveStatic>>; browser: Launched; page: Page }> {
  const server = await serveStatic({ '/pages/': join(ROOT, 'tests/pages'), '/media/': dirname(video) });
  const browser = await launchWithExtension();
  const page = await browser.context.newPage();
  collectErrors(page, errors);
  await page.goto(`${server.url}/pages/call.html?src=/media/${basename(video)}&name=${encodeURIComponent(name)}`);
  await waitForBadges(page, 1, 60_000);
  return { server, browser, page };
}

/**
 * Freeze the page's scripts for `ms`, as a suspended tab: no script of the page, the content script
 * included, runs until it resumes, while its video plays on. Headless Chromium neither hides nor
 * freezes a tab (Page.setWebLifecycleState 'frozen' is ignored there), so the renderer is stopped
 * with the debugger. When it froze and when it resumed (wall clock).
 */
export async function freezePage(page: Page, ms: number): Promise<{ frozenAt: number; resumedAt: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Debugger.enable');
  const frozenAt = Date.now();
  await cdp.send('Debugger.pause');
  await new Promise((r) => setTimeout(r, ms));
  const resumedAt = Date.now();
  await cdp.send('Debugger.resume');
  await cdp.send('Debugger.disable');
  await cdp.detach();
  return { frozenAt, resumedAt };
}
