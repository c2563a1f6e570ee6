// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { microsoftTeams } from '../../../utils/sites/microsoft-teams';
import { pickAdapter } from '../../../utils/sites/registry';
import { keys, loadFixture, namesByKey, summary } from './fixture';

describe('Microsoft Teams adapter', () => {
  it('claims the Teams web hosts', () => {
    for (const url of ['https://teams.microsoft.com/v2/', 'https://teams.live.com/meet/123', 'https://teams.cloud.microsoft/']) {
      expect(microsoftTeams.matchesUrl(new URL(url))).toBe(true);
    }
    expect(microsoftTeams.matchesUrl(new URL('https://www.microsoft.com/teams'))).toBe(false);
  });

  it('lists camera tiles with names from the nametag, the stream wrapper or the aria-label', () => {
    const doc = loadFixture('microsoft-teams', 'gallery.html');
    const tiles = microsoftTeams.listTiles(doc);
    expect(tiles.map(summary)).toEqual([
      // "(You)" marks the self-view and is not part of the name.
      { key: 'self', name: 'Ada Lovelace', isSelf: true, hidden: false, source: 'video' },
      { key: 'id:8:orgid:5f1c-102', name: 'Grace Hopper', isSelf: false, hidden: false, source: 'video' },
      // data-tid="video-stream-3" is a machine token, so the aria-label's first part names the tile.
      { key: 'name:Alan Turing', name: 'Alan Turing', isSelf: false, hidden: false, source: 'video' },
      // Camera off: a tile without a source (the overlay says so).
      { key: 'name:Katherine Johnson', name: 'Katherine Johnson', isSelf: false, hidden: false, source: 'none' },
    ]);
    // The screen-share tile is skipped; anchors are the participant tiles.
    for (const t of tiles) expect(t.anchor.getAttribute('data-cid')).toBe('calling-participant-stream');
    expect(microsoftTeams.health(doc, tiles).ok).toBe(true);
  });

  it('keeps keys through a switch to speaker view, a pin and a departure', () => {
    const before = microsoftTeams.listTiles(loadFixture('microsoft-teams', 'gallery.html'));
    const after = microsoftTeams.listTiles(loadFixture('microsoft-teams', 'speaker.html'));
    expect(keys(after)).toEqual(['id:8:orgid:5f1c-102', 'name:Katherine Johnson', 'self']);
    for (const key of ['id:8:orgid:5f1c-102', 'self']) expect(namesByKey(after).get(key)).toBe(namesByKey(before).get(key));
    expect(after.find((t) => t.key === 'self')?.isSelf).toBe(true);
    expect(keys(after)).not.toContain('name:Alan Turing');
    expect(after[0]?.source?.classList.contains('camera')).toBe(true);
  });

  it('is picked by URL and by structure', () => {
    const doc = loadFixture('microsoft-teams', 'gallery.html');
    expect(pickAdapter('https://teams.microsoft.com/v2/', doc)).toMatchObject({ via: 'url', status: null });
    expect(pickAdapter('https://teams.microsoft.com/v2/', doc).adapter.id).toBe('microsoft-teams');
    expect(pickAdapter('http://127.0.0.1:5173/teams.html', doc).adapter.id).toBe('microsoft-teams');
  });
});
