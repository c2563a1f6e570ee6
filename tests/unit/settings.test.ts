import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { storage } from 'wxt/utils/storage';
import { LIVE_WINDOWS } from '../../models/temporal/participant';
import { CAPTURE } from '../../utils/config';
import * as sessionStore from '../../utils/session-store';
import {
  affectBackendItem,
  clampNumber,
  clampRetentionDays,
  clampWindowMs,
  DEFAULT_FRAME_BUDGET,
  DEFAULT_OVERLAY_CONTENTS,
  DEFAULT_SMOOTHING,
  deleteAllSessionData,
  firstRunItem,
  frameBudgetItem,
  normaliseFrameBudget,
  normaliseOverlayContents,
  normaliseSelfView,
  normaliseSmoothing,
  overlayContentsItem,
  retentionDaysItem,
  RETENTION_LIMITS,
  selfViewItem,
  setRetentionDays,
  setSelfView,
  smoothingItem,
  smoothingLagMs,
  updateFrameBudget,
  updateOverlayContents,
  updateSmoothing,
} from '../../utils/settings';
import * as storageModule from '../../utils/storage';

beforeEach(() => {
  fakeBrowser.reset();
});

describe('clampNumber', () => {
  it('clamps into the range and rounds to the step', () => {
    expect(clampNumber(-5, 0, 10, 3)).toBe(0);
    expect(clampNumber(12, 0, 10, 3)).toBe(10);
    expect(clampNumber(4.4, 0, 10, 3)).toBe(4);
    expect(clampNumber(4.6, 0, 10, 3)).toBe(5);
    expect(clampNumber(47, 5, 100, 50, 5)).toBe(45);
  });
  it('takes numbers typed as text, and the fallback for anything that is not a number', () => {
    expect(clampNumber('7', 0, 10, 3)).toBe(7);
    expect(clampNumber(' 2.6 ', 0, 10, 3)).toBe(3);
    for (const bad of ['', '  ', 'abc', NaN, Infinity, -Infinity, null, undefined, {}, [], true]) expect(clampNumber(bad, 0, 10, 3)).toBe(3);
  });
});

describe('smoothing windows', () => {
  it('default to the live pipeline’s windows (1667 / 333 ms), exactly', () => {
    expect(DEFAULT_SMOOTHING).toEqual(LIVE_WINDOWS);
    expect(Math.round(DEFAULT_SMOOTHING.expressionWindowMs)).toBe(1667);
    expect(Math.round(DEFAULT_SMOOTHING.vaWindowMs)).toBe(333);
    expect(normaliseSmoothing(undefined)).toEqual(LIVE_WINDOWS);
    expect(normaliseSmoothing({ ...LIVE_WINDOWS })).toEqual(LIVE_WINDOWS);
  });
  it('allow 0 (off) to 10 s in whole ms', () => {
    expect(clampWindowMs(-1, 100)).toBe(0);
    expect(clampWindowMs(0, 100)).toBe(0);
    expect(clampWindowMs(10_001, 100)).toBe(10_000);
    expect(clampWindowMs(1234.6, 100)).toBe(1235);
    expect(normaliseSmoothing({ expressionWindowMs: 99_999, vaWindowMs: 'x' })).toEqual({ expressionWindowMs: 10_000, vaWindowMs: LIVE_WINDOWS.vaWindowMs });
  });
  it('a box window lags half its length', () => {
    expect(smoothingLagMs(1000)).toBe(500);
    expect(smoothingLagMs(0)).toBe(0);
    expect(smoothingLagMs(LIVE_WINDOWS.expressionWindowMs)).toBeCloseTo(833.3, 1);
  });
  it('updateSmoothing merges, clamps and stores', async () => {
    expect(await smoothingItem.getValue()).toEqual(LIVE_WINDOWS);
    expect(await updateSmoothing({ vaWindowMs: '500' })).toEqual({ expressionWindowMs: LIVE_WINDOWS.expressionWindowMs, vaWindowMs: 500 });
    expect(await updateSmoothing({ expressionWindowMs: -20 })).toEqual({ expressionWindowMs: 0, vaWindowMs: 500 });
    expect(await smoothingItem.getValue()).toEqual({ expressionWindowMs: 0, vaWindowMs: 500 });
    expect(await updateSmoothing({ ...DEFAULT_SMOOTHING })).toEqual(LIVE_WINDOWS);
  });
});

