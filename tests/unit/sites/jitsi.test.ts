// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { jitsi } from '../../../utils/sites/jitsi';
import { pickAdapter } from '../../../utils/sites/registry';
import { keys, loadFixture, namesByKey, summary } from './fixture';

describe('Jitsi Meet adapter', () => {
  it('claims meet.jit.si and 8x8.vc by URL', () => {
    expect(jitsi.matchesUrl(new URL('https://meet.jit.si/WeeklySync'))).toBe(true);
    expect(jitsi.matchesUrl(new URL('https://8x8.vc/vpaas-magic-cookie-1/WeeklySync'))).toBe(true);
    expect(jitsi.matchesUrl(new URL('https://jitsi.example.org/WeeklySync'))).toBe(false);
  });

  it('lists thumbnails by participant id in tile view', () => {
    const doc = loadFixture('jitsi', 'tile-view.html');
    const tiles = jitsi.listTiles(doc);
    expect(tiles.map(summary)).toEqual([
      { key: 'self', name: 'Ada Lovelace', isSelf: true, hidden: false, source: 'video' },
      { key: 'id:1a2b3c4d', name: 'Grace Hopper', isSelf: false, hidden: false, source: 'video' },
      { key: 'id:5e6f7a8b', name: 'Alan Turing', isSelf: false, hidden: false, source: 'video' },
      // Camera off (avatar only): a tile without a source.
      { key: 'id:9c0d1e2f', name: 'Katherine Johnson', isSelf: false, hidden: false, source: 'none' },
    ]);
    expect(tiles.map((t) => t.anchor.id)).toEqual(['localVideoContainer', 'participant_1a2b3c4d', 'participant_5e6f7a8b', 'participant_9c0d1e2f']);
    // The (hidden) large video is not a tile.
    expect(tiles.some((t) => t.source?.id === 'largeVideo')).toBe(false);
  });

  it('keeps keys in stage view: the visible stage copy wins, renames keep the key', () => {
    const before = jitsi.listTiles(loadFixture('jitsi', 'tile-view.html'));
    const after = jitsi.listTiles(loadFixture('jitsi', 'stage-view.html'));
    expect(keys(after).sort()).toEqual(['id:1a2b3c4d', 'id:1a2b3c4d-v1', 'id:5e6f7a8b', 'self']);
    const alan = after.find((t) => t.key === 'id:5e6f7a8b');
    expect(alan?.anchor.id).toBe('participant_5e6f7a8b_stage');
    expect(alan?.hidden).toBe(false);
    expect(namesByKey(before).get('id:1a2b3c4d')).toBe('Grace Hopper');
    expect(namesByKey(after).get('id:1a2b3c4d')).toBe('Grace B. Hopper');
    expect(keys(after)).not.toContain('id:9c0d1e2f');
  });

  it('is recognised by page structure on a self-hosted domain', () => {
    const doc = loadFixture('jitsi', 'tile-view.html');
    expect(jitsi.detect?.(doc)).toBe(true);
    const choice = pickAdapter('https://jitsi.example.org/WeeklySync', doc);
    expect(choice.adapter.id).toBe('jitsi');
    expect(choice.via).toBe('structure');
    expect(choice.tiles.filter((t) => t.source)).toHaveLength(3); // and the camera-off one
  });
});
