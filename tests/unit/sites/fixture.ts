// Loads saved site fixtures (tests/fixtures/sites/<id>/<file>.html) into fresh happy-dom Documents.
// Test files that use this need `// @vitest-environment happy-dom` for DOMParser.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tile } from '../../../utils/sites/types';

/** tests/fixtures/sites (a plain path: happy-dom's URL does not resolve file: URLs). */
export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'sites');

export function fixtureHtml(site: string, file: string): string {
  return readFileSync(join(FIXTURES, site, file), 'utf8');
}

/** A new Document parsed from the fixture (each call is independent, like a page load). */
export function loadFixture(site: string, file: string): Document {
  return new DOMParser().parseFromString(fixtureHtml(site, file), 'text/html');
}

/** The parts of a tile a test compares, with the source and anchor reduced to something printable. */
export function summary(tile: Tile): { key: string; name: string | null; isSelf: boolean; hidden: boolean; source: string } {
  return {
    key: tile.key,
    name: tile.name,
    isSelf: tile.isSelf,
    hidden: tile.hidden,
    source: tile.source?.tagName.toLowerCase() ?? 'none',
  };
}

export function keys(tiles: readonly Tile[]): string[] {
  return tiles.map((t) => t.key);
}

/** Key → name, for comparing two layouts of the same call. */
export function namesByKey(tiles: readonly Tile[]): Map<string, string | null> {
  return new Map(tiles.map((t) => [t.key, t.name]));
}
