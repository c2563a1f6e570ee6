/**
 * The side panel with the built extension on the local grid call: live cards for the four
 * participants, the session summary, a CSV export that matches the stored session, and an axe-core
 * accessibility check of the extension's pages. Screenshots go to tests/artifacts/ (ignored by git).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchWithExtension, waitForBadges, type Launched } from '../support/browser';
import { callUrl, gridTiles, type GridTile } from '../support/grid';
import { ROOT } from '../support/media';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { CSV_COLUMNS } from '../../utils/summary';
import type { SessionMeta } from '../../utils/session-store';

const ARTIFACTS = join(ROOT, 'tests', 'artifacts');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core in the page (through CDP, which the extension pages' CSP does not block). */
async function axe(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const { axe: run } = globalThis as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } };
    return run.run(document, { resultTypes: ['violations'] });
  });
  return result.violations;
}

const serious = (v: AxeViolation[]) => v.filter((x) => x.impact === 'serious' || x.impact === 'critical').map((x) => `${x.id}: ${x.help} (${x.nodes.map((n) => n.target.join(' ')).join(', ')})`);

describe('side panel in Chromium', () => {
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Launched;
  let call: Page;
  let panel: Page;
  let tiles: GridTile[];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    tiles = await gridTiles();
    server = await serveStatic({ '/pages/': join(ROOT, 'tests/pages'), '/media/': dirname(tiles[0]!.file) });
    browser = await launchWithExtension();
    call = await browser.context.newPage();
    await call.goto(callUrl(server.url, tiles));
    await waitForBadges(call, 4);
    // The side panel page, opened as a tab (the same page Chrome shows in its side panel).
    panel = await browser.context.newPage();
    await panel.setViewportSize({ width: 400, height: 900 });
    await panel.goto(`chrome-extension://${browser.extensionId}/sidepanel.html`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows a live card for each of the four participants, and the room', async () => {
    await call.bringToFront();
    // Faces and AUs come first; the affect model may still be compiling when the first cards appear
    // (they say "Loading expression model…" until it answers): wait for every card's expression.
    await panel.waitForFunction(
      (n) => {
        const cards = [...document.querySelectorAll('article.card:not(.room)')];
        return cards.length >= n && cards.every((c) => /^[A-Z][a-z]+ \d+%$/.test(c.querySelector('.expression')?.textContent ?? ''));
      },
      4,
      { timeout: 30_000, polling: 250 },
    );
    const names = await panel.$$eval('article.card:not(.room) h3', (hs) => hs.map((h) => h.textContent));
    expect(names.sort()).toEqual(tiles.map((t) => t.name).sort());
    expect(await panel.textContent('#room-heading')).toBe('Room');
    // Each card reads a smoothed expression with its confidence, and an engagement meter.
    const expressions = await panel.$$eval('article.card:not(.room) .expression', (ps) => ps.map((p) => p.textContent ?? ''));
    for (const e of expressions) expect(e).toMatch(/^(Anger|Contempt|Disgust|Fear|Happiness|Neutral|Sadness|Surprise) \d+%$/);
    expect(await panel.locator('article.card:not(.room) [role="meter"][aria-label="Engagement index"]').count()).toBe(4);
    await panel.screenshot({ path: join(ARTIFACTS, 'sidepanel-live.png'), fullPage: true });
  });

  it('shows the session summary, and its CSV export matches the stored session', async () => {
    await call.waitForTimeout(4000); // a few more seconds of call
    await panel.getByRole('tab', { name: 'Summary' }).click();
    await panel.getByRole('button', { name: 'Refresh' }).click();
    await panel.waitForSelector('[aria-label^="Summary for"]', { timeout: 20_000 });
    const summaries = await panel.$$eval('[aria-label^="Summary for"] h3', (hs) => hs.map((h) => h.textContent));
    expect(summaries.sort()).toEqual(tiles.map((t) => t.name).sort());
    expect(await panel.locator('figure.chart svg path.line').count()).toBeGreaterThan(4);
    await panel.screenshot({ path: join(ARTIFACTS, 'sidepanel-summary.png'), fullPage: true });

    const [download] = await Promise.all([panel.waitForEvent('download'), panel.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\n');
    expect(csv[0]).toBe(CSV_COLUMNS.join(','));
    // The stored session, as the extension keeps it: every participant's points.
    const stored = await browser.serviceWorker.evaluate(async () => {
      const { chrome } = globalThis as unknown as { chrome: { storage: { local: { get(k: null): Promise<Record<string, unknown>> } } } };
      return chrome.storage.local.get(null);
    });
    const sessions = stored.sessions as SessionMeta[];
    const session = sessions.filter((s) => s.endedAt === null).sort((a, b) => b.lastAt - a.lastAt)[0]!;
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    const rows = csv.slice(1).map((line) => line.split(','));
    expect(new Set(rows.map((r) => r[col('session_id')]))).toEqual(new Set([session.id]));
    for (const p of session.participants) {
      const points = Array.from({ length: p.chunks }, (_, n) => (stored[`series:${session.id}:${p.key}:${n}`] ?? []) as (number | null)[][]).flat();
      const mine = rows.filter((r) => r[col('participant_id')] === p.id);
      // The export was made from the store a moment ago; frames stored since then may add points.
      expect(mine.length).toBeGreaterThan(10);
      expect(points.length).toBeGreaterThanOrEqual(mine.length);
      mine.forEach((r, i) => {
        expect(r[col('time_iso')]).toBe(new Date(points[i]![0]!).toISOString());
        // The newest step may have gained frames since the export; the ones before are final.
        if (i < mine.length - 1) expect(Number(r[col('frames')])).toBe(points[i]![1]);
        else expect(Number(r[col('frames')])).toBeLessThanOrEqual(points[i]![1]!);
      });
    }
  });

  it('has no serious or critical accessibility violations (axe-core) in the side panel and the popup', async () => {
    const panelViolations = serious(await axe(panel));
    await panel.getByRole('tab', { name: 'Live' }).click();
    panelViolations.push(...serious(await axe(panel)));
    await panel.getByRole('tab', { name: 'History' }).click();
    panelViolations.push(...serious(await axe(panel)));
    await panel.screenshot({ path: join(ARTIFACTS, 'sidepanel-history.png'), fullPage: true });
    expect(panelViolations).toEqual([]);
    const popup = await browser.context.newPage();
    // Opened as a page of its own, the popup's tab is an extension page, where AffectLens does not
    // run: it says so, and its switches, which would change nothing there, are disabled.
    await popup.goto(`chrome-extension://${browser.extensionId}/popup.html`);
    await popup.getByText('AffectLens cannot run on this page.').waitFor({ timeout: 10_000 });
    await popup.waitForTimeout(500);
    for (const name of ['Analyse this tab', 'Show overlay']) expect(await popup.getByRole('switch', { name }).isDisabled(), name).toBe(true);
    await popup.screenshot({ path: join(ARTIFACTS, 'popup.png') });
    expect(serious(await axe(popup))).toEqual([]);
  });

  it('has no serious or critical accessibility violations in the options and welcome pages', async () => {
    for (const name of ['options', 'welcome']) {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 900, height: 900 });
      await page.goto(`chrome-extension://${browser.extensionId}/${name}.html`);
      await page.waitForSelector('h1', { timeout: 10_000 });
      await page.waitForTimeout(500); // settings read from storage
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
      expect(serious(await axe(page)), name).toEqual([]);
      await page.close();
    }
  });

  it('side panel in the dark theme: screenshots, and no serious or critical violations', async () => {
    await panel.emulateMedia({ colorScheme: 'dark' });
    try {
      // The page really is dark (style.css follows prefers-color-scheme).
      expect(await panel.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(31, 31, 31)');
      await panel.getByRole('tab', { name: 'Live' }).click();
      await panel.waitForSelector('article.card:not(.room)', { timeout: 10_000 });
      await panel.screenshot({ path: join(ARTIFACTS, 'sidepanel-dark-live.png'), fullPage: true });
      const violations = serious(await axe(panel));
      await panel.getByRole('tab', { name: 'Summary' }).click();
      await panel.waitForSelector('[aria-label^="Summary for"]', { timeout: 20_000 });
      await panel.screenshot({ path: join(ARTIFACTS, 'sidepanel-dark-summary.png'), fullPage: true });
      violations.push(...serious(await axe(panel)));
      expect(violations).toEqual([]);
    } finally {
      await panel.emulateMedia({ colorScheme: 'light' });
    }
  });
});
