import { describe, expect, it } from 'vitest';
import { BufferPool, lumaThumbnail, readableFormat, type RawFrame } from '../../utils/raw-frame';
import { pictureChange } from '../../utils/scheduler';

/** An I420 frame (tightly packed planes, as VideoFrame.copyTo writes them) whose luma is `luma(x, y)`. */
function i420(width: number, height: number, luma: (x: number, y: number) => number): RawFrame {
  const y = width * height;
  const c = (width / 2) * (height / 2);
  const bytes = new Uint8Array(y + 2 * c).fill(128);
  for (let j = 0; j < height; j++) for (let i = 0; i < width; i++) bytes[j * width + i] = luma(i, j);
  return { buffer: bytes.buffer, format: 'I420', width, height, layout: [{ offset: 0, stride: width }, { offset: y, stride: width / 2 }, { offset: y + c, stride: width / 2 }] };
}

/** The same picture as grey RGBA / BGRX rows with padding at the end of each row. */
function packed(format: 'RGBA' | 'BGRX', width: number, height: number, grey: (x: number, y: number) => number): RawFrame {
  const stride = width * 4 + 16;
  const bytes = new Uint8Array(stride * height);
  for (let j = 0; j < height; j++) for (let i = 0; i < width; i++) bytes.fill(grey(i, j), j * stride + i * 4, j * stride + i * 4 + 4);
  return { buffer: bytes.buffer, format, width, height, layout: [{ offset: 0, stride }] };
}

describe('luma thumbnail of a copied video frame', () => {
  it('averages each cell of the region', () => {
    // Left half dark (40), right half bright (200): the thumbnail's left 8 columns are 40, the rest 200.
    const frame = i420(320, 320, (x) => (x < 160 ? 40 : 200));
    const t = lumaThumbnail(frame)!;
    expect(t).toHaveLength(256);
    for (let row = 0; row < 16; row++) {
      expect([...t.slice(row * 16, row * 16 + 8)].every((v) => v === 40)).toBe(true);
      expect([...t.slice(row * 16 + 8, row * 16 + 16)].every((v) => v === 200)).toBe(true);
    }
  });

  it('looks only at the region (the face box), in the frame’s own pixels', () => {
    const frame = i420(320, 180, (x, y) => (x >= 160 && y >= 90 ? 220 : 10));
    expect([...lumaThumbnail(frame, { x0: 0.5, y0: 0.5, x1: 1, y1: 1 })!].every((v) => v === 220)).toBe(true);
    expect([...lumaThumbnail(frame, { x0: 0, y0: 0, x1: 0.5, y1: 0.5 })!].every((v) => v === 10)).toBe(true);
  });

  it('reads packed RGB formats (row padding and channel order) the same as planar luma', () => {
    const grey = (x: number, y: number) => (x * 3 + y * 5) % 256;
    const a = lumaThumbnail(i420(128, 96, grey))!;
    const b = lumaThumbnail(packed('RGBA', 128, 96, grey))!;
    const c = lumaThumbnail(packed('BGRX', 128, 96, grey))!;
    expect(pictureChange(a, b)).toBeLessThan(1);
    expect(pictureChange(a, c)).toBeLessThan(1);
  });

  it('tells a moved face from the same picture', () => {
    const face = (cx: number) => (x: number, y: number) => (Math.hypot(x - cx, y - 160) < 60 ? 200 : 60);
    const still = lumaThumbnail(i420(320, 320, face(160)))!;
    expect(pictureChange(still, lumaThumbnail(i420(320, 320, face(160)))!)).toBe(0);
    expect(pictureChange(still, lumaThumbnail(i420(320, 320, face(176)))!)).toBeGreaterThan(1.5); // CHANGE_THRESHOLD
  });

  it('declines formats it cannot read (the content script then draws the video)', () => {
    expect(readableFormat(null)).toBe(false);
    expect(readableFormat('I420P10')).toBe(false);
    expect(lumaThumbnail({ ...i420(16, 16, () => 0), format: 'I420P10' as VideoPixelFormat })).toBeNull();
  });
});

describe('frame buffer pool', () => {
  it('hands back a buffer of exactly the size asked for, once, and keeps a bounded number', () => {
    const pool = new BufferPool(2);
    const a = new ArrayBuffer(16);
    pool.give(a);
    expect(pool.take(32)).toBeUndefined();
    expect(pool.take(16)).toBe(a);
    expect(pool.take(16)).toBeUndefined();
    for (let i = 0; i < 5; i++) pool.give(new ArrayBuffer(8));
    expect(pool.size).toBe(2);
  });

  it('ignores a buffer that was transferred away (detached)', () => {
    const pool = new BufferPool();
    const b = new ArrayBuffer(8);
    structuredClone(b, { transfer: [b] });
    expect(b.byteLength).toBe(0);
    pool.give(b);
    pool.give(undefined);
    expect(pool.size).toBe(0);
  });
});
