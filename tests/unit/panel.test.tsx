// @vitest-environment happy-dom
/**
 * The side panel's components rendered with preact into happy-dom, with the English messages
 * (public/_locales/en/messages.json) behind `browser.i18n.getMessage`, so the assertions read the
 * real text: live cards, the room, the V/A circumplex, the charts, the session summary and the
 * panel's bad inputs (no participants, a participant seen for one second, a 3-hour call, export
 * while analysis runs, storage cleared by the browser).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render, type ComponentChild } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { describeEngine } from '../../components/engine-status';
import { Circumplex } from '../../components/panel/Circumplex';
import { LiveCard, RoomCard, type LiveParticipant } from '../../components/panel/LiveCard';
import { SessionView, momentText } from '../../components/panel/SessionView';
import { Bars, LineChart, reduce } from '../../components/panel/charts';
import { SidePanel } from '../../entrypoints/sidepanel/main';
import { AFFECTNET_CLASSES } from '../../models/affect/types';
import { ParticipantSeries, type FrameSample, type Point } from '../../utils/session-series';
import { CHUNK_POINTS, type SessionMeta } from '../../utils/session-store';
import { CSV_COLUMNS, summariseParticipant } from '../../utils/summary';
import type { FaceResult } from '../../utils/types';

interface Message {
  message: string;
  placeholders?: Record<string, { content: string }>;
}
const MESSAGES = JSON.parse(readFileSync(join(__dirname, '../../public/_locales/en/messages.json'), 'utf8')) as Record<string, Message>;

/** `chrome.i18n.getMessage` over the English messages: named placeholders → `$n` → substitutions, `$$` → `$`. */
function getMessage(name: string, substitutions?: string | string[]): string {
  const m = MESSAGES[name];
  if (!m) return '';
  const subs = ([] as string[]).concat(substitutions ?? []);
  const fill = (s: string) => s.replace(/\$(\d)/g, (_, d: string) => subs[Number(d) - 1] ?? '');
  return m.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (_, p: string) => fill(m.placeholders?.[p.toLowerCase()]?.content ?? '')).replace(/\$\$/g, '$');
}

let host: HTMLElement;
beforeEach(() => {
  vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation(getMessage as never);
  host = document.createElement('div');
  document.body.append(host);
});
afterEach(async () => {
  await act(() => render(null, host));
  host.remove();
  vi.restoreAllMocks();
  vi.useRealTimers();
  fakeBrowser.reset();
});

async function show(node: ComponentChild): Promise<HTMLElement> {
  await act(() => render(node, host));
  return host;
}

/** Let promises, storage and effects run until `ok()` holds (or fail after `ms`). */
async function until(ok: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out; the panel shows: ${host.textContent}`);
    await act(() => new Promise((r) => setTimeout(r, 5)));
  }
}

const text = (sel: string) => host.querySelector(sel)?.textContent ?? null;

// ---- fixtures ----------------------------------------------------------------------------------

const probsOf = (top: (typeof AFFECTNET_CLASSES)[number], p: number) => AFFECTNET_CLASSES.map((c) => (c === top ? p : (1 - p) / 7));

function face(opts: { label?: string | null; p?: number; valence?: number; arousal?: number; engagement?: number | null; compound?: string | null; active?: number[] } = {}): FaceResult {
  const label = opts.label === undefined ? 'Happiness' : opts.label;
  const probs = label ? probsOf(label as (typeof AFFECTNET_CLASSES)[number], opts.p ?? 0.87) : null;
  return {
    participantId: 'tile-1#1',
    boxNorm: { x: 0.2, y: 0.2, w: 0.3, h: 0.4 },
    affect: probs ? { probs, valence: opts.valence ?? 0.4, arousal: opts.arousal ?? 0.1, vaSource: 'model', contemptAvailable: true, backend: 'test' } : undefined,
    aus: new Array(12).fill(0),
    active: Array.from({ length: 12 }, (_, i) => (opts.active ?? []).includes(i)),
    smile: false,
    live: {
      label,
      probs,
      valence: opts.valence ?? 0.4,
      arousal: opts.arousal ?? 0.1,
      compound: opts.compound ? { label: opts.compound, score: 0.5 } : null,
      engagement: {
        index: opts.engagement === undefined ? 0.64 : opts.engagement,
        components: { presence: 1, frontal: 0.9, eyes: 0.8, expressivity: 0.3, arousal: 0.5 },
      },
      smile: false,
      baselineFormed: true,
      lagMs: { expression: 830, va: 170 },
    },
  };
}

function person(name: string, f: FaceResult | null, at: number, fps: number | null = 7.5): LiveParticipant {
  return { key: `1:${name}#1`, tabId: 1, participantId: `${name}#1`, name, face: f, at, fps };
}

