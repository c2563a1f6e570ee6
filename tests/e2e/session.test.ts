/**
 * The session store loses nothing: mid-call the service worker is stopped (as Chrome does after
 * 30 s idle) and later the offscreen document is closed; the participant's series continues in the
 * same session, with no gap except the offscreen outage itself, and holds every frame the frame
 * log holds. The built extension in Debian Chromium, one real face video.
 */
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Worker } from 'playwright-core';
import { EXTENSION_DIR, freezePage, launchWithExtension, overlayHtml, waitForBadges, type Launched } from '../support/browser';
import { loggedResults, stopServiceWorkers } from '../support/extension';
import { gridTiles } from '../support/grid';
import { ROOT } from '../support/media';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { pollUntil } from '../../scripts/lib/poll.mjs';
import { POINT_FIELDS } from '../../utils/session-series';
import type { SessionMeta } from '../../utils/session-store';

type ChromeGlobal = { chrome: { storage: { local: { get(k: null): Promise<Record<string, unknown>> } }; offscreen: { closeDocument(): Promise<void> } } };

const T = POINT_FIELDS.indexOf('t');
const FRAMES = POINT_FIELDS.indexOf('frames');
const FACE_FRAMES = POINT_FIELDS.indexOf('faceFrames');

async function sessionData(sw: Worker): Promise<{ sessions: SessionMeta[]; series: Record<string, number[][]> }> {
  return sw.evaluate(async () => {
    const all = await (globalThis as unknown as ChromeGlobal).chrome.storage.local.get(null);
    const series = Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('series:'))) as Record<string, number[][]>;
    return { sessions: (all.sessions ?? []) as SessionMeta[], series };
  });
}

const worker = async (b: Launched) => b.context.serviceWorkers()[0] ?? (await b.context.waitForEvent('serviceworker'));

