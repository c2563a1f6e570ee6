import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannel as NodeChannel, type MessagePort as NodePort } from 'node:worker_threads';
import { runEngineRouter, TileAssigner, type FromRouter, type ToRouter } from '../../utils/engine-router';
import { combinedStatus } from '../../utils/inference-host';
import { engineThreads } from '../../utils/config';
import type { EngineMessage, EnginePush, EngineReply, EngineRequest, WorkerScope } from '../../utils/engine-worker';
import { DEFAULT_OVERLAY_CONTENTS } from '../../utils/settings';
import type { FrameRequest } from '../../utils/protocol';
import type { EngineStatus } from '../../utils/types';

describe('tile assignment to engine threads', () => {
  it('keeps a tile on its engine and gives new tiles to the engine with the fewest recent tiles', () => {
    const a = new TileAssigner(2);
    expect(a.engineFor('1:a', 0)).toBe(0);
    expect(a.engineFor('1:b', 10)).toBe(1);
    expect(a.engineFor('1:c', 20)).toBe(0);
    expect(a.engineFor('1:d', 30)).toBe(1);
    // Sticky: the same tile, the same engine, whatever the load.
    for (let t = 40; t < 100; t += 10) expect(a.engineFor('1:a', t)).toBe(0);
    // Tiles not seen for 10 s no longer count: engine 1's two tiles left, engine 0's 'a' stays.
    a.engineFor('1:a', 15_000);
    expect(a.engineFor('2:x', 15_000)).toBe(1);
  });

  it('with one engine, everything goes to it', () => {
    const a = new TileAssigner(1);
    expect(['a', 'b', 'c'].map((k, i) => a.engineFor(k, i))).toEqual([0, 0, 0]);
  });

  it('uses one engine thread per core the call can spare, at most two', () => {
    expect([1, 2, 3, 4, 16].map((c) => engineThreads(c))).toEqual([1, 1, 2, 2, 2]);
  });
});

describe('engine status shown to the user', () => {
  const ready = (n: number): EngineStatus => ({ state: 'ready', backend: `b${n}`, affect: null, note: null, loadMs: n, readyAt: n });
  it('is ready only when every engine is, says loading while one loads, and a failure wins', () => {
    expect(combinedStatus([ready(1), ready(2)])).toEqual(ready(1));
    expect(combinedStatus([ready(1), { state: 'loading', detail: 'x' }])).toEqual({ state: 'loading', detail: 'x' });
    expect(combinedStatus([{ state: 'loading', detail: 'x' }, { state: 'error', message: 'boom' }])).toEqual({ state: 'error', message: 'boom' });
  });
});