/** Frames of one participant at `fps` for `seconds`, face always present, a slow V/A wave. */
function frames(start: number, seconds: number, fps: number): FrameSample[] {
  const n = Math.round(seconds * fps);
  return Array.from({ length: n }, (_, i) => {
    const t = start + (i * 1000) / fps;
    const phase = (i / n) * 2 * Math.PI;
    const top = AFFECTNET_CLASSES[Math.floor((i / n) * 4) % 8]!;
    return { t, face: true, probs: probsOf(top, 0.7), valence: 0.5 * Math.sin(phase), arousal: 0.3 * Math.cos(phase), engagement: 0.6, aus: new Array(12).fill(0.1) };
  });
}

const T0 = Date.UTC(2025, 4, 12, 10, 0, 0);

/** A stored session (meta + series chunks in the fake storage.local, as the session store writes them). */
async function storeSession(people: { name: string; points: Point[]; resolutionMs: number }[], extra: Partial<SessionMeta> = {}): Promise<SessionMeta> {
  const id = extra.id ?? 's1';
  const items: Record<string, unknown> = {};
  const participants = people.map((p, key) => {
    const chunks = Math.ceil(p.points.length / CHUNK_POINTS);
    for (let n = 0; n < chunks; n++) items[`series:${id}:${key}:${n}`] = p.points.slice(n * CHUNK_POINTS, (n + 1) * CHUNK_POINTS).map((pt) => pt.map((v) => (Number.isFinite(v) ? v : null)));
    return { id: `tile-${key}#1`, name: p.name, key, resolutionMs: p.resolutionMs, chunks, firstAt: p.points[0]?.[0] ?? T0, lastAt: p.points[p.points.length - 1]?.[0] ?? T0 };
  });
  const meta: SessionMeta = { id, tabId: 1, call: 'https://meet.example/abc', startedAt: T0, lastAt: Math.max(T0, ...participants.map((p) => p.lastAt)), endedAt: T0 + 60_000, participants, notice: null, lastFrame: {}, ...extra };
  await fakeBrowser.storage.local.set({ ...items, sessions: [...(((await fakeBrowser.storage.local.get('sessions')).sessions as SessionMeta[] | undefined) ?? []), meta] });
  return meta;
}

function seriesOf(samples: FrameSample[]): { points: Point[]; resolutionMs: number } {
  const s = new ParticipantSeries();
  for (const f of samples) s.add(f);
  const snap = s.snapshot();
  return { points: snap.points, resolutionMs: snap.resolutionMs };
}

// ---- live cards --------------------------------------------------------------------------------

