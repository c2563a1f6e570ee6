import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Timers } from '../../utils/timers';

describe("the content script's timers", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs each timer once and keeps nothing of it after: a tile ticking for an hour leaves no trace', () => {
    const timers = new Timers(() => true);
    let ticks = 0;
    const tick = (): void => {
      ticks++;
      if (ticks < 8 * 3600) timers.set(tick, 125);
    };
    timers.set(tick, 0);
    expect(timers.size).toBe(1);
    vi.advanceTimersByTime(3600 * 1000);
    expect(ticks).toBe(8 * 3600);
    expect(timers.size).toBe(0);
  });

  it('clears one timer, or all of them when the script is cut off; a cleared timer never runs', () => {
    const timers = new Timers(() => true);
    const ran: string[] = [];
    const a = timers.set(() => ran.push('a'), 100);
    timers.set(() => ran.push('b'), 100);
    timers.set(() => ran.push('c'), 200);
    timers.clear(a);
    timers.clear(null);
    expect(timers.size).toBe(2);
    vi.advanceTimersByTime(150);
    expect(ran).toEqual(['b']);
    timers.clearAll();
    expect(timers.size).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(ran).toEqual(['b']);
  });

  it('does not run a timer that fires after the script was cut off (and forgets it all the same)', () => {
    let alive = true;
    const timers = new Timers(() => alive);
    let ran = 0;
    timers.set(() => ran++, 100);
    alive = false;
    vi.advanceTimersByTime(100);
    expect(ran).toBe(0);
    expect(timers.size).toBe(0);
  });
});
