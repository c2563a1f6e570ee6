import { describe, expect, it } from 'vitest';
import { BusyWindow, KEEPALIVE_MS, SETTLE_MS, CostMeter, FrameGate, engineWorkMs, pictureChange, pictureReason, stillForMs, tileFps, tileIntervalMs } from '../../utils/scheduler';

describe('adaptive frame rate', () => {
  it('shares the CPU budget among the tiles, capped by the user’s maximum', () => {
    // 40 ms per frame, half a core: 12.5 frames/s in total.
    expect(tileFps({ tiles: 1, engineMs: 40, budgetPct: 50, maxFps: 8 })).toBe(8);
    expect(tileFps({ tiles: 4, engineMs: 40, budgetPct: 50, maxFps: 8 })).toBeCloseTo(3.125, 6);
    expect(tileFps({ tiles: 9, engineMs: 40, budgetPct: 50, maxFps: 8 })).toBeCloseTo(12.5 / 9, 6);
    // A bigger budget or a cheaper engine: more frames.
    expect(tileFps({ tiles: 4, engineMs: 40, budgetPct: 100, maxFps: 8 })).toBeCloseTo(6.25, 6);
    expect(tileFps({ tiles: 4, engineMs: 20, budgetPct: 50, maxFps: 8 })).toBeCloseTo(6.25, 6);
  });

  it('never drops below the floor, and starts at the maximum before the first measurement', () => {
    expect(tileFps({ tiles: 16, engineMs: 80, budgetPct: 10, maxFps: 8 })).toBe(1);
    expect(tileFps({ tiles: 4, engineMs: null, budgetPct: 50, maxFps: 8 })).toBe(8);
    expect(tileIntervalMs({ tiles: 4, engineMs: 40, budgetPct: 50, maxFps: 8 })).toBeCloseTo(320, 6);
    // Two engine threads: a budget of two cores' worth affords twice the frames.
    expect(tileFps({ tiles: 1, engineMs: 40, budgetPct: 200, maxFps: 100 })).toBe(50);
    // Nonsense settings are clamped, not trusted.
    expect(tileFps({ tiles: 1, engineMs: 40, budgetPct: -5, maxFps: 8 })).toBe(1);
  });

  it('skips unchanged pictures but keeps a tile alive', () => {
    const a = new Uint8Array(256).fill(100);
    const b = a.map((v, i) => (i < 64 ? v + 20 : v));
    expect(pictureChange(null, a)).toBe(Infinity);
    expect(pictureChange(a, a)).toBe(0);
    expect(pictureChange(a, b)).toBe(5);
    // Settled (its last picture was due): still until the keep-alive.
    expect(pictureReason(0, 500, true)).toBeNull();
    expect(pictureReason(0, 2500, true)).toBe('due');
    expect(pictureReason(5, 100, true)).toBe('changed');
    expect(pictureReason(1.4, 100, true)).toBeNull();
    expect(pictureReason(Infinity, 0, true)).toBe('changed');
  });

  it('takes a tile that went still after a change once more, soon, then at the keep-alive', () => {
    expect(SETTLE_MS).toBeLessThan(KEEPALIVE_MS);
    // Its last picture changed: the next is due after SETTLE_MS.
    expect(pictureReason(0, SETTLE_MS - 1, false)).toBeNull();
    expect(pictureReason(0, SETTLE_MS, false)).toBe('due');
    expect(pictureReason(0, SETTLE_MS + 100, true)).toBeNull();
    expect(stillForMs(false)).toBe(SETTLE_MS);
    expect(stillForMs(true)).toBe(KEEPALIVE_MS);
    // A tile's life: a change, then still frames every 125 ms; the pictures go at the change, once
    // after SETTLE_MS, then every KEEPALIVE_MS.
    let settled = false;
    let last = 0;
    const taken: number[] = [0];
    for (let t = 125; t <= 5000; t += 125) {
      const why = pictureReason(0.5, t - last, settled);
      if (why) {
        taken.push(t);
        settled = why === 'due';
        last = t;
      }
    }
    expect(taken).toEqual([0, 375, 2375, 4375]);
  });

  it('measures the engine’s cost robustly', () => {
    const m = new CostMeter(0.2);
    expect(m.ms).toBeNull();
    m.add(40);
    m.add(Number.NaN);
    for (let i = 0; i < 20; i++) m.add(40);
    m.add(400); // one slow frame moves the estimate by a fifth of the difference
    expect(m.ms).toBeCloseTo(112, 6);
  });
});

