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
    const [a] = t.update(0, [LEFT, RIGHT]);
    expect(t.update(100, [])).toEqual([]);
    expect(t.update(200, [box(0.11, 0.3)])).toEqual([a]);
    t.update(1000, []);
    expect(t.update(1700, [box(0.12, 0.31)])).toEqual([a]); // 1500 ms since last seen: still within the gap
  });

  it('retires a face missing from two analysed frames and longer than the gap; a new face elsewhere gets a new id', () => {
    const t = new FaceTracker('room', { maxGapMs: 1500 });
    const [a, b] = t.update(0, [LEFT, RIGHT]);
    expect(t.update(1000, [RIGHT])).toEqual([b]); // LEFT missed once
    expect(t.update(1600, [RIGHT])).toEqual([b]); // missed twice and 1600 ms: retired
    expect(t.tracks.map((tr) => tr.id)).toEqual([b]);
    expect(t.update(1700, [RIGHT, box(0.35, 0.6)])).toEqual([b, 'room#3']);
    expect(a).toBe('room#1');
  });

  it('does not count frames that were never analysed as absences', () => {
    const t = new FaceTracker('room', { maxGapMs: 1500 });
    const [a, b] = t.update(0, [LEFT, RIGHT]);
    // The engine was busy for 5 s: one frame without LEFT is one miss, not a retirement.
    expect(t.update(5000, [RIGHT])).toEqual([b]);
    expect(t.update(5300, [box(0.11, 0.3), RIGHT])).toEqual([a, b]);
  });

  it('gives a retired face its id back when it reappears at its place (a flickering detection)', () => {
    const t = new FaceTracker('room', { maxGapMs: 500, reviveMs: 30_000 });
    const [a, b] = t.update(0, [LEFT, RIGHT]);
    for (let ms = 300; ms <= 3000; ms += 300) t.update(ms, [RIGHT]);
    expect(t.tracks.map((tr) => tr.id)).toEqual([b]);
    expect(t.update(3300, [RIGHT, box(0.11, 0.31)])).toEqual([b, a]);
    // Too late to revive: a new person.
    for (let ms = 3600; ms <= 40_000; ms += 400) t.update(ms, [RIGHT]);
    expect(t.update(40_300, [RIGHT, LEFT])).toEqual([b, 'room#3']);
  });

  it('keeps a one-person tile’s face #1 whatever the gap, even where it reappears', () => {
    const t = new FaceTracker('tile', { maxGapMs: 500 });
    expect(t.update(0, [LEFT])).toEqual(['tile#1']);
    for (let ms = 300; ms <= 60_000; ms += 300) t.update(ms, []);
    expect(t.update(60_300, [RIGHT])).toEqual(['tile#1']);
    // Once two faces have been seen together, the tile is a room: new faces get new ids.
    expect(t.update(60_600, [RIGHT, LEFT])).toEqual(['tile#1', 'tile#2']);
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
