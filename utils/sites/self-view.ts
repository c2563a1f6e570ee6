/**
 * The user's self-view choice applied to a page's tiles: analyse everyone (`include`), everyone but
 * the local camera (`exclude`), or only the local camera (`only`, "self only" mode). Where the site
 * does not mark the self-view (the generic adapter), `exclude` keeps every tile and `only` none —
 * AffectLens never guesses who the user is.
 */
import type { SelfViewMode } from '../settings';
import type { Tile } from './types';

export type { SelfViewMode };

export function applySelfView<T extends Pick<Tile, 'isSelf'>>(tiles: readonly T[], mode: SelfViewMode): T[] {
  if (mode === 'exclude') return tiles.filter((t) => !t.isSelf);
  if (mode === 'only') return tiles.filter((t) => t.isSelf);
  return [...tiles];
}