describe('LiveCard', () => {
  const now = T0 + 10_000;

  it('shows the name, the smoothed label with its confidence, frames/s and the engagement meter', async () => {
    await show(<LiveCard p={person('Ada Lovelace', face({ active: [3, 6] }), now - 500)} now={now} />);
    expect(text('h3')).toBe('Ada Lovelace');
    expect(text('.expression')).toBe('Happiness 87%');
    expect(text('header .muted')).toBe('7.5 frames/s');
    expect(text('.aus')).toBe('AU6 · AU12');
    expect(host.querySelector('.aus')?.getAttribute('aria-label')).toBe('Active action units');
    const meter = host.querySelector('[role="meter"][aria-label="Engagement index"]')!;
    expect(meter.getAttribute('aria-valuenow')).toBe('64');
    expect(meter.getAttribute('aria-valuetext')).toBe('64%');
    expect(host.querySelector('article')!.classList.contains('stale')).toBe(false);
    expect(host.querySelector('svg.circumplex')!.getAttribute('aria-label')).toBe('Ada Lovelace: valence and arousal: valence 0.40, arousal 0.10');
    expect(text('details summary')).toBe('What the engagement index is made of');
    expect([...host.querySelectorAll('details [role="meter"]')].map((m) => m.getAttribute('aria-label'))).toEqual(['Presence', 'Facing the screen', 'Eyes open, on screen', 'Expressivity', 'Arousal']);
  });

  it('shows the compound line only when there is a compound', async () => {
    await show(<LiveCard p={person('Ada', face(), now)} now={now} />);
    expect(host.querySelector('.compound')).toBeNull();
    await show(<LiveCard p={person('Ada', face({ label: 'Surprise', compound: 'Happily Surprised' }), now)} now={now} />);
    expect(text('.compound')).toBe('Happily Surprised');
    expect(text('.expression')).toBe('Surprise 87%');
  });

  it('says "No face" without a face, and without a meter value', async () => {
    await show(<LiveCard p={person('Ada', null, now - 1000)} now={now} />);
    expect(text('.expression')).toBe('No face');
    expect(text('.aus')).toBe('no active AU');
    const meter = host.querySelector('[role="meter"]')!;
    expect(meter.hasAttribute('aria-valuenow')).toBe(false);
    expect(meter.getAttribute('aria-valuetext')).toBe('not available');
    expect(host.querySelector('svg.circumplex')!.getAttribute('aria-label')).toBe('Ada: valence and arousal: not available');
  });

  it('without an expression reading says whether the model is still loading or missing', async () => {
    await show(<LiveCard p={person('Ada', face({ label: null }), now)} now={now} affectLoading />);
    expect(text('.expression')).toBe('Loading expression model…');
    await show(<LiveCard p={person('Ada', face({ label: null }), now)} now={now} />);
    expect(text('.expression')).toBe('No expression model');
  });

  it('is paused after more than 3 s without frames, not before', async () => {
    await show(<LiveCard p={person('Ada', face(), now - 3000)} now={now} />);
    expect(text('header .muted')).toBe('7.5 frames/s');
    await show(<LiveCard p={person('Ada', face(), now - 3001)} now={now} />);
    expect(text('header .muted')).toBe('paused — no recent frames');
    expect(host.querySelector('article')!.classList.contains('stale')).toBe(true);
  });

  it('says the rate is being measured after a tile’s first frame, not "0.0 frames/s"', async () => {
    await show(<LiveCard p={person('Ada', face(), now, null)} now={now} />);
    expect(text('header .muted')).toBe('measuring frames/s…');
  });
});

describe('RoomCard', () => {
  it('means over the participants with a face now; the stale and faceless do not count', async () => {
    const now = T0 + 10_000;
    const people = [
      person('A', face({ valence: 0.2, arousal: -0.2, engagement: 0.5 }), now - 100),
      person('B', face({ valence: 0.6, arousal: 0.4, engagement: 0.7, label: 'Neutral' }), now - 100),
      person('C', face({ valence: -1, arousal: -1, engagement: 0 }), now - 5000),
      person('D', null, now - 100),
    ];
    await show(<RoomCard people={people} now={now} />);
    expect(text('#room-heading')).toBe('Room');
    expect(text('header .muted')).toBe('2 of 4 with a face');
    expect(host.querySelector('svg.circumplex')!.getAttribute('aria-label')).toBe('Room: mean valence and arousal: valence 0.40, arousal 0.10');
    expect(host.querySelector('[role="meter"][aria-label="Mean engagement index"]')!.getAttribute('aria-valuenow')).toBe('60');
    expect(text('.expression')).toMatch(/^(Happiness|Neutral) most common$/);
  });

  it('reads "–" and "not available" when nobody has a face', async () => {
    await show(<RoomCard people={[person('A', null, T0)]} now={T0} />);
    expect(text('header .muted')).toBe('0 of 1 with a face');
    expect(text('.expression strong')).toBe('–');
    expect(host.querySelector('[role="meter"]')!.getAttribute('aria-valuetext')).toBe('not available');
  });
});