// The router on real message channels (Node's; the same semantics as the browser's for this use).
describe('engine router', () => {
  const open: NodePort[] = [];
  afterEach(() => {
    for (const p of open) p.close();
    open.length = 0;
  });

  function setup(engines: number) {
    const fromRouter: FromRouter[] = [];
    let onMessage: ((e: MessageEvent<ToRouter>) => void) | null = null;
    const scope: WorkerScope<ToRouter, FromRouter> = {
      postMessage: (m) => fromRouter.push(m),
      addEventListener: (_t, l) => (onMessage = l),
      close: () => {},
    };
    runEngineRouter(scope);
    const send = (m: ToRouter) => onMessage!({ data: m } as MessageEvent<ToRouter>);
    // Fake engines: each answers every frame with its own index in the reply's status detail.
    const seen: Array<Array<{ tileId: string; id: number }>> = [];
    const held: EngineMessage[][] = Array.from({ length: engines }, () => []);
    const ports = Array.from({ length: engines }, (_, i) => {
      const ch = new NodeChannel();
      open.push(ch.port1, ch.port2);
      seen.push([]);
      ch.port1.on('message', (req: EngineRequest | EngineMessage) => {
        if ('holds' in req || 'release' in req) {
          // Held tiles: the fake engine pushes one repeat back for each hold.
          held[i]!.push(req);
          if ('holds' in req) for (const h of req.holds) ch.port1.postMessage({ push: { tabId: h.tabId, tileId: h.tileId, reply: { ok: false, reason: 'dropped', status: { state: 'loading', detail: `engine ${i}` } } } } satisfies EnginePush);
          return;
        }
        seen[i]!.push({ tileId: req.request.tileId, id: req.id });
        ch.port1.postMessage({ id: req.id, reply: { ok: false, reason: 'dropped', status: { state: 'loading', detail: `engine ${i}` } } } satisfies EngineReply);
      });
      return ch.port2;
    });
    send({ type: 'engines', ports: ports as unknown as MessagePort[] });
    return { send, fromRouter, seen, held };
  }

  const frame = (tileId: string): FrameRequest => ({ tileId, name: tileId, mediaTime: 0, capturedAt: Date.now(), image: '', width: 0, height: 0, pageMs: 0, via: 'channel' });

  it('answers each frame under its own id, from the engine that holds its tile', async () => {
    const { send, fromRouter, seen } = setup(2);
    const tiles = ['a', 'b', 'a', 'c', 'b', 'a'];
    tiles.forEach((t, i) => send({ type: 'frame', id: 100 + i, tabId: 7, request: frame(t) }));
    await expect.poll(() => fromRouter.length).toBe(tiles.length);
    // Every id answered once, by the engine its tile went to.
    const byId = new Map(fromRouter.map((r) => [r.id, r.reply]));
    expect([...byId.keys()].sort()).toEqual(tiles.map((_, i) => 100 + i));
    const engineOf = (tile: string) => seen.findIndex((s) => s.some((f) => f.tileId === tile));
    tiles.forEach((t, i) => {
      const r = byId.get(100 + i)!;
      expect(!r.ok && r.status.state === 'loading' && r.status.detail).toBe(`engine ${engineOf(t)}`);
    });
    // Each tile on exactly one engine, and both engines used.
    for (const t of ['a', 'b', 'c']) expect(seen.filter((s) => s.some((f) => f.tileId === t)).length).toBe(1);
    expect(seen.every((s) => s.length > 0)).toBe(true);
  });

  it('serves a relay channel: replies carry the relay’s ids, and the ready message comes first', async () => {
    const { send, seen } = setup(1);
    const relay = new NodeChannel();
    open.push(relay.port1, relay.port2);
    const got: unknown[] = [];
    relay.port1.on('message', (m) => got.push(m));
    send({ type: 'serve', port: relay.port2 as unknown as MessagePort });
    relay.port1.postMessage({ id: 5, tabId: 3, request: frame('t') });
    relay.port1.postMessage({ id: 6, tabId: 3, request: { ...frame('t'), unchanged: true } });
    await expect.poll(() => got.length).toBe(3);
    expect(got[0]).toEqual({ ready: true });
    expect(got.slice(1).map((m) => (m as { id: number }).id)).toEqual([5, 6]);
    expect(seen[0]!.map((f) => f.tileId)).toEqual(['t', 't']);
  });

  it('answers a relay’s ping at once, whatever the engines are doing', async () => {
    const { send } = setup(1);
    const relay = new NodeChannel();
    open.push(relay.port1, relay.port2);
    const got: unknown[] = [];
    relay.port1.on('message', (m) => got.push(m));
    send({ type: 'serve', port: relay.port2 as unknown as MessagePort });
    relay.port1.postMessage({ ping: 1 });
    relay.port1.postMessage({ ping: 2 });
    await expect.poll(() => got.length).toBe(3);
    expect(got).toEqual([{ ready: true }, { pong: 1 }, { pong: 2 }]);
  });

  it("takes a still tile's hold and release to the engine that holds the tile, and brings its pushes back to that tab's relay", async () => {
    const { send, seen, held } = setup(2);
    const relays = [new NodeChannel(), new NodeChannel()];
    const got: unknown[][] = [[], []];
    relays.forEach((r, i) => {
      open.push(r.port1, r.port2);
      r.port1.on('message', (m) => got[i]!.push(m));
      send({ type: 'serve', port: r.port2 as unknown as MessagePort });
    });
    // Tab 3 on the first relay, tab 9 on the second; tiles a and b of tab 3 go to different engines.
    relays[0]!.port1.postMessage({ id: 1, tabId: 3, request: frame('a') });
    relays[0]!.port1.postMessage({ id: 2, tabId: 3, request: frame('b') });
    relays[1]!.port1.postMessage({ id: 1, tabId: 9, request: frame('a') });
    await expect.poll(() => got[0]!.length + got[1]!.length).toBe(5);
    const ask = (tabId: number, tileId: string) => ({ tabId, tileId, name: tileId, everyMs: 100, mediaTime: 0, capturedAt: 0, lines: DEFAULT_OVERLAY_CONTENTS });
    // Both of tab 3's still tiles in one message; then 3:b released.
    relays[0]!.port1.postMessage({ holds: [ask(3, 'a'), ask(3, 'b')] });
    relays[0]!.port1.postMessage({ release: { tabId: 3, tileId: 'b' } });
    relays[1]!.port1.postMessage({ holds: [ask(9, 'a')] });
    // The pushes for tab 3 came back on tab 3's relay only, and tab 9's on its own.
    const pushes = (i: number) => got[i]!.filter((m) => 'push' in (m as object)).map((m) => (m as EnginePush).push);
    await expect.poll(() => pushes(0).length).toBe(2);
    await expect.poll(() => pushes(1).length).toBe(1);
    expect(pushes(0).map((p) => `${p.tabId}:${p.tileId}`).sort()).toEqual(['3:a', '3:b']);
    expect(pushes(1)[0]).toMatchObject({ tabId: 9, tileId: 'a' });
    // The message split by engine: each of tab 3's engines got its own tile's hold, and 3:b's
    // engine its release after it, in order.
    const bEngine = seen.findIndex((s) => s.some((f) => f.tileId === 'b'));
    const tab3 = (m: EngineMessage) => ('holds' in m ? m.holds.some((h) => h.tabId === 3) : m.release.tabId === 3);
    expect(held[bEngine]!.filter(tab3)).toEqual([{ holds: [ask(3, 'b')] }, { release: { tabId: 3, tileId: 'b' } }]);
    expect(held[1 - bEngine]!.filter(tab3)).toEqual([{ holds: [ask(3, 'a')] }]);
  });
});
