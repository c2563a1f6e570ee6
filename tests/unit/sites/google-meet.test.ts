// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { googleMeet } from '../../../utils/sites/google-meet';
import { pickAdapter } from '../../../utils/sites/registry';
import { keys, loadFixture, namesByKey, summary } from './fixture';

const ADA = 'id:spaces/Qx7/devices/101';
const GRACE = 'id:spaces/Qx7/devices/102';
const ALAN = 'id:spaces/Qx7/devices/103';
const GRACE_2 = 'id:spaces/Qx7/devices/105';

describe('Google Meet adapter', () => {
  it('claims meet.google.com only', () => {
    expect(googleMeet.matchesUrl(new URL('https://meet.google.com/abc-defg-hij'))).toBe(true);
    expect(googleMeet.matchesUrl(new URL('https://meet.google.com.evil.example/abc'))).toBe(false);
    expect(googleMeet.matchesUrl(new URL('http://meet.google.com/abc'))).toBe(false);
    expect(googleMeet.matches).toEqual(['https://meet.google.com/*']);
  });

  it('lists one tile per participant in the tiled layout, the camera-off one without a source', () => {
    const doc = loadFixture('google-meet', 'grid.html');
    const tiles = googleMeet.listTiles(doc);
    expect(tiles.map(summary)).toEqual([
      { key: ADA, name: 'Ada Lovelace', isSelf: true, hidden: false, source: 'video' },
      { key: GRACE, name: 'Grace Hopper', isSelf: false, hidden: false, source: 'video' },
      { key: ALAN, name: 'Alan Turing', isSelf: false, hidden: false, source: 'video' },
      // Same display name, different person: keyed apart by the site id.
      { key: GRACE_2, name: 'Grace Hopper', isSelf: false, hidden: false, source: 'video' },
      // Camera off (an avatar): a tile the overlay can say so on; the People panel's entries are not tiles.
      { key: 'id:spaces/Qx7/devices/104', name: 'Katherine Johnson', isSelf: false, hidden: false, source: 'none' },
    ]);
    // The anchor is the outermost element carrying the participant id (it spans the name bar).
    for (const t of tiles) {
      expect(t.anchor.getAttribute('data-requested-participant-id')).toBe(t.key.slice(3));
      if (t.source) expect(t.anchor.contains(t.source)).toBe(true);
    }
    // The stale hidden <video> in Grace's tile is not the source.
    expect(tiles[1]?.source?.classList.contains('old')).toBe(false);
    expect(googleMeet.health(doc, tiles)).toMatchObject({ ok: true, tiles: 5, status: null });
  });

  it('keeps every participant key through a switch to spotlight, a rename and a departure', () => {
    const before = googleMeet.listTiles(loadFixture('google-meet', 'grid.html'));
    const after = googleMeet.listTiles(loadFixture('google-meet', 'spotlight.html'));
    expect(keys(after).sort()).toEqual([ADA, GRACE, ALAN].sort());
    expect(namesByKey(before).get(ALAN)).toBe('Alan Turing');
    expect(namesByKey(after).get(ALAN)).toBe('Alan M. Turing');
    const self = after.find((t) => t.isSelf);
    expect(self?.key).toBe(ADA);
    // Grace is rendered twice; the class-hidden copy loses to the visible one.
    const grace = after.filter((t) => t.key === GRACE);
    expect(grace).toHaveLength(1);
    expect(grace[0]?.hidden).toBe(false);
    expect(grace[0]?.anchor.classList.contains('Yc6Xbe')).toBe(false);
  });

  it('reports unhealthy when the data attributes are gone, and the registry falls back to generic', () => {
    const doc = loadFixture('google-meet', 'selectors-gone.html');
    expect(googleMeet.listTiles(doc)).toEqual([]);
    const health = googleMeet.health(doc);
    expect(health).toMatchObject({ ok: false, tiles: 0, media: 2 });
    expect(health.status).toContain('Google Meet');

    const choice = pickAdapter('https://meet.google.com/abc-defg-hij', doc);
    expect(choice.adapter.id).toBe('generic');
    expect(choice.via).toBe('fallback');
    expect(choice.site?.id).toBe('google-meet');
    expect(choice.status).toMatch(/Google Meet.*generic/);
    expect(choice.tiles.map((t) => t.name)).toEqual(['Ada Lovelace', 'Grace Hopper']);
  });

  it('is healthy on a page without video (lobby, landing page)', () => {
    const doc = new DOMParser().parseFromString('<main><button>Join now</button></main>', 'text/html');
    expect(googleMeet.health(doc)).toMatchObject({ ok: true, media: 0 });
    expect(pickAdapter('https://meet.google.com/abc-defg-hij', doc)).toMatchObject({ via: 'url', status: null });
  });

  it('recognises a Meet-like page by structure (local e2e pages)', () => {
    expect(googleMeet.detect?.(loadFixture('google-meet', 'grid.html'))).toBe(true);
    expect(pickAdapter('http://localhost:8080/meet.html', loadFixture('google-meet', 'grid.html')).adapter.id).toBe('google-meet');
  });
});
