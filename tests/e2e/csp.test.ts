/**
 * A meeting page with a strict content security policy (own origin only, no frames, no workers):
 * analysis must work as on any page, with no CSP violation. (Chrome exempts the extension's
 * web-accessible relay iframe from the page's frame-src — measured here — so frames still go
 * through the relay; where a relay cannot come up, the content script sends them itself.)
 */
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchWithExtension, waitForBadges, type Launched } from '../support/browser';
import { loggedResults } from '../support/extension';
import { callUrl, gridTiles } from '../support/grid';
import { strictCsp } from '../support/csp';
import { ROOT } from '../support/media';
import { serveStatic } from '../../scripts/lib/static-server.mjs';

describe('a page whose CSP forbids frames', () => {
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Launched;
  let page: Page;
  const violations: string[] = [];

  beforeAll(async () => {
    const tiles = await gridTiles();
    server = await serveStatic({ '/pages/': join(ROOT, 'tests/pages'), '/media/': dirname(tiles[0]!.file) }, { headers: { 'content-security-policy': strictCsp() } });
    browser = await launchWithExtension();
    page = await browser.context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    // What the page itself hears of a violation (and would report to its site): the event, beside Chrome's console message.
    await page.addInitScript(() => {
      const seen: string[] = ((window as unknown as { cspViolations: string[] }).cspViolations = []);
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI} (${e.sourceFile})`));
    });
    await page.goto(callUrl(server.url, tiles));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('analyses every tile, with no CSP violation', async () => {
    expect(await waitForBadges(page, 4, 40_000)).toBe(4);
    await page.waitForTimeout(3000);
    const log = (await loggedResults(browser.serviceWorker)).filter((r) => !r.reused);
    console.log(`frames ${log.length}: ${log.filter((r) => r.via === 'direct').length} direct, ${log.filter((r) => r.via === 'relay').length} relay; CSP messages: ${violations.length ? violations[0] : 'none'}`);
    expect(log.length).toBeGreaterThan(8);
    expect(new Set(log.map((r) => r.name)).size).toBe(4);
    expect(violations).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations), 'violation events the page saw').toEqual([]);
    await page.screenshot({ path: join(ROOT, 'tests', 'artifacts', 'csp-page.png') });
  });
});
