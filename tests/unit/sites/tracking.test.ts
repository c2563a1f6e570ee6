import { describe, expect, it } from 'vitest';
import { FaceTracker, faceParticipantId, iou } from '../../../utils/sites/tracking';
import type { BoxNorm } from '../../../utils/types';

const box = (x: number, y: number, w = 0.2, h = 0.3): BoxNorm => ({ x, y, w, h });
const LEFT = box(0.1, 0.3);
const RIGHT = box(0.6, 0.3);

describe('face tracking inside a tile', () => {
  it('numbers faces per tile key', () => {
    const t = new FaceTracker('id:room-1');
    expect(t.update(0, [LEFT, RIGHT])).toEqual(['id:room-1#1', 'id:room-1#2']);
    expect(faceParticipantId('id:room-1', 2)).toBe('id:room-1#2');
  });

  it('keeps ids when two faces swap order in the detector output', () => {
    const t = new FaceTracker('room');
    const [a, b] = t.update(0, [LEFT, RIGHT]);
    // Both moved a little, and the detector now lists the right face first.
    expect(t.update(100, [box(0.62, 0.31), box(0.12, 0.29)])).toEqual([b, a]);
    expect(t.update(200, [box(0.13, 0.3), box(0.63, 0.3)])).toEqual([a, b]);
  });

  it('keeps the id through a one-frame dropout and a gap shorter than maxGapMs', () => {
    const t = new FaceTracker('room', { maxGapMs: 1500 });
    const [a] = t.update(0, [LEFT]);
    expect(t.update(100, [])).toEqual([]);
    expect(t.update(200, [box(0.11, 0.3)])).toEqual([a]);
    expect(t.update(1700, [box(0.12, 0.31)])).toEqual([a]); // 1500 ms since last seen: still within the gap
  });

  it('retires a face gone longer than the gap; a face appearing later gets a new id', () => {
    const t = new FaceTracker('room', { maxGapMs: 1500 });
    const [a] = t.update(0, [LEFT]);
    expect(t.update(1501, [LEFT])).not.toEqual([a]);
    expect(t.update(1501 + 100, [LEFT])).toEqual(['room#2']);
    expect(t.tracks.map((tr) => tr.id)).toEqual(['room#2']);
  });

  it('never reuses a retired number, also after reset', () => {
    const t = new FaceTracker('room', { maxGapMs: 500 });
    t.update(0, [LEFT, RIGHT]);
    t.update(1000, [RIGHT]);
    t.reset();
    expect(t.update(2000, [LEFT])).toEqual(['room#4']);
  });

  it('follows a face that moves without overlapping its last box, within the centre-distance gate', () => {
    const t = new FaceTracker('room');
    const [a] = t.update(0, [box(0.1, 0.3, 0.1, 0.15)]);
    // Moved by one face width: IoU 0, centre distance 1 face side.
    expect(iou(box(0.1, 0.3, 0.1, 0.15), box(0.2, 0.3, 0.1, 0.15))).toBe(0);
    expect(t.update(100, [box(0.2, 0.3, 0.1, 0.15)])).toEqual([a]);
    // A face far away is someone else.
    expect(t.update(200, [box(0.8, 0.3, 0.1, 0.15)])).toEqual(['room#2']);
  });

  it('gives a new face its own id while keeping the others', () => {
    const t = new FaceTracker('room');
    const [a] = t.update(0, [LEFT]);
    const ids = t.update(100, [RIGHT, box(0.1, 0.31)]);
    expect(ids).toEqual(['room#2', a]);
  });

  it('returns null for invalid boxes and for a non-finite time, and never throws', () => {
    const t = new FaceTracker('room');
    expect(t.update(0, [LEFT, { x: Number.NaN, y: 0, w: 0.1, h: 0.1 }, box(0.5, 0.5, 0, 0.1)])).toEqual(['room#1', null, null]);
    expect(t.update(Number.NaN, [LEFT])).toEqual([null]);
    expect(t.update(100, [LEFT])).toEqual(['room#1']);
  });

  it('computes IoU of normalised boxes', () => {
    expect(iou(box(0, 0, 0.5, 0.5), box(0, 0, 0.5, 0.5))).toBe(1);
    expect(iou(box(0, 0, 0.5, 0.5), box(0.25, 0, 0.5, 0.5))).toBeCloseTo(1 / 3);
    expect(iou(box(0, 0, 0, 0), box(0, 0, 0, 0))).toBe(0);
  });
});