describe('Circumplex', () => {
  it('puts valence on x and arousal on y (up), and says both', async () => {
    await show(<Circumplex valence={1} arousal={0} />);
    const svg = host.querySelector('svg')!;
    expect(svg.getAttribute('aria-label')).toBe('Valence and arousal: valence 1.00, arousal 0.00');
    expect(svg.querySelector('title')?.textContent).toBe(svg.getAttribute('aria-label'));
    let dot = svg.querySelector('circle.dot')!;
    // size 64: centre 32, radius 28
    expect([Number(dot.getAttribute('cx')), Number(dot.getAttribute('cy'))]).toEqual([60, 32]);

    await show(<Circumplex valence={0} arousal={1} estimated label="Ada" />);
    expect(host.querySelector('svg')!.getAttribute('aria-label')).toBe('Ada: valence 0.00, arousal 1.00 (estimated from expression)');
    dot = host.querySelector('circle.dot')!;
    expect([Number(dot.getAttribute('cx')), Number(dot.getAttribute('cy'))]).toEqual([32, 4]);
    expect(dot.getAttribute('class')).toBe('dot estimated');
  });

  it('draws no dot without values', async () => {
    await show(<Circumplex valence={null} arousal={0.3} />);
    expect(host.querySelector('svg')!.getAttribute('aria-label')).toBe('Valence and arousal: not available');
    expect(host.querySelector('circle.dot')).toBeNull();
  });
});

// ---- charts ------------------------------------------------------------------------------------

