import { describe, expect, it } from 'vitest';
import { applySelfView } from '../../../utils/sites/self-view';

const tiles = [
  { key: 'self', isSelf: true },
  { key: 'id:a', isSelf: false },
  { key: 'id:b', isSelf: false },
];

describe('self-view choice', () => {
  it('includes everyone, excludes the local camera, or keeps only it', () => {
    expect(applySelfView(tiles, 'include').map((t) => t.key)).toEqual(['self', 'id:a', 'id:b']);
    expect(applySelfView(tiles, 'exclude').map((t) => t.key)).toEqual(['id:a', 'id:b']);
    expect(applySelfView(tiles, 'only').map((t) => t.key)).toEqual(['self']);
  });

  it('never guesses the self-view where the site does not mark it', () => {
    const unmarked = tiles.map((t) => ({ ...t, isSelf: false }));
    expect(applySelfView(unmarked, 'exclude')).toHaveLength(3);
    expect(applySelfView(unmarked, 'only')).toEqual([]);
  });
});
