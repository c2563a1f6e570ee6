// @vitest-environment happy-dom
/**
 * The overlay drawn in the relay iframe (utils/transport.ts RemoteOverlay → components/overlay.ts
 * applyOverlayCommand) shows exactly what the page's own overlay would, given the same calls, over
 * a real MessageChannel: tiles with faces and statuses, a tile going, the overlay hidden, a clear.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Overlay, applyOverlayCommand, type TileView } from '../../components/overlay';
import { RemoteOverlay, type OverlayMessage } from '../../utils/transport';

/** The overlay's layer as HTML (its shadow root opened for the test). */
function layerHtml(host: Document): string {
  const el = host.querySelector('affectlens-overlay');
  return el?.shadowRoot?.querySelector('.layer')?.outerHTML ?? '';
}

const face = (x: number, title: string): TileView['faces'][number] => ({
  rect: { x, y: 40, w: 80, h: 90 },
  title,
  detail: 'Smile · AU12 0.81',
  tone: 'positive',
  va: { valence: 0.4, arousal: -0.1, estimated: false },
});

const tileA: TileView = { rect: { x: 0, y: 0, w: 320, h: 240 }, status: null, faces: [face(40, 'Happiness 92%'), face(180, 'Neutral 70%')] };
const tileB: TileView = { rect: { x: 330, y: 0, w: 320, h: 240 }, status: 'no face', faces: [] };

describe('the overlay drawn in the relay iframe', () => {
  const channels: MessageChannel[] = [];
  afterEach(() => {
    for (const c of channels) {
      c.port1.close();
      c.port2.close();
    }
    channels.length = 0;
  });

  /** A page's RemoteOverlay, and the relay's side: its own document and Overlay, fed by the channel. */
  function pair() {
    const channel = new MessageChannel();
    channels.push(channel);
    const frame = document.createElement('iframe');
    const remote = new RemoteOverlay(frame, channel.port1);
    const relayDoc = document.implementation.createHTMLDocument('relay');
    const drawn = new Overlay(relayDoc, 'open');
    let received = 0;
    channel.port2.onmessage = (e: MessageEvent<OverlayMessage>) => {
      received++;
      applyOverlayCommand(drawn, e.data.overlay);
    };
    const settle = async (n: number) => {
      for (let i = 0; i < 50 && received < n; i++) await new Promise((r) => setTimeout(r, 5));
      expect(received, 'messages the relay received').toBe(n);
    };
    return { frame, remote, relayDoc, settle };
  }

  it('draws what the page itself would draw, one message per draw', async () => {
    const { frame, remote, relayDoc, settle } = pair();
    const pageDoc = document.implementation.createHTMLDocument('page');
    const local = new Overlay(pageDoc, 'open');
    local.mount();
    const both = (f: (o: Overlay | RemoteOverlay) => void) => {
      f(local);
      f(remote);
    };

    remote.setVisible(true);
    local.setVisible(true);
    expect(frame.style.visibility).toBe('visible');
    both((o) => o.draw([['a', tileA], ['b', tileB]]));
    await settle(2);
    expect(layerHtml(relayDoc)).toContain('Happiness 92%');
    expect(layerHtml(relayDoc)).toContain('no face');
    expect(layerHtml(relayDoc)).toBe(layerHtml(pageDoc));
    expect(remote.tileCount).toBe(2);

    // A result changes one tile's first face; one face leaves it.
    both((o) => o.draw([['a', { ...tileA, faces: [face(44, 'Surprise 61%')] }]]));
    await settle(3);
    expect(layerHtml(relayDoc)).toContain('Surprise 61%');
    expect(layerHtml(relayDoc)).not.toContain('Neutral 70%');
    expect(layerHtml(relayDoc)).toBe(layerHtml(pageDoc));

    // A tile leaves the page; removing it again sends nothing.
    both((o) => o.remove('b'));
    remote.remove('b');
    await settle(4);
    expect(layerHtml(relayDoc)).not.toContain('no face');
    expect(layerHtml(relayDoc)).toBe(layerHtml(pageDoc));
    expect(remote.tileCount).toBe(1);

    // Hidden: the frame is not rendered, and its layer says so too.
    both((o) => o.setVisible(false));
    await settle(5);
    expect(frame.style.visibility).toBe('hidden');
    expect(layerHtml(relayDoc)).toMatch(/display: none/);
    expect(layerHtml(relayDoc)).toBe(layerHtml(pageDoc));
  });

  it('clears everything when the page stops drawing there, and draws again from nothing', async () => {
    const { remote, relayDoc, settle } = pair();
    remote.draw([['a', tileA]]);
    remote.draw([]); // an empty draw sends nothing
    await settle(1);
    remote.unmount();
    await settle(2);
    expect(relayDoc.querySelector('affectlens-overlay'), 'cleared').toBeNull();
    expect(remote.tileCount).toBe(0);
    remote.draw([['b', tileB]]);
    await settle(3);
    expect(layerHtml(relayDoc)).toContain('no face');
    expect(layerHtml(relayDoc), 'the tile drawn before the clear').not.toContain('Happiness');
  });
});