describe('charts', () => {
  it('reduce(): means per slice of the time axis, null where a slice has no value', () => {
    const t = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const v = [1, 3, null, null, 5, null, 2, 4, 6, 8];
    const r = reduce(t, v, 5);
    expect(r.v).toEqual([2, null, 5, 3, 7]);
    expect(r.t.map((x) => +x.toFixed(2))).toEqual([0.9, 2.7, 4.5, 6.3, 8.1]);
    // Short enough: unchanged, gaps kept.
    expect(reduce([0, 1, 2], [1, null, 2], 5)).toEqual({ t: [0, 1, 2], v: [1, null, 2] });
  });

  it('LineChart: one path per series, a new subpath (M) after every gap, a dot for a lone point', async () => {
    const t = [0, 1000, 2000, 3000, 4000];
    await show(
      <LineChart
        title="Test chart"
        t={t.map((x) => T0 + x)}
        origin={T0}
        yMin={-1}
        yMax={1}
        series={[
          { label: 'Valence', cls: 's-valence', values: [0, 0.5, null, 1, 1] },
          { label: 'Arousal', cls: 's-arousal', values: [0.1, null, 0.2, null, 0.3] },
          { label: 'Engagement', cls: 's-engagement', values: [null, null, null, null, null] },
        ]}
      />,
    );
    const paths = [...host.querySelectorAll('path.line')];
    expect(paths).toHaveLength(3);
    const d = paths.map((p) => p.getAttribute('d') ?? '');
    expect(d[0]!.match(/M/g)).toHaveLength(2);
    expect(d[0]!.match(/L/g)).toHaveLength(2);
    expect(d[1]!.match(/M/g)).toHaveLength(3);
    expect(d[1]!.match(/h0/g)).toHaveLength(3);
    expect(d[2]).toBe('');
    expect(host.querySelector('svg')!.getAttribute('aria-label')).toBe('Test chart: Valence from 0.00 to 1.00; Arousal from 0.10 to 0.30; Engagement: no data, over 0:04');
    expect(text('figcaption')).toBe('Test chart');
  });

  it('LineChart without any value says so instead of an empty plot', async () => {
    await show(<LineChart title="Empty" t={[T0]} origin={T0} yMin={0} yMax={1} series={[{ label: 'x', cls: 's-valence', values: [null] }]} />);
    expect(host.querySelector('svg')).toBeNull();
    expect(text('figure p')).toBe('Nothing to show yet.');
  });

  it('Bars: widths proportional to the values, the largest full', async () => {
    await show(
      <Bars
        title="Bars"
        items={[
          { label: 'a', value: 1, text: '1 s' },
          { label: 'b', value: 2, text: '2 s' },
          { label: 'c', value: 4, text: '4 s' },
        ]}
      />,
    );
    expect([...host.querySelectorAll<HTMLElement>('.bar')].map((b) => b.style.width)).toEqual(['25%', '50%', '100%']);
    expect([...host.querySelectorAll('th')].map((th) => th.textContent)).toEqual(['a', 'b', 'c']);
    await show(<Bars title="None" items={[]} />);
    expect(host.querySelector('table')).toBeNull();
    expect(text('figure p')).toBe('Nothing to show yet.');
  });

  it('a 3-hour call at 8 frames/s: summary and chart stay fast, at most 300 points per line', async () => {
    const { points, resolutionMs } = seriesOf(frames(T0, 3 * 3600, 8));
    expect(points.length).toBeLessThanOrEqual(2048);
    const start = performance.now();
    const s = summariseParticipant('p', 'P', points, resolutionMs);
    await show(
      <LineChart
        title="3 h"
        t={s.timeline.t}
        origin={T0}
        yMin={-1}
        yMax={1}
        series={[
          { label: 'Valence', cls: 's-valence', values: s.timeline.valence },
          { label: 'Arousal', cls: 's-arousal', values: s.timeline.arousal },
          { label: 'Engagement', cls: 's-engagement', values: s.timeline.engagement },
        ]}
      />,
    );
    const ms = performance.now() - start;
    expect(ms).toBeLessThan(1000);
    const paths = [...host.querySelectorAll('path.line')].map((p) => p.getAttribute('d') ?? '');
    expect(paths).toHaveLength(3);
    for (const d of paths) {
      const n = (d.match(/[ML]/g) ?? []).length;
      expect(n).toBeGreaterThan(100);
      expect(n).toBeLessThanOrEqual(300);
    }
    expect(host.querySelector('svg')!.getAttribute('aria-label')).toMatch(/over (2:59:\d\d|3:00:00)$/);
  });
});

// ---- session summary ---------------------------------------------------------------------------