describe('engine load', () => {
  it('measures the busy share of the last 2 s', () => {
    const w = new BusyWindow(2000);
    expect(w.load(0)).toBe(0);
    // 40 ms of work every 50 ms for 2 s: 80 % busy.
    for (let t = 0; t < 2000; t += 50) w.add(t, t + 40);
    expect(w.load(2000)).toBeCloseTo(0.8, 2);
    // Idle for a second: half the window is empty.
    expect(w.load(3000)).toBeCloseTo(0.4, 1);
    expect(w.load(5000)).toBe(0);
  });
});

describe('the page’s frame gate', () => {
  it('lets one frame out while the engine has time, queues the others in order, and hands the freed slot to the first', () => {
    const gate = new FrameGate<string>();
    expect(gate.tryTake('a')).toBe(true);
    expect(gate.tryTake('b')).toBe(false);
    expect(gate.tryTake('c')).toBe(false);
    expect(gate.tryTake('b'), 'asking again keeps its place').toBe(false);
    const ran: string[] = [];
    gate.release();
    gate.drain((k) => {
      ran.push(k);
      gate.tryTake(k);
    });
    expect(ran, 'b came first, and took the only slot').toEqual(['b']);
    expect([gate.inFlight, gate.queued]).toEqual([1, 1]);
  });

  it('passes a freed slot on past a waiting tile that sends nothing now (paused, gone)', () => {
    const gate = new FrameGate<string>();
    gate.tryTake('a');
    gate.tryTake('gone');
    gate.tryTake('c');
    gate.release();
    const ran: string[] = [];
    gate.drain((k) => {
      ran.push(k);
      if (k !== 'gone') gate.tryTake(k);
    });
    expect(ran).toEqual(['gone', 'c']);
    expect([gate.inFlight, gate.queued]).toEqual([1, 0]);
  });

  it('can be asked without queueing (a still tile checks its picture first), and the asker queues when it does need a slot', () => {
    const gate = new FrameGate<string>();
    gate.tryTake('a');
    expect(gate.tryTake('still', { queue: false })).toBe(false);
    expect(gate.queued, 'only asked: not in line').toBe(0);
    expect(gate.tryTake('b')).toBe(false);
    expect(gate.tryTake('still'), 'its picture changed after all: in line behind b').toBe(false);
    gate.release();
    const ran: string[] = [];
    gate.drain((k) => {
      ran.push(k);
      gate.tryTake(k);
    });
    expect(ran).toEqual(['b']);
    expect(gate.queued).toBe(1);
  });

  it('lets as many frames out as there are engine threads', () => {
    const gate = new FrameGate<string>(2);
    expect([gate.tryTake('a'), gate.tryTake('b'), gate.tryTake('c')]).toEqual([true, true, false]);
    gate.release();
    const ran: string[] = [];
    gate.drain((k) => {
      ran.push(k);
      gate.tryTake(k);
    });
    expect(ran).toEqual(['c']);
    expect([gate.inFlight, gate.queued]).toEqual([2, 0]);
  });
});

describe('engine cost of a frame', () => {
  it('is every stage the engine ran, a capture\'s cut included, and not its wait in the queue', () => {
    expect(engineWorkMs({ decode: 2, landmarks: 20, affect: 8, smoothing: 0.5, total: 45 })).toBe(30.5);
    expect(engineWorkMs({ decode: 0, cut: 40, landmarks: 20, affect: 8, total: 90 })).toBe(68);
  });
});

