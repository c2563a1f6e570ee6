// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { generic } from '../../../utils/sites/generic';
import { pickAdapter } from '../../../utils/sites/registry';
import { loadFixture, namesByKey, summary } from './fixture';

describe('generic adapter', () => {
  it('names every video from its own label, a labelling ancestor, a caption or its id', () => {
    const doc = loadFixture('generic', 'call.html');
    const tiles = generic.listTiles(doc);
    expect(tiles.map(summary)).toEqual([
      { key: 'id:cam-ada', name: 'Ada Lovelace', isSelf: false, hidden: false, source: 'video' },
      { key: 'name:Grace Hopper', name: 'Grace Hopper', isSelf: false, hidden: false, source: 'video' },
      { key: 'name:Alan Turing', name: 'Alan Turing', isSelf: false, hidden: false, source: 'video' },
      { key: 'name:Katherine Johnson', name: 'Katherine Johnson', isSelf: false, hidden: false, source: 'video' },
      { key: 'name:Alex', name: 'Alex', isSelf: false, hidden: false, source: 'video' },
      { key: 'name:Alex~2', name: 'Alex', isSelf: false, hidden: false, source: 'video' },
      // A label on a group of videos ("Overflow", "Video grid") names none of them.
      { key: 'tile:1', name: null, isSelf: false, hidden: false, source: 'video' },
      { key: 'tile:2', name: null, isSelf: false, hidden: true, source: 'video' },
    ]);
    for (const t of tiles) expect(t.anchor).toBe(t.source);
  });

  it('keeps id and name keys after the page re-renders in another order', () => {
    const before = generic.listTiles(loadFixture('generic', 'call.html'));
    const after = generic.listTiles(loadFixture('generic', 'relayout.html'));
    expect(after.map((t) => t.key)).toEqual(['name:Alan Turing', 'name:Grace Hopper', 'id:cam-ada']);
    expect(namesByKey(before).get('id:cam-ada')).toBe('Ada Lovelace');
    expect(namesByKey(after).get('id:cam-ada')).toBe('Ada King');
  });

  it('claims any page and is always healthy', () => {
    const doc = loadFixture('generic', 'call.html');
    expect(generic.matchesUrl(new URL('https://example.org/'))).toBe(true);
    expect(generic.health(doc)).toMatchObject({ ok: true, tiles: 8, media: 7, status: null });
    expect(pickAdapter('http://localhost:8080/call.html', doc)).toMatchObject({ via: 'generic', status: null, adapter: { id: 'generic' } });
    expect(pickAdapter('not a url', doc).adapter.id).toBe('generic');
  });

  it('returns no tiles and no error for a page without video', () => {
    const doc = new DOMParser().parseFromString('<p>nothing here</p>', 'text/html');
    expect(generic.listTiles(doc)).toEqual([]);
  });
});