describe('SessionView', () => {
  it('a session with zero participants: an empty state, not a blank panel', async () => {
    const meta = await storeSession([]);
    await show(<SessionView session={meta} live={false} />);
    await until(() => !host.textContent?.includes('Computing'));
    expect(text('p.empty')).toBe('Nobody was analysed in this session yet. Turn analysis on for a call tab, then come back.');
  });

  it('a participant present for one second: the card, their charts, no crash', async () => {
    const one = seriesOf(frames(T0 + 5000, 1, 8));
    const long = seriesOf(frames(T0, 60, 8));
    const meta = await storeSession([
      { name: 'Brief', ...one },
      { name: 'Stayed', ...long },
    ]);
    await show(<SessionView session={meta} live={false} />);
    await until(() => host.querySelectorAll('[aria-label^="Summary for"]').length === 2);
    const brief = host.querySelector('[aria-label="Summary for Brief"]')!;
    expect(brief.querySelector('h3')!.textContent).toBe('Brief');
    expect(brief.querySelector('p.muted')!.textContent).toBe('face seen 1 s of 1 s · resolution 0.25 s');
    expect(brief.querySelectorAll('figure').length).toBeGreaterThan(0);
    expect(brief.textContent).not.toMatch(/NaN|undefined|null/);
    expect(host.querySelector('[aria-label="Summary for Stayed"] p.muted')!.textContent).toBe('face seen 1 min 0 s of 1 min 0 s · resolution 0.25 s');
    expect(text('.toolbar .muted')).toContain('https://meet.example/abc');
    expect([...host.querySelectorAll('.toolbar button')].map((b) => b.textContent)).toEqual(['Export CSV', 'Export JSON']);
  });

  it('the notable moments read as the summary words them (English), from the messages', async () => {
    const { points, resolutionMs } = seriesOf(frames(T0, 60, 8));
    const s = summariseParticipant('p', 'P', points, resolutionMs);
    expect(s.moments.length).toBeGreaterThan(1);
    for (const m of s.moments) expect(momentText(m, s, resolutionMs)).toBe(`${m.kind}: ${m.text}`);
  });

  it('a participant whose stored series is gone: says so instead of empty charts', async () => {
    const meta = await storeSession([{ name: 'Gone', ...seriesOf(frames(T0, 5, 8)) }]);
    await fakeBrowser.storage.local.remove('series:s1:0:0');
    await show(<SessionView session={meta} live={false} />);
    await until(() => !!host.querySelector('[aria-label="Summary for Gone"]'));
    expect(host.querySelector('[aria-label="Summary for Gone"] p.empty')!.textContent).toMatch(/^No data of this participant are stored any more/);
  });

  it('export while analysis runs: the file holds what is stored at export time, not the summary on screen', async () => {
    const created: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => (created.push(b as Blob), 'blob:test'));
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    const first = seriesOf(frames(T0, 10, 8));
    const meta = await storeSession([{ name: 'Ada', ...first }], { endedAt: null });
    await show(<SessionView session={meta} live />);
    await until(() => !!host.querySelector('[aria-label="Summary for Ada"]'));
    expect(text('.toolbar .muted')).toContain('in progress');
    // Recording goes on: 10 s more are stored (the background rewrites the chunks and the meta).
    const more = seriesOf(frames(T0, 20, 8));
    expect(more.points.length).toBeGreaterThan(first.points.length);
    await fakeBrowser.storage.local.set({ sessions: [] });
    const later = await storeSession([{ name: 'Ada', ...more }], { endedAt: null });
    await show(<SessionView session={later} live />);
    const exportCsv = [...host.querySelectorAll('button')].find((b) => b.textContent === 'Export CSV')!;
    await act(() => exportCsv.click());
    await until(() => created.length === 1);
    const csv = (await created[0]!.text()).trim().split('\n');
    expect(csv[0]).toBe(CSV_COLUMNS.join(','));
    expect(csv.length - 1).toBe(more.points.length);
    expect(host.querySelector('[role="alert"]')).toBeNull();
  });
});

// ---- the whole panel ---------------------------------------------------------------------------

