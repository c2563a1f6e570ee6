import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { BufferPool, CROP_MAX_AREA, MESSAGE_CHUNK_BYTES, fromWire, toWire, KEEP_CHECK_GROWTH, PART_MARGIN, checkRegion, cropRect, keepCheckRegion, lumaThumbnail, partAround, rawAnalysisSize, rawRegion, readableFormat, type RawFrame } from '../../utils/raw-frame';
import { inRegion, placeInFrame } from '../../utils/geometry';
import { pictureChange } from '../../utils/scheduler';
import { media } from '../support/media';

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

/** The part `rect` of an I420 frame, as VideoFrame.copyTo({rect}) writes it. */
function i420Part(luma: (x: number, y: number) => number, rect: { x: number; y: number; width: number; height: number }, full: { width: number; height: number }): RawFrame {
  const part = i420(rect.width, rect.height, (x, y) => luma(rect.x + x, rect.y + y));
  return { ...part, crop: { x: rect.x, y: rect.y, fullWidth: full.width, fullHeight: full.height } };
}

describe('the part of a frame around its faces', () => {
  it('is the faces’ box with PART_MARGIN of its size on each side, inside the frame; none when it would be most of the frame', () => {
    expect(partAround([])).toBeNull();
    const r = partAround([{ x: 0.4, y: 0.3, w: 0.2, h: 0.3 }])!;
    expect(r.x0).toBeCloseTo(0.4 - 0.2 * PART_MARGIN);
    expect(r.x1).toBeCloseTo(0.6 + 0.2 * PART_MARGIN);
    expect(r.y0).toBeCloseTo(0.3 - 0.3 * PART_MARGIN);
    expect(r.y1).toBeCloseTo(0.6 + 0.3 * PART_MARGIN);
    // Two people: around both; one at the edge: cut by the frame.
    const two = partAround([{ x: 0.02, y: 0.1, w: 0.1, h: 0.1 }, { x: 0.6, y: 0.1, w: 0.1, h: 0.1 }])!;
    expect(two.x0).toBe(0);
    expect(two.x1).toBeCloseTo(0.7 + 0.68 * PART_MARGIN);
    // A close-up: the part would be over CROP_MAX_AREA of the frame, so the whole frame goes.
    expect(partAround([{ x: 0.2, y: 0.1, w: 0.6, h: 0.8 }])).toBeNull();
  });

  it('copies even pixels in few sizes (multiples of 16), within the frame, and the whole frame when the part would be most of it', () => {
    const rect = cropRect({ x0: 0.301, y0: 0.153, x1: 0.699, y1: 0.747 }, 1280, 720)!;
    for (const v of [rect.x, rect.y, rect.width, rect.height]) expect(v % 2).toBe(0);
    expect(rect.width % 16).toBe(0);
    expect(rect.height % 16).toBe(0);
    // It covers the region asked for.
    expect(rect.x).toBeLessThanOrEqual(0.301 * 1280);
    expect(rect.x + rect.width).toBeGreaterThanOrEqual(0.699 * 1280);
    expect(rect.y).toBeLessThanOrEqual(0.153 * 720);
    expect(rect.y + rect.height).toBeGreaterThanOrEqual(0.747 * 720);
    // A slightly moved face: the same size, so the page's copy buffers serve again.
    const moved = cropRect({ x0: 0.305, y0: 0.16, x1: 0.703, y1: 0.754 }, 1280, 720)!;
    expect([moved.width, moved.height]).toEqual([rect.width, rect.height]);
    // At the right and bottom edge: moved back inside, not cut.
    const edge = cropRect({ x0: 0.8, y0: 0.75, x1: 1, y1: 1 }, 639, 359)!;
    expect(edge.x + edge.width).toBeLessThanOrEqual(638);
    expect(edge.y + edge.height).toBeLessThanOrEqual(358);
    // Most of the frame: the whole frame goes.
    expect(cropRect({ x0: 0.05, y0: 0.05, x1: 0.95, y1: 0.95 }, 320, 320)).toBeNull();
    expect(cropRect({ x0: 0.2, y0: 0.2, x1: 0.8, y1: 0.8 }, 320, 320)!.width * cropRect({ x0: 0.2, y0: 0.2, x1: 0.8, y1: 0.8 }, 320, 320)!.height).toBeLessThanOrEqual(CROP_MAX_AREA * 320 * 320);
  });

  it('holds the change check’s region, so a part’s thumbnail and the whole frame’s are the same picture', () => {
    const luma = (x: number, y: number) => (x * 7 + y * 3) % 256;
    const whole = i420(640, 360, luma);
    // A large face and a small one (a far-off person: the check's margin is wider than the part's own).
    for (const box of [{ x: 0.4, y: 0.3, w: 0.2, h: 0.4 }, { x: 0.45, y: 0.4, w: 0.06, h: 0.1 }]) {
      const check = checkRegion([box]);
      const region = partAround([box])!;
      expect(region.x0).toBeLessThanOrEqual(check.x0);
      expect(region.y0).toBeLessThanOrEqual(check.y0);
      expect(region.x1).toBeGreaterThanOrEqual(check.x1);
      expect(region.y1).toBeGreaterThanOrEqual(check.y1);
      const part = i420Part(luma, cropRect(region, 640, 360)!, { width: 640, height: 360 });
      expect(pictureChange(lumaThumbnail(whole, check)!, lumaThumbnail(part, check)!)).toBeLessThan(1);
    }
  });

  it('holds a kept change-check region too, when the faces moved a little inside it', () => {
    const kept = checkRegion([{ x: 0.4, y: 0.3, w: 0.2, h: 0.3 }]);
    const moved = [{ x: 0.41, y: 0.27, w: 0.19, h: 0.31 }];
    const part = partAround(moved, kept)!;
    expect(part.y0).toBeLessThanOrEqual(kept.y0);
    expect(part.y1).toBeGreaterThanOrEqual(kept.y1);
    expect(part.x0).toBeLessThanOrEqual(kept.x0);
    expect(part.x1).toBeGreaterThanOrEqual(kept.x1);
  });

  it('is analysed at its whole frame’s scale, and what is found in it goes back to the frame’s coordinates', () => {
    // A 1280×720 frame is analysed at 480×270 (maxSide 480): a 256×320 part of it at the same scale.
    expect(rawAnalysisSize({ width: 1280, height: 720 }, 480)).toEqual({ width: 480, height: 270 });
    expect(rawAnalysisSize({ width: 256, height: 320, crop: { x: 512, y: 200, fullWidth: 1280, fullHeight: 720 } }, 480)).toEqual({ width: 96, height: 120 });
    const region = rawRegion({ width: 256, height: 320, crop: { x: 512, y: 200, fullWidth: 1280, fullHeight: 720 } });
    expect(region).toEqual({ x0: 0.4, y0: 200 / 720, x1: 0.6, y1: 520 / 720 });
    // A face filling the middle half of the part: in the frame, the middle half of the part's place.
    const box = inRegion({ x: 0.25, y: 0.25, w: 0.5, h: 0.5 }, region);
    expect(box.x).toBeCloseTo(0.45);
    expect(box.w).toBeCloseTo(0.1);
    expect(box.y).toBeCloseTo((200 + 80) / 720);
    expect(box.h).toBeCloseTo(160 / 720);
    // A face found in the part: its boxes placed in the frame, its blendshapes kept, its head pose
    // (in the part's camera, not the frame's) left out.
    const [face] = placeInFrame([{ boxNorm: { x: 0.25, y: 0.25, w: 0.5, h: 0.5 }, extentNorm: { x: 0.2, y: 0.2, w: 0.6, h: 0.6 }, blendshapes: { mouthSmileLeft: 0.7 }, matrix: Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0)) }], region);
    expect(face!.boxNorm).toEqual(box);
    expect(face!.extentNorm.w).toBeCloseTo(0.6 * 0.2);
    expect(face!.blendshapes).toEqual({ mouthSmileLeft: 0.7 });
    expect(face!.matrix).toBeUndefined();
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

describe('a copied frame on its way to the relay iframe', () => {
  it('goes in pieces under 64 KiB and comes back together byte for byte, the page keeping its buffer', async () => {
    // A real frame: the first of the Pexels clip (640×360), decoded to I420 as VideoFrame.copyTo writes it.
    const w = 640;
    const h = 360;
    const bytes = execFileSync('ffmpeg', ['-loglevel', 'error', '-i', await media('video/WolfgangLanger_Pexels.mp4'), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-']);
    expect(bytes.byteLength).toBe(w * h * 1.5);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const raw: RawFrame = { buffer, format: 'I420', width: w, height: h, layout: [{ offset: 0, stride: w }, { offset: w * h, stride: w / 2 }, { offset: w * h * 1.25, stride: w / 2 }], crop: { x: 0, y: 0, fullWidth: w, fullHeight: h } };

    const wire = toWire(raw);
    expect(wire.chunks).toHaveLength(Math.ceil(buffer.byteLength / MESSAGE_CHUNK_BYTES));
    expect(wire.chunks.every((c) => c.byteLength > 0 && c.byteLength <= MESSAGE_CHUNK_BYTES && MESSAGE_CHUNK_BYTES < 64 * 1024)).toBe(true);
    // The message transfers the pieces; the copy's own buffer stays whole for the next copy.
    const sent = structuredClone(wire, { transfer: wire.chunks });
    expect(wire.chunks.every((c) => c.byteLength === 0)).toBe(true);
    expect(buffer.byteLength).toBe(bytes.byteLength);

    const pool = new BufferPool();
    const free = new ArrayBuffer(buffer.byteLength);
    pool.give(free);
    const back = fromWire(sent, pool);
    expect(back.buffer).toBe(free); // put together in the relay's free buffer of that size
    expect(Buffer.from(back.buffer).equals(bytes)).toBe(true);
    expect({ ...back, buffer: null }).toEqual({ ...raw, buffer: null });
    expect(lumaThumbnail(back)).toEqual(lumaThumbnail(raw));
    // Without a free buffer, a new one; a frame under one piece goes as one.
    expect(Buffer.from(fromWire(toWire(raw)).buffer).equals(bytes)).toBe(true);
    expect(toWire({ ...raw, buffer: buffer.slice(0, 1000) }).chunks.map((c) => c.byteLength)).toEqual([1000]);
  });
});

describe('the change check’s region', () => {
  const face = { x: 0.4, y: 0.3, w: 0.2, h: 0.3 };

  it('stays where it was while the faces move a little inside it, so a still face stays still', () => {
    const first = keepCheckRegion(null, [face]);
    expect(first).toEqual(checkRegion([face]));
    // The same face found a few pixels off (a light picture's mapped box, a part's): the same region.
    const off = { x: 0.405, y: 0.29, w: 0.195, h: 0.31 };
    expect(keepCheckRegion(first, [off])).toBe(first);
    // The two thumbnails of one unchanged picture agree only if they look at the same pixels.
    const luma = (x: number, y: number) => (x * 13 + y * 7) % 256;
    const frame = i420(640, 360, luma);
    expect(pictureChange(lumaThumbnail(frame, first)!, lumaThumbnail(frame, keepCheckRegion(first, [off]))!)).toBe(0);
    expect(pictureChange(lumaThumbnail(frame, first)!, lumaThumbnail(frame, checkRegion([off]))!)).toBeGreaterThan(1.5);
  });

  it('follows the faces when one leaves it, when it grew far larger than they need, and without faces', () => {
    const first = keepCheckRegion(null, [face]);
    // Moved out past the margin.
    const out = { ...face, x: 0.5 };
    expect(keepCheckRegion(first, [out])).toEqual(checkRegion([out]));
    // Much smaller now (the person stepped back): the kept region would dilute a smile.
    const small = { x: 0.45, y: 0.35, w: 0.08, h: 0.12 };
    expect((first.x1 - first.x0) * (first.y1 - first.y0)).toBeGreaterThan(KEEP_CHECK_GROWTH * ((c) => (c.x1 - c.x0) * (c.y1 - c.y0))(checkRegion([small])));
    expect(keepCheckRegion(first, [small])).toEqual(checkRegion([small]));
    expect(keepCheckRegion(first, [])).toEqual({ x0: 0, y0: 0, x1: 1, y1: 1 });
  });
});