describe('session store across a stopped service worker and a closed offscreen document', () => {
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Launched;
  let page: Page;
  let stoppedAt = 0;
  let closedAt = 0;
  let resumedAt = 0;
  /** What the tile showed after the offscreen document closed: a status, or a reading's title (ms after the close). */
  const afterClose: { ms: number; status: string | null; title: string | null }[] = [];

  beforeAll(async () => {
    const tiles = await gridTiles();
    server = await serveStatic({ '/pages/': join(ROOT, 'tests/pages'), '/media/': dirname(tiles[0]!.file) });
    // CDP's Extensions domain (an update mid-call, a click on the toolbar button) needs this flag.
    browser = await launchWithExtension({ extraArgs: ['--enable-unsafe-extension-debugging'] });
    page = await browser.context.newPage();
    await page.goto(`${server.url}/pages/call.html?src=/media/top-right.webm&name=Carol`);
    await waitForBadges(page, 1);
    await page.waitForTimeout(4000);
    // 1. The service worker stops mid-call (the offscreen document keeps analysing meanwhile).
    const ext = await browser.context.newPage();
    await ext.goto(`chrome-extension://${browser.extensionId}/popup.html`);
    stoppedAt = Date.now();
    await stopServiceWorkers(ext);
    await ext.close();
    await page.waitForTimeout(4000);
    // 2. The offscreen document goes away; the content script has a new one made.
    closedAt = Date.now();
    await (await worker(browser)).evaluate(() => (globalThis as unknown as ChromeGlobal).chrome.offscreen.closeDocument());
    const back = Date.now() + 30_000;
    // Watch the tile meanwhile (its overlay through CDP, every ~150 ms).
    const watching = (async () => {
      while (Date.now() < back && !resumedAt) {
        const html = await overlayHtml(page).catch(() => '');
        afterClose.push({ ms: Date.now() - closedAt, status: /class="status"[^>]*>([^<]*)</.exec(html)?.[1] ?? null, title: /class="title">([^<]*)</.exec(html)?.[1] ?? null });
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    while (Date.now() < back) {
      const log = await loggedResults(await worker(browser));
      // Back once a frame went through the whole pipeline again (the new document reloads the models):
      // when its answer came, not when it was captured — the first frame after the reload waits for
      // both models to load (measured 1.0–1.6 s), and the tile sends its next frame only after it.
      const next = log.filter((r) => r.at > closedAt + 200 && r.faces.some((f) => f.probs)).map((r) => r.at + r.latency);
      if (next.length) {
        resumedAt = Math.min(...next);
        break;
      }
      await page.waitForTimeout(250);
    }
    await watching;
    await page.waitForTimeout(4000);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('says on the tile within 3 s that the analysis restarts, rather than show the last reading', () => {
    // The relay asks the host every 0.5 s whether it is there (Chrome does not say when the
    // offscreen document closes); before it did, the tile showed its last reading for 5.2 s.
    const firstStatus = afterClose.find((s) => s.status !== null);
    const label = (s: (typeof afterClose)[number]) => s.status ?? s.title ?? '–';
    const changes = afterClose.filter((s, i) => i === 0 || label(s) !== label(afterClose[i - 1]!));
    console.log(`after the offscreen document closed: ${changes.map((s) => `+${s.ms} ${label(s)}`).join(' | ')}`);
    expect(firstStatus, 'a status on the tile').toBeDefined();
    expect(firstStatus!.ms, 'ms until the tile said so').toBeLessThan(3000);
  });

  it('keeps one session, with every logged frame in the series and no gap but the outage', async () => {
    expect(resumedAt, 'frames analysed again after the offscreen document was closed').toBeGreaterThan(closedAt);
    const sw = await worker(browser);
    // A still photo sends a picture every 2 s (keep-alive; in between, the host repeats it): wait
    // for the first one more than a second after the recovery to be in the log (batched every 0.5 s).
    await pollUntil(() => loggedResults(sw), (l) => l.some((r) => r.name === 'Carol' && !r.reused && r.at > resumedAt + 1000), 10_000);
    // The call goes on while the test reads: a batch stored between the two reads (session store
    // first, then frame log: entrypoints/background) is in one and not yet in the other. Read
    // again until a pair of reads saw the same batches (a frame the series lost never matches).
    const snapshot = async () => {
      const { sessions, series } = await sessionData(sw);
      const open = sessions.filter((s) => s.endedAt === null && s.participants.some((p) => p.name === 'Carol'));
      const session = open[0];
      const carol = session?.participants.find((p) => p.name === 'Carol');
      const points = session && carol ? Array.from({ length: carol.chunks }, (_, n) => series[`series:${session.id}:${carol.key}:${n}`] ?? []).flat() : [];
      const log = (await loggedResults(sw)).filter((r) => r.name === 'Carol');
      const frames = points.reduce((n, p) => n + (p[FRAMES] ?? 0), 0);
      return { open, session, carol, points, log, frames };
    };
    const { open, session, carol, points, log, frames } = await pollUntil(snapshot, (s) => s.frames === s.log.length, 5000, 100);
    expect(open, 'one open session for the call').toHaveLength(1);
    expect(carol?.id).toMatch(/#1$/);
    // Every frame the frame log holds is in the series, once.
    expect(frames).toBe(log.length);
    // Gaps between buckets with a face: only the offscreen outage may exceed 1.5 s.
    const withFace = points.filter((p) => (p[FACE_FRAMES] ?? 0) > 0).map((p) => p[T]!);
    const gaps = withFace.slice(1).map((t, i) => ({ from: withFace[i]!, ms: t - withFace[i]! }));
    // From just before the worker was stopped (the first seconds are the models warming up).
    const long = gaps.filter((g) => g.ms > 1500 && g.from >= stoppedAt - 3000);
    console.log(`series: ${points.length} points at ${carol!.resolutionMs} ms, ${frames} frames; SW stopped at +${stoppedAt - session!.startedAt} ms, offscreen closed at +${closedAt - session!.startedAt} ms, outage ${resumedAt - closedAt} ms; gaps > 1.5 s since the stop: ${JSON.stringify(long.map((g) => ({ at: g.from - session!.startedAt, ms: g.ms })))}`);
    for (const g of long) {
      expect(g.from, 'a gap that starts before the offscreen document closed').toBeGreaterThanOrEqual(closedAt - 1500);
      expect(g.from + g.ms, 'a gap that ends after the analysis resumed').toBeLessThanOrEqual(resumedAt + 1500);
    }
    // Frames on both sides of the stopped service worker.
    expect(withFace.some((t) => t > stoppedAt - 2000 && t < stoppedAt)).toBe(true);
    expect(withFace.some((t) => t > stoppedAt && t < closedAt)).toBe(true);
    // Pictures kept taking the relay's direct channel to the host while the worker was stopped
    // (the channel does not go through it), and took a new one to the new offscreen document.
    const pictures = (from: number, to: number) => log.filter((r) => !r.reused && r.at > from && r.at < to);
    for (const [from, to] of [[stoppedAt, closedAt], [resumedAt + 1000, Date.now()]] as const) {
      const p = pictures(from, to);
      // A still photo: a picture at least every 2 s.
      const frames = log.filter((r) => r.at > from && r.at < to).map((r) => `+${r.at - from}${r.held ? ' held' : r.reused ? ' unchanged' : ` picture/${r.via}`}`);
      expect(p.length, `pictures after +${from - stoppedAt} ms (frames then: ${frames.join(', ')})`).toBeGreaterThanOrEqual(1);
      expect(p.filter((r) => r.via === 'channel').length / p.length, `pictures over the direct channel after +${from - stoppedAt} ms`).toBeGreaterThan(0.8);
    }
  });
  it('continues the same session after the tab was suspended (its scripts stopped for 6 s) and resumed', async () => {
    const sw = await worker(browser);
    const before = (await sessionData(sw)).sessions.filter((x) => x.endedAt === null);
    expect(before).toHaveLength(1);
    // A frozen tab runs no script: timers and replies wait until it resumes, while the video plays on.
    const { frozenAt, resumedAt: resumedFrom } = await freezePage(page, 6000);
    await page.waitForTimeout(4000);

    const { sessions, series } = await sessionData(sw);
    const open = sessions.filter((x) => x.endedAt === null);
    expect(open.map((x) => x.id), 'the same session, still open').toEqual(before.map((x) => x.id));
    expect(open[0]!.participants.filter((p) => p.name === 'Carol').map((p) => p.id)).toEqual([before[0]!.participants.find((p) => p.name === 'Carol')!.id]);
    const carol = open[0]!.participants.find((p) => p.name === 'Carol')!;
    const points = Array.from({ length: carol.chunks }, (_, n) => series[`series:${open[0]!.id}:${carol.key}:${n}`] ?? []).flat();
    const withFace = points.filter((p) => (p[FACE_FRAMES] ?? 0) > 0).map((p) => p[T]!);
    const frozen = withFace.filter((t) => t > frozenAt + 1000 && t < resumedFrom - 500);
    const after = withFace.filter((t) => t > resumedFrom);
    console.log(`suspended 6 s: ${frozen.length} points while suspended, ${after.length} in the 4 s after, first ${after.length ? after[0]! - resumedFrom : '–'} ms after resuming`);
    expect(frozen, 'nothing captured while the tab was suspended').toHaveLength(0);
    expect(after[0]! - resumedFrom, 'analysis resumed within 1.5 s').toBeLessThan(1500);
    // Steady again: no gap above 1 s after the first frame.
    expect(Math.max(...after.slice(1).map((t, i) => t - after[i]!))).toBeLessThanOrEqual(1000);
    // The overlay shows a reading again, not a status.
    expect(await waitForBadges(page, 1, 5000)).toBe(1);
  });
  it('extension updated during the call: the tiles say so, one click on the toolbar button resumes the same session', async () => {
    const before = (await sessionData(await worker(browser))).sessions.filter((x) => x.endedAt === null);
    const framesOf = (data: Awaited<ReturnType<typeof sessionData>>, id: string) => {
      const session = data.sessions.find((x) => x.id === id)!;
      const carol = session.participants.find((p) => p.name === 'Carol')!;
      return Array.from({ length: carol.chunks }, (_, n) => data.series[`series:${id}:${carol.key}:${n}`] ?? []).flat().reduce((n, p) => n + (p[FRAMES] ?? 0), 0);
    };
    const framesBefore = framesOf(await sessionData(await worker(browser)), before[0]!.id);
    // An update: the same unpacked extension installed again (CDP, as --load-extension does).
    const restarted = browser.context.waitForEvent('serviceworker', { timeout: 30_000 });
    const cdp = await browser.context.browser()!.newBrowserCDPSession();
    const { id } = (await cdp.send('Extensions.loadUnpacked' as never, { path: EXTENSION_DIR } as never)) as { id: string };
    expect(id).toBe(browser.extensionId);
    const sw = await restarted;
    // Chrome leaves the old content script in the open tab, cut off: it says so on the tile.
    await expect.poll(() => overlayHtml(page), { timeout: 10_000 }).toContain('AffectLens was updated');
    // The user clicks the toolbar button on the call tab: the popup re-attaches the content script.
    const { targetInfos } = (await cdp.send('Target.getTargets' as never, { filter: [{ type: 'tab' }] } as never)) as { targetInfos: { targetId: string; url: string }[] };
    const tab = targetInfos.find((x) => x.url === page.url());
    expect(tab, 'the call tab').toBeDefined();
    await cdp.send('Extensions.triggerAction' as never, { id, targetId: tab!.targetId } as never);
    const data = await pollUntil(() => sessionData(sw), (d) => framesOf(d, before[0]!.id) >= framesBefore + 10, 40_000, 1000);
    const open = data.sessions.filter((x) => x.endedAt === null);
    console.log(`extension update: frames ${framesBefore} → ${framesOf(data, before[0]!.id)}; open sessions ${before.map((x) => x.id)} → ${open.map((x) => x.id)}`);
    expect(open.map((x) => x.id), 'the same session goes on').toEqual(before.map((x) => x.id));
    expect(framesOf(data, before[0]!.id)).toBeGreaterThanOrEqual(framesBefore + 10);
    // One overlay: the new script's relay iframe, which draws it (or its own on the page), nothing of the old one's.
    expect(await page.evaluate(() => document.querySelectorAll('affectlens-overlay, affectlens-relay').length), 'one overlay').toBe(1);
    expect(await waitForBadges(page, 1, 10_000)).toBe(1);
    expect(await overlayHtml(page)).not.toContain('AffectLens was updated');
  });
});
