/**
 * The router thread (a dedicated worker started by the inference host): it takes the relays' direct
 * channels and the frames the host got by runtime messaging, and gives each tile's frames to one of
 * the engine threads (utils/engine-worker.ts) — always the same one for a tile, whose face tracks and
 * smoothing windows live there. It never runs a model, so it is free to take a frame the moment it
 * arrives, while the engines are busy.
 *
 *   host ──engines(ports) / serve(port) / frame / stop──► router ──reply──► host
 *   relay ──HostRequest──► router ──EngineRequest──► engine ──EngineReply──► router ──HostReply──► relay
 *   relay ──hold / release──► router ──► engine ──push (a held tile's repeat)──► router ──► relay
 */
import type { EngineMessage, EnginePush, EngineReply, EngineRequest, WorkerScope } from './engine-worker';
import { holdKey, type HoldRequest } from './hold';
import type { FrameReply, FrameRequest } from './protocol';
import { answerFrame } from './pending';
import type { HostMessage, HostReply } from './transport';

export type ToRouter =
  /** One channel to each engine thread (transferred). Comes first. */
  | { type: 'engines'; ports: MessagePort[] }
  /** A relay's direct channel (transferred). */
  | { type: 'serve'; port: MessagePort }
  /** A frame that came to the host by runtime messaging (a JPEG data URL, "unchanged", or a tab-capture region). */
  | { type: 'frame'; id: number; tabId: number | undefined; request: FrameRequest }
  | { type: 'stop' };

export type FromRouter = { type: 'reply'; id: number; reply: FrameReply };

/** A tile not seen for this long no longer counts towards its engine's load. */
const TILE_ACTIVE_MS = 10_000;
/** Most tiles remembered (the least recently seen is forgotten first, and assigned afresh if it comes back). */
const MAX_TILES = 512;

/**
 * Which engine analyses a tile: sticky once chosen; a new tile goes to the engine with the fewest
 * tiles seen recently. Pure (time comes in), unit-tested.
 */
export class TileAssigner {
  private readonly tiles = new Map<string, { engine: number; seen: number }>();

  constructor(private readonly engines: number) {}

  engineFor(key: string, now: number): number {
    const known = this.tiles.get(key);
    if (known) {
      known.seen = now;
      // Most recently seen last, so that the first entry is the one to forget.
      this.tiles.delete(key);
      this.tiles.set(key, known);
      return known.engine;
    }
    const load = new Array<number>(this.engines).fill(0);
    for (const t of this.tiles.values()) if (now - t.seen < TILE_ACTIVE_MS) load[t.engine]! += 1;
    const engine = load.indexOf(Math.min(...load));
    this.tiles.set(key, { engine, seen: now });
    if (this.tiles.size > MAX_TILES) this.tiles.delete(this.tiles.keys().next().value!);
    return engine;
  }
}

export function runEngineRouter(scope: WorkerScope<ToRouter, FromRouter>): void {
  let engines: MessagePort[] = [];
  let assigner = new TileAssigner(1);
  const waiting = new Map<number, (r: EngineReply) => void>();
  let nextId = 1;
  const relays = new Set<MessagePort>();
  /** Each tab's relay channel (the last one its frames came on): where a held tile's pushes go. */
  const relayOf = new Map<number, MessagePort>();

  function toEngine(frame: Omit<EngineRequest, 'id'>, transfer: Transferable[]): Promise<EngineReply> {
    const id = nextId++;
    const engine = engineOf(frame.tabId, frame.request.tileId);
    if (!engine) return Promise.resolve({ id, reply: { ok: false, reason: 'engine-not-ready', status: { state: 'loading', detail: 'starting the inference workers' } } });
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      engine.postMessage({ ...frame, id } satisfies EngineRequest, transfer);
    });
  }

  /** The engine thread that analyses a tile (null before the engines are linked). */
  const engineOf = (tabId: number | undefined, tileId: string): MessagePort | null => engines[assigner.engineFor(holdKey(tabId, tileId), Date.now())] ?? null;

  function serve(port: MessagePort): void {
    relays.add(port);
    // The relay's page was closed or reloaded: forget its channel.
    port.addEventListener('close', () => {
      relays.delete(port);
      for (const [tab, p] of relayOf) if (p === port) relayOf.delete(tab);
    });
    port.onmessage = (e: MessageEvent<HostMessage>) => {
      const m = e.data;
      if ('ping' in m) {
        port.postMessage({ pong: m.ping } satisfies HostReply);
        return;
      }
      if ('holds' in m) {
        // Each hold to the engine that analyses its tile, one message per engine.
        const byEngine = new Map<MessagePort, HoldRequest[]>();
        for (const h of m.holds) {
          relayOf.set(h.tabId, port);
          const engine = engineOf(h.tabId, h.tileId);
          if (!engine) continue;
          const batch = byEngine.get(engine);
          if (batch) batch.push(h);
          else byEngine.set(engine, [h]);
        }
        for (const [engine, holds] of byEngine) engine.postMessage({ holds } satisfies EngineMessage);
        return;
      }
      if ('release' in m) {
        engineOf(m.release.tabId, m.release.tileId)?.postMessage(m satisfies EngineMessage);
        return;
      }
      const { id, tabId, request, bitmap, raw } = m;
      relayOf.set(tabId, port);
      void toEngine({ tabId, request, ...(bitmap ? { bitmap } : {}), ...(raw ? { raw } : {}) }, bitmap ? [bitmap] : raw ? [raw.buffer] : []).then(({ reply, buffer }) => answerFrame(port, { id, reply, ...(buffer ? { buffer } : {}) }));
    };
    port.postMessage({ ready: true } satisfies HostReply);
  }

  scope.addEventListener('message', (e) => {
    const m = e.data;
    switch (m.type) {
      case 'engines':
        engines = m.ports;
        assigner = new TileAssigner(engines.length);
        for (const port of engines) {
          port.onmessage = (r: MessageEvent<EngineReply | EnginePush>) => {
            if ('push' in r.data) {
              relayOf.get(r.data.push.tabId)?.postMessage(r.data satisfies HostReply);
              return;
            }
            const resolve = waiting.get(r.data.id);
            waiting.delete(r.data.id);
            resolve?.(r.data);
          };
        }
        break;
      case 'serve':
        serve(m.port);
        break;
      case 'frame':
        void toEngine({ tabId: m.tabId, request: m.request }, []).then(({ reply }) => scope.postMessage({ type: 'reply', id: m.id, reply }));
        break;
      case 'stop':
        for (const port of [...relays, ...engines]) port.close();
        relays.clear();
        scope.close();
        break;
    }
  });
}
