// @vitest-environment happy-dom
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADAPTERS, DEV_MATCHES, FALLBACK_ADAPTER, adapterById, allMatchPatterns, pickAdapter } from '../../../utils/sites/registry';
import { FIXTURES, loadFixture } from './fixture';

const TESTS = import.meta.dirname;

/** Minimal WebExtension match-pattern test (scheme, host with optional `*.` prefix, path glob). */
function matchPattern(pattern: string, url: URL): boolean {
  const m = /^(https?|\*):\/\/(\*|(?:\*\.)?[^/*]+)(\/.*)$/.exec(pattern);
  if (!m) return false;
  const [, scheme = '', host = '', path = ''] = m;
  if (scheme !== '*' && `${scheme}:` !== url.protocol) return false;
  if (host !== '*') {
    const bare = host.replace(/^\*\./, '');
    const ok = host.startsWith('*.') ? url.hostname === bare || url.hostname.endsWith(`.${bare}`) : url.hostname === host;
    if (!ok) return false;
  }
  const glob = new RegExp(`^${path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return glob.test(url.pathname + url.search);
}

describe('site adapter registry', () => {
  it('registers every adapter exactly once, with unique ids, generic last', () => {
    expect(new Set(ADAPTERS).size).toBe(ADAPTERS.length);
    const ids = ADAPTERS.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(ADAPTERS.at(-1)).toBe(FALLBACK_ADAPTER);
    expect(ids).toEqual(expect.arrayContaining(['google-meet', 'microsoft-teams', 'jitsi', 'zoom-web', 'generic']));
    for (const a of ADAPTERS) expect(adapterById(a.id)).toBe(a);
  });

  it('has a fixture test and fixtures for every adapter', () => {
    const tests = new Set(readdirSync(TESTS));
    const missing = ADAPTERS.filter((a) => !tests.has(`${a.id}.test.ts`)).map((a) => `tests/unit/sites/${a.id}.test.ts`);
    expect(missing, 'adapters without a fixture test').toEqual([]);
    for (const a of ADAPTERS) {
      const dir = join(FIXTURES, a.id);
      expect(existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.html')), `fixtures for ${a.id}`).toBe(true);
    }
  });

  it('registers every adapter file in utils/sites', () => {
    // An adapter module that exists but is not in ADAPTERS would never run.
    const helpers = new Set(['types.ts', 'dom.ts', 'registry.ts', 'tracking.ts', 'self-view.ts']);
    const files = readdirSync(join(TESTS, '..', '..', '..', 'utils', 'sites')).filter((f) => f.endsWith('.ts') && !helpers.has(f));
    expect(files.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual(ADAPTERS.map((a) => a.id).sort());
  });

  it('builds the content-script match patterns from the adapters plus local development hosts', () => {
    const patterns = allMatchPatterns();
    expect(new Set(patterns).size).toBe(patterns.length);
    for (const a of ADAPTERS) for (const m of a.matches) expect(patterns).toContain(m);
    expect(patterns).toEqual(expect.arrayContaining(['http://localhost/*', 'http://127.0.0.1/*', ...DEV_MATCHES]));
    expect(patterns).toEqual(
      expect.arrayContaining(['https://meet.google.com/*', 'https://teams.microsoft.com/*', 'https://meet.jit.si/*', 'https://*.zoom.us/*']),
    );
    for (const p of patterns) expect(p).toMatch(/^(https?):\/\/(\*|\*\.[^/*]+|[^/*]+)\/.*$/);
  });

  it('picks the right adapter by URL, for URLs its own match patterns cover', () => {
    const samples: Record<string, string> = {
      'google-meet': 'https://meet.google.com/abc-defg-hij',
      'microsoft-teams': 'https://teams.microsoft.com/v2/',
      jitsi: 'https://meet.jit.si/WeeklySync',
      'zoom-web': 'https://app.zoom.us/wc/123456789/join',
    };
    const empty = new DOMParser().parseFromString('<p></p>', 'text/html');
    for (const a of ADAPTERS) {
      if (a === FALLBACK_ADAPTER) continue;
      const url = samples[a.id];
      expect(url, `sample URL for ${a.id}`).toBeDefined();
      // The manifest must inject the content script where the adapter claims pages.
      expect(a.matches.some((p) => matchPattern(p, new URL(url ?? ''))), `${a.id} patterns cover ${url}`).toBe(true);
      const choice = pickAdapter(url ?? '', empty);
      expect(choice.adapter.id, url).toBe(a.id);
      expect(choice.via).toBe('url');
    }
    // Nothing else claims these.
    for (const url of ['https://example.org/', 'https://zoom.us/pricing', 'https://google.com/meet', 'http://localhost:3000/']) {
      expect(pickAdapter(url, empty).adapter.id, url).toBe('generic');
    }
  });

  it('picks by URL before structure: a Jitsi page structure on meet.google.com is still Meet', () => {
    const jitsiDoc = loadFixture('jitsi', 'tile-view.html');
    const choice = pickAdapter(new URL('https://meet.google.com/abc-defg-hij'), jitsiDoc);
    // Meet's selectors find nothing among the page's videos, so the generic adapter takes over.
    expect(choice.site?.id).toBe('google-meet');
    expect(choice.adapter.id).toBe('generic');
    expect(choice.status).toMatch(/generic/);
  });

  it('falls back to generic with a status when a Meet page’s selectors no longer match', () => {
    const doc = loadFixture('google-meet', 'selectors-gone.html');
    const choice = pickAdapter('https://meet.google.com/abc-defg-hij', doc);
    expect(choice).toMatchObject({ via: 'fallback', adapter: { id: 'generic' }, site: { id: 'google-meet' }, health: { ok: false } });
    expect(choice.status).toBe('Google Meet: page layout not recognised (2 videos, no participant tiles) — using generic video detection');
    expect(choice.tiles).toHaveLength(2);
  });

  it('recognises sites by structure off their domains, most specific first', () => {
    const cases: [string, string, string][] = [
      ['google-meet', 'grid.html', 'google-meet'],
      ['microsoft-teams', 'gallery.html', 'microsoft-teams'],
      ['jitsi', 'tile-view.html', 'jitsi'],
      ['zoom-web', 'gallery.html', 'zoom-web'],
      ['generic', 'call.html', 'generic'],
    ];
    for (const [site, file, expected] of cases) {
      const choice = pickAdapter('http://localhost:8080/page.html', loadFixture(site, file));
      expect(choice.adapter.id, `${site}/${file}`).toBe(expected);
      expect(choice.via).toBe(expected === 'generic' ? 'generic' : 'structure');
    }
  });
});