describe('SidePanel', () => {
  beforeEach(() => {
    // Nobody answers the status request (no call page open), as in the browser.
    fakeBrowser.runtime.onMessage.addListener(() => undefined);
  });

  const tab = (name: string) => [...host.querySelectorAll<HTMLButtonElement>('[role="tab"]')].find((b) => b.textContent === name)!;

  it('says what is missing in every tab when nothing is stored', async () => {
    await show(<SidePanel />);
    expect(text('h1')).toBe('AffectLens');
    expect(text('.status')).toBe('Analysis not started yet (open a call page).');
    expect([...host.querySelectorAll('[role="tab"]')].map((b) => b.textContent)).toEqual(['Live', 'Summary', 'History']);
    expect(text('p.empty')).toBe('No participant analysed yet. Open a call, then turn analysis on in the AffectLens popup.');
    await act(() => tab('Summary').click());
    await until(() => !!host.querySelector('p.empty'));
    expect(text('p.empty')).toBe('No session yet: the summary appears once a call has been analysed.');
    await act(() => tab('History').click());
    expect(text('p.empty')).toBe('No sessions kept. Sessions appear here once a call has been analysed.');
  });

  it('storage cleared by the browser while a summary is shown: the empty state, not a broken panel', async () => {
    await storeSession([{ name: 'Ada', ...seriesOf(frames(T0, 10, 8)) }]);
    await show(<SidePanel />);
    await act(() => tab('History').click());
    await until(() => !!host.querySelector('.history li'));
    expect(text('.history li')).toContain('1 participant');
    await act(() => tab('Summary').click());
    await until(() => !!host.querySelector('[aria-label="Summary for Ada"]'));
    await act(() => fakeBrowser.storage.local.clear());
    await until(() => !!host.querySelector('p.empty'));
    expect(text('p.empty')).toBe('No session yet: the summary appears once a call has been analysed.');
    await act(() => tab('History').click());
    expect(text('p.empty')).toBe('No sessions kept. Sessions appear here once a call has been analysed.');
  });

  it('a view that fails to render says so and the other tabs still work', async () => {
    // A history entry without its participant list (written by some other version, or damaged).
    await fakeBrowser.storage.local.set({ sessions: [{ id: 'bad', tabId: 1, call: '', startedAt: T0, lastAt: T0, endedAt: T0, participants: null }] });
    await show(<SidePanel />);
    await act(() => tab('History').click());
    await until(() => !!host.querySelector('[role="alert"]'));
    expect(text('[role="alert"] p')).toMatch(/^This view could not be shown: /);
    expect(text('[role="alert"] button')).toBe('Try again');
    await act(() => tab('Live').click());
    expect(host.querySelector('[role="alert"]')).toBeNull();
    expect(text('p.empty')).toBe('No participant analysed yet. Open a call, then turn analysis on in the AffectLens popup.');
  });

  it('a call whose storage ran full says so above every tab, in words', async () => {
    await storeSession([{ name: 'Ada', ...seriesOf(frames(T0, 10, 8)) }], { endedAt: null, notice: { kind: 'downsampled', stepMs: 4000 } });
    await show(<SidePanel />);
    await until(() => !!host.querySelector('header [role="alert"]'));
    expect(text('header [role="alert"]')).toBe('Storage was full: this call is now kept at one point every 4 seconds (averages, nothing dropped).');
    await act(() => tab('Summary').click());
    await until(() => !!host.querySelector('[aria-label="Summary for Ada"]'));
    expect([...host.querySelectorAll('[role="alert"]')].map((a) => a.textContent)).toContain('Storage was full: this call is now kept at one point every 4 seconds (averages, nothing dropped).');
  });

  it('a sessions value that is not a list (corrupt storage) reads as no sessions', async () => {
    await fakeBrowser.storage.local.set({ sessions: { broken: true } });
    await show(<SidePanel />);
    await act(() => tab('History').click());
    await until(() => !!host.querySelector('p.empty'));
    expect(text('p.empty')).toBe('No sessions kept. Sessions appear here once a call has been analysed.');
  });
});

describe('describeEngine', () => {
  it('words every state through the messages', () => {
    const ready = { state: 'ready', backend: 'x', note: null, loadMs: 1, readyAt: 1 } as const;
    expect(describeEngine(undefined)).toBe('Analysis not started yet (open a call page).');
    expect(describeEngine({ ...ready, affect: { id: 'a', label: 'HSEmotion', vaEstimated: false, contemptAvailable: true } })).toBe(
      'Model ready: faces by MediaPipe, expressions by HSEmotion, valence/arousal from the model.',
    );
    expect(describeEngine({ ...ready, affect: { id: 'b', label: 'face-api', vaEstimated: true, contemptAvailable: false }, note: 'HSEmotion file missing' })).toBe(
      'Model ready: faces by MediaPipe, expressions by face-api (no Contempt class), valence/arousal estimated from expression. HSEmotion file missing.',
    );
    expect(describeEngine({ ...ready, affect: null })).toBe('Model ready: faces by MediaPipe, action units only.');
    expect(describeEngine({ state: 'loading', detail: 'landmarker' })).toBe('Loading: landmarker…');
    expect(describeEngine({ state: 'model-missing', file: 'a.onnx', hint: 'Run npm run models' })).toBe('Model missing: a.onnx. Run npm run models.');
    expect(describeEngine({ state: 'error', message: 'boom' })).toBe('Analysis unavailable: boom');
    expect(describeEngine({ state: 'idle' })).toBe('Idle.');
  });
});