describe('frame-rate budget', () => {
  it('defaults to the capture rate of utils/config.ts and half the CPU', () => {
    expect(DEFAULT_FRAME_BUDGET).toEqual({ fpsPerTile: CAPTURE.fpsPerTile, cpuPercent: 50 });
    expect(normaliseFrameBudget(null)).toEqual(DEFAULT_FRAME_BUDGET);
  });
  it('clamps frames/s to 1–30 and the CPU budget to 5–100 %', () => {
    expect(normaliseFrameBudget({ fpsPerTile: 0, cpuPercent: 0 })).toEqual({ fpsPerTile: 1, cpuPercent: 5 });
    expect(normaliseFrameBudget({ fpsPerTile: 60, cpuPercent: 250 })).toEqual({ fpsPerTile: 30, cpuPercent: 100 });
    expect(normaliseFrameBudget({ fpsPerTile: 12.4, cpuPercent: '33' })).toEqual({ fpsPerTile: 12, cpuPercent: 33 });
  });
  it('updateFrameBudget keeps the other field', async () => {
    await updateFrameBudget({ cpuPercent: 80 });
    expect(await updateFrameBudget({ fpsPerTile: 4 })).toEqual({ fpsPerTile: 4, cpuPercent: 80 });
    expect(await frameBudgetItem.getValue()).toEqual({ fpsPerTile: 4, cpuPercent: 80 });
  });
});

describe('overlay contents', () => {
  it('shows every line by default and ignores values that are not booleans', async () => {
    expect(Object.values(DEFAULT_OVERLAY_CONTENTS).every((v) => v === true)).toBe(true);
    expect(await overlayContentsItem.getValue()).toEqual(DEFAULT_OVERLAY_CONTENTS);
    expect(normaliseOverlayContents({ aus: false, engagement: 'no', extra: false })).toEqual({ ...DEFAULT_OVERLAY_CONTENTS, aus: false });
    expect(normaliseOverlayContents([false])).toEqual(DEFAULT_OVERLAY_CONTENTS);
  });
  it('updateOverlayContents switches one line', async () => {
    expect(await updateOverlayContents({ compound: false })).toEqual({ ...DEFAULT_OVERLAY_CONTENTS, compound: false });
    expect(await updateOverlayContents({ aus: false })).toEqual({ ...DEFAULT_OVERLAY_CONTENTS, compound: false, aus: false });
  });
});

describe('self-view', () => {
  it('is include, exclude or only; anything else reads as include', async () => {
    expect(await selfViewItem.getValue()).toBe('include');
    for (const m of ['include', 'exclude', 'only']) expect(normaliseSelfView(m)).toBe(m);
    for (const bad of ['ONLY', '', 3, null]) expect(normaliseSelfView(bad)).toBe('include');
    expect(await setSelfView('only')).toBe('only');
    expect(await setSelfView('everyone')).toBe('include');
    expect(await selfViewItem.getValue()).toBe('include');
  });
});

describe('first run and retention', () => {
  it('the welcome page starts unacknowledged', async () => {
    expect(await firstRunItem.getValue()).toBe(false);
    await firstRunItem.setValue(true);
    expect(await firstRunItem.getValue()).toBe(true);
  });
  it('retention is 1–365 whole days, 30 by default', async () => {
    expect(RETENTION_LIMITS.defaultDays).toBe(sessionStore.DEFAULT_RETENTION_DAYS);
    expect(clampRetentionDays(0)).toBe(1);
    expect(clampRetentionDays(1000)).toBe(365);
    expect(clampRetentionDays('7.2')).toBe(7);
    expect(clampRetentionDays('')).toBe(30);
    expect(await setRetentionDays(-3)).toBe(1);
    expect(await sessionStore.retentionDaysItem.getValue()).toBe(1);
  });
  it('re-exports the owners’ items instead of defining its own', () => {
    expect(affectBackendItem).toBe(storageModule.affectBackendItem);
    expect(retentionDaysItem).toBe(sessionStore.retentionDaysItem);
  });
});

describe('delete all data', () => {
  it('removes every session and series key, orphans included, and keeps the settings', async () => {
    const meta = (id: string): sessionStore.SessionMeta => ({
      id,
      tabId: 1,
      call: 'https://meet.google.com/abc',
      startedAt: 0,
      lastAt: 1,
      endedAt: 1,
      participants: [{ id: 't#1', name: 'A', key: 0, resolutionMs: 125, chunks: 2, firstAt: 0, lastAt: 1 }],
      notice: null,
      lastFrame: {},
    });
    await sessionStore.sessionsItem.setValue([meta('s1'), meta('s2')]);
    await storage.setItems([
      { key: 'local:series:s1:0:0', value: [[1]] },
      { key: 'local:series:s1:0:1', value: [[2]] },
      { key: 'local:series:s2:0:0', value: [[3]] },
      { key: 'local:series:s2:0:1', value: [[4]] },
      { key: 'local:series:orphan:0:0', value: [[5]] },
    ]);
    await updateSmoothing({ vaWindowMs: 100 });
    await setRetentionDays(9);

    expect(await deleteAllSessionData()).toBe(2);
    const left = Object.keys(await storage.snapshot('local'));
    expect(left.filter((k) => k.startsWith('series:') || k.startsWith('sessions'))).toEqual([]);
    expect(await sessionStore.sessionsItem.getValue()).toEqual([]);
    expect((await smoothingItem.getValue()).vaWindowMs).toBe(100);
    expect(await retentionDaysItem.getValue()).toBe(9);
  });
  it('is harmless with nothing stored', async () => {
    expect(await deleteAllSessionData()).toBe(0);
  });
});
