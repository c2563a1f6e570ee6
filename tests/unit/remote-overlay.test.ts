// @vitest-environment happy-dom
/**
 * The overlay drawn in the relay iframe: the page's end (utils/transport.ts RemoteOverlay) and the
 * relay's (components/overlay-board.ts OverlayBoard), over a real MessageChannel. It must show what
 * the page's own overlay would for the same tiles — the page saying only where a tile shows and
 * its own word (a status), the relay drawing the answers and pushes it carries by itself — and
 * cost the page no message while its tiles stay put.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Overlay, type TileDraw, type TilePlace } from '../../components/overlay';
import { OverlayBoard } from '../../components/overlay-board';
import { RemoteOverlay, type OverlayMessage } from '../../utils/transport';
import { DEFAULT_OVERLAY_CONTENTS } from '../../utils/settings';
import type { FaceResult } from '../../utils/types';

/** The overlay's layer as HTML (its shadow root opened for the test). */
function layerHtml(doc: Document): string {
  return doc.querySelector('affectlens-overlay')?.shadowRoot?.querySelector('.layer')?.outerHTML ?? '';
}

// Probabilities in the models' order (Anger, Contempt, Disgust, Fear, Happiness, Neutral, Sadness, Surprise).
const face = (top: number, p: number, x = 0.3): FaceResult => {
  const probs = new Array<number>(8).fill((1 - p) / 7);
  probs[top] = p;
  return {
    participantId: 't#1',
    boxNorm: { x, y: 0.2, w: 0.3, h: 0.4 },
    aus: new Array<number>(12).fill(0.1),
    active: new Array<boolean>(12).fill(false),
    smile: top === 4,
    affect: { probs, valence: top === 4 ? 0.6 : 0, arousal: 0.1, backend: 'b', vaSource: 'model', contemptAvailable: true },
  };
};

const placeA: TilePlace = { box: { x: 0, y: 0, w: 320, h: 240 }, content: { x: 0, y: 0, w: 320, h: 240 } };
const placeB: TilePlace = { box: { x: 330, y: 0, w: 320, h: 240 }, content: { x: 330, y: 30, w: 320, h: 180 } };

