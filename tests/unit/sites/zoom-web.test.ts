// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { pickAdapter } from '../../../utils/sites/registry';
import { zoomWeb } from '../../../utils/sites/zoom-web';
import { keys, loadFixture, summary } from './fixture';

describe('Zoom web adapter', () => {
  it('claims the web client on zoom.us hosts only', () => {
    expect(zoomWeb.matchesUrl(new URL('https://app.zoom.us/wc/123456789/join?pwd=x'))).toBe(true);
    expect(zoomWeb.matchesUrl(new URL('https://acme.zoom.us/wc/123456789/start'))).toBe(true);
    expect(zoomWeb.matchesUrl(new URL('https://zoom.us/pricing'))).toBe(false);
    expect(zoomWeb.matchesUrl(new URL('https://zoom.us.evil.example/wc/1'))).toBe(false);
  });

  it('lists gallery frames over one shared canvas', () => {
    const doc = loadFixture('zoom-web', 'gallery.html');
    const tiles = zoomWeb.listTiles(doc);
    expect(tiles.map(summary)).toEqual([
      { key: 'name:Ada Lovelace', name: 'Ada Lovelace', isSelf: false, hidden: false, source: 'canvas' },
      { key: 'name:Grace Hopper', name: 'Grace Hopper', isSelf: false, hidden: false, source: 'canvas' },
      { key: 'name:Alan Turing', name: 'Alan Turing', isSelf: false, hidden: false, source: 'canvas' },
      // No ids on Zoom: a second person with the same name is told apart by order.
      { key: 'name:Alan Turing~2', name: 'Alan Turing', isSelf: false, hidden: false, source: 'canvas' },
    ]);
    const canvas = doc.querySelector('.gallery-video-container__canvas');
    for (const t of tiles) {
      expect(t.source).toBe(canvas); // shared: the caller crops by the anchor's rectangle
      expect(t.anchor.classList.contains('gallery-video-container__video-frame')).toBe(true);
    }
  });

  it('keeps name keys through a switch to speaker view and uses each frame’s own canvas when it has one', () => {
    const after = zoomWeb.listTiles(loadFixture('zoom-web', 'speaker.html'));
    expect(keys(after)).toEqual(['name:Alan Turing', 'name:Ada Lovelace', 'name:Grace Hopper']);
    const grace = after.find((t) => t.key === 'name:Grace Hopper');
    expect(grace?.source?.classList.contains('speaker-active-container__canvas')).toBe(true);
    expect(after.find((t) => t.key === 'name:Ada Lovelace')?.source?.classList.contains('speaker-bar-container__canvas')).toBe(true);
  });

  it('is picked on the web client and reports canvases without frames as unhealthy', () => {
    const gallery = loadFixture('zoom-web', 'gallery.html');
    expect(pickAdapter('https://app.zoom.us/wc/123/join', gallery).adapter.id).toBe('zoom-web');
    const changed = new DOMParser().parseFromString('<div class="meeting-app"><canvas></canvas></div>', 'text/html');
    const choice = pickAdapter('https://app.zoom.us/wc/123/join', changed);
    expect(choice).toMatchObject({ via: 'fallback', adapter: { id: 'generic' } });
    expect(choice.status).toMatch(/Zoom/);
  });
});