describe('the overlay drawn in the relay iframe', () => {
  const channels: MessageChannel[] = [];
  afterEach(() => {
    for (const c of channels) {
      c.port1.close();
      c.port2.close();
    }
    channels.length = 0;
  });

  /** A page's RemoteOverlay, and the relay's board in its own document, fed by the channel; `expected` draws on the page itself. */
  function pair() {
    const channel = new MessageChannel();
    channels.push(channel);
    const frame = document.createElement('iframe');
    const remote = new RemoteOverlay(frame, channel.port1);
    const relayDoc = document.implementation.createHTMLDocument('relay');
    const drawn = new Overlay(relayDoc, 'open');
    const board = new OverlayBoard(drawn, 0);
    let received = 0;
    channel.port2.onmessage = (e: MessageEvent<OverlayMessage>) => {
      received++;
      board.apply(e.data.overlay);
    };
    /** Wait until the relay has had `n` messages in all (and its draws, which follow at once here). */
    const settle = async (n: number) => {
      for (let i = 0; i < 50 && received < n; i++) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 5));
      expect(received, 'messages the relay received').toBe(n);
    };
    const pageDoc = document.implementation.createHTMLDocument('page');
    const local = new Overlay(pageDoc, 'open');
    local.mount();
    /** What the page's own overlay shows for these tiles. */
    const expected = (tiles: [string, TileDraw][]) => {
      local.draw(tiles);
      return layerHtml(pageDoc);
    };
    return { frame, remote, board, drawn, relayDoc, settle, expected, local };
  }

  it('draws what the page itself would, from the page’s places and the results the relay carries', async () => {
    const { frame, remote, board, relayDoc, settle, expected, local } = pair();
    remote.setVisible(true);
    local.setVisible(true);
    expect(frame.style.visibility).toBe('visible');
    // The page: two tiles, A with no word of its own yet, B with its status.
    remote.draw([
      ['a', { place: placeA, status: null, faces: [], own: false }],
      ['b', { place: placeB, status: 'waiting for video', faces: [], own: true }],
    ]);
    await settle(2);
    // The relay carries A's answer to the page, and draws it.
    const happy = [face(4, 0.92), face(5, 0.7, 0.65)];
    board.answered('a', happy);
    await settle(2);
    const want = expected([
      ['a', { place: placeA, status: null, faces: happy, own: true }],
      ['b', { place: placeB, status: 'waiting for video', faces: [], own: true }],
    ]);
    expect(layerHtml(relayDoc)).toContain('Happiness 92%');
    expect(layerHtml(relayDoc)).toContain('Neutral 70%');
    expect(layerHtml(relayDoc)).toContain('waiting for video');
    expect(layerHtml(relayDoc)).toBe(want);

    // The tiles stay where they are and the page has nothing new to say: no message.
    remote.draw([['a', { place: { ...placeA }, status: null, faces: happy, own: false }]]);
    await settle(2);
    // A moves (a layout change): only its place goes; the relay keeps its faces and moves them.
    const moved: TilePlace = { box: { x: 0, y: 250, w: 320, h: 240 }, content: { x: 0, y: 250, w: 320, h: 240 } };
    remote.draw([['a', { place: moved, status: null, faces: [], own: false }]]);
    await settle(3);
    expect(layerHtml(relayDoc)).toBe(expected([['a', { place: moved, status: null, faces: happy, own: true }]]));

    // B's answer: no face.
    board.answered('b', []);
    await settle(3);
    expect(layerHtml(relayDoc)).toBe(expected([['b', { place: placeB, status: 'no face', faces: [], own: true }]]));
    expect(remote.tileCount).toBe(2);
  });

  it("draws a held tile's pushes until the page lets it go, and the page's word over its last result", async () => {
    const { remote, board, relayDoc, settle } = pair();
    remote.draw([['a', { place: placeA, status: null, faces: [], own: false }]]);
    await settle(1);
    board.answered('a', [face(5, 0.6)]);
    // Not held yet: a push is old news.
    board.pushed('a', [face(4, 0.55)]);
    expect(layerHtml(relayDoc)).toContain('Neutral 60%');
    board.hold(['a']);
    board.pushed('a', [face(4, 0.81)]);
    expect(layerHtml(relayDoc)).toContain('Happiness 81%');
    // The page released it (or sent a frame of it): the push that crossed that on the way is not drawn.
    board.unhold('a');
    board.pushed('a', [face(6, 0.9)]);
    expect(layerHtml(relayDoc)).toContain('Happiness 81%');
    expect(layerHtml(relayDoc)).not.toContain('Sadness');
    // The page's own word (the video paused): its status, no faces.
    remote.draw([['a', { place: placeA, status: 'paused', faces: [], own: true }]]);
    await settle(2);
    expect(layerHtml(relayDoc)).toContain('paused');
    expect(layerHtml(relayDoc)).not.toContain('class="badge"');
  });

  it('takes back the page’s word that reached the relay after the answer it was meant to precede', async () => {
    const { remote, board, relayDoc, settle } = pair();
    remote.draw([['a', { place: placeA, status: null, faces: [], own: false }]]);
    await settle(1);
    expect(layerHtml(relayDoc)).not.toContain('class="status"');
    // The page says "waiting for video" (a moment without a frame); its next frame's answer, carried
    // by the relay, comes first and is drawn; the page's word, drawn at its next animation frame,
    // comes after.
    board.answered('a', [face(4, 0.88)]);
    remote.draw([['a', { place: placeA, status: 'waiting for video', faces: [], own: true }]]);
    await settle(2);
    expect(layerHtml(relayDoc)).toContain('waiting for video');
    // The answer reaches the page: the tile is the relay's again, at the same place — that is said,
    // and the relay shows the answer it had.
    remote.draw([['a', { place: placeA, status: null, faces: [face(4, 0.88)], own: false }]]);
    await settle(3);
    expect(layerHtml(relayDoc)).not.toContain('waiting for video');
    expect(layerHtml(relayDoc)).toContain('Happiness 88%');
    // And then, staying put, nothing more to say.
    remote.draw([['a', { place: placeA, status: null, faces: [face(4, 0.88)], own: false }]]);
    await settle(3);
  });

  it('follows the badge lines the user chose, and forgets removed and cleared tiles', async () => {
    const { remote, board, drawn, relayDoc, settle } = pair();
    remote.draw([['a', { place: placeA, status: null, faces: [], own: false }]]);
    await settle(1);
    board.answered('a', [face(4, 0.92)]);
    expect(layerHtml(relayDoc)).toContain('Happiness 92%');
    remote.setLines({ ...DEFAULT_OVERLAY_CONTENTS, expression: false });
    await settle(2);
    expect(layerHtml(relayDoc)).not.toContain('Happiness 92%');
    expect(layerHtml(relayDoc)).toContain('Smile');
    // Removed: gone, and an answer still on its way for it draws nothing.
    remote.remove('a');
    remote.remove('a'); // twice: one message
    await settle(3);
    board.answered('a', [face(4, 0.92)]);
    expect(layerHtml(relayDoc)).not.toContain('class="badge"');
    expect(drawn.tileCount, 'tiles the relay still draws').toBe(0);
    // Cleared (the page draws elsewhere now): nothing left; drawn again from nothing.
    remote.draw([['b', { place: placeB, status: 'camera off', faces: [], own: true }]]);
    remote.unmount();
    await settle(5);
    expect(relayDoc.querySelector('affectlens-overlay'), 'cleared').toBeNull();
    expect(remote.tileCount).toBe(0);
    remote.draw([['c', { place: placeA, status: 'no face', faces: [], own: true }]]);
    await settle(6);
    expect(layerHtml(relayDoc)).toContain('no face');
    expect(layerHtml(relayDoc)).not.toContain('camera off');
  });
});
