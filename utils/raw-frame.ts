/**
 * A video frame's own pixels, copied out of the `<video>` without drawing it (WebCodecs
 * `VideoFrame`): on the meeting page this costs a plane copy (~0.5 ms for a 320×320 I420 frame)
 * instead of a colour conversion and scale on its main thread, and the change check reads the copy's
 * luma directly. The inference host turns the copy back into a picture (`rawToBitmap`).
 */
import { analysisSize, partAnalysisSize } from './geometry';

/**
 * One frame's planes as `VideoFrame.copyTo` wrote them (its visible rectangle, or the part of it in
 * `crop`, tightly packed). `width`, `height`: the copied pixels'.
 */
export interface RawFrame {
  buffer: ArrayBuffer;
  format: VideoPixelFormat;
  width: number;
  height: number;
  layout: PlaneLayout[];
  /** Only this part of the frame was copied (pixels of its visible rectangle; see `cropRect`). */
  crop?: RawCrop;
}

/** Where a copied part sits in its frame: its top-left corner, and the whole frame's size (pixels). */
export interface RawCrop {
  x: number;
  y: number;
  fullWidth: number;
  fullHeight: number;
}

/** A region of the frame in normalised coordinates (0–1). */
export interface NormRegion {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Formats whose first plane is 8-bit luma, one byte per pixel. */
const LUMA_FIRST = new Set<string>(['I420', 'I420A', 'I422', 'I422A', 'I444', 'I444A', 'NV12']);
/** Packed 8-bit RGB(A) formats, four bytes per pixel, and where red and blue are. */
const PACKED: Record<string, { r: number; b: number }> = { RGBA: { r: 0, b: 2 }, RGBX: { r: 0, b: 2 }, BGRA: { r: 2, b: 0 }, BGRX: { r: 2, b: 0 } };

/** Whether `lumaThumbnail` and `rawToBitmap` can read frames of this format. */
export function readableFormat(format: string | null): format is VideoPixelFormat {
  return format !== null && (LUMA_FIRST.has(format) || format in PACKED);
}

/**
 * The part of a frame to copy for a picture of its faces: the region around them (normalised,
 * `partAround`) in pixels, on even coordinates (a 4:2:0 frame's chroma planes have one sample per
 * 2×2 pixels). Null when the part would be most of the frame (`CROP_MAX_AREA`): the whole frame then.
 */
export function cropRect(region: NormRegion, fullWidth: number, fullHeight: number): { x: number; y: number; width: number; height: number } | null {
  const [x, width] = cropSpan(region.x0, region.x1, fullWidth);
  const [y, height] = cropSpan(region.y0, region.y1, fullHeight);
  if (width < 2 || height < 2 || width * height > CROP_MAX_AREA * fullWidth * fullHeight) return null;
  return { x, y, width, height };
}

/**
 * One side of `cropRect`: start and length in pixels, even, the length grown to a multiple of 16
 * (moved back from the frame's edge if need be) so that a tile's crops come in few sizes and the
 * page's copy buffers (`BufferPool`, exact sizes) serve again.
 */
function cropSpan(from: number, to: number, full: number): [number, number] {
  const even = (v: number) => 2 * Math.floor(v / 2);
  const end = even(full);
  const start = Math.max(0, even(from * full));
  const length = Math.min(end, 16 * Math.ceil((Math.min(end, Math.ceil(to * full)) - start) / 16));
  return [Math.max(0, Math.min(start, end - length)), length];
}

/** A crop covering more than this share of the frame is not worth it: the whole frame goes. */
export const CROP_MAX_AREA = 0.6;
/**
 * Around a tile's faces, this share of their extent on each side: room for the head to move between
 * two pictures (a face that left it anyway is looked for in the whole frame next: `need-whole`).
 */
export const PART_MARGIN = 0.3;
/**
 * A tile's picture is the whole frame at least this often (ms): someone coming into the picture is
 * found within it. Between two, a picture may be only the part around the faces found last.
 */
export const WHOLE_FRAME_EVERY_MS = 1000;

type Box = { x: number; y: number; w: number; h: number };

/** The boxes' extent, and that grown by `mx`, `my` on each side within the frame. */
function around(boxes: readonly Box[], margin: (w: number, h: number) => { mx: number; my: number }): NormRegion {
  const x0 = Math.min(...boxes.map((b) => b.x));
  const y0 = Math.min(...boxes.map((b) => b.y));
  const x1 = Math.max(...boxes.map((b) => b.x + b.w));
  const y1 = Math.max(...boxes.map((b) => b.y + b.h));
  const { mx, my } = margin(x1 - x0, y1 - y0);
  return { x0: Math.max(0, x0 - mx), y0: Math.max(0, y0 - my), x1: Math.min(1, x1 + mx), y1: Math.min(1, y1 + my) };
}

/** The change check's margin around the faces (of the frame's size). */
export const CHECK_MARGIN = 0.05;

/** What the change check looks at: the region around a tile's faces (`CHECK_MARGIN`), or the whole frame without faces. */
export function checkRegion(boxes: readonly Box[]): NormRegion {
  if (!boxes.length) return { x0: 0, y0: 0, x1: 1, y1: 1 };
  return around(boxes, () => ({ mx: CHECK_MARGIN, my: CHECK_MARGIN }));
}

/**
 * The change check's region for a tile's next frame: the one its last thumbnail was taken of
 * (`kept`), while the faces stay inside it and it is at most `KEEP_CHECK_GROWTH` times the size the
 * faces need now; else a new one around them (`checkRegion`). Two pictures of a still face give
 * boxes a few pixels apart (a light picture's box is BlazeFace's, mapped; a part's face is found
 * a little differently from the whole frame's): a region that followed each would move with them,
 * its thumbnail would differ from the last, and a still tile would never be still.
 */
export function keepCheckRegion(kept: NormRegion | null, boxes: readonly Box[]): NormRegion {
  const fresh = checkRegion(boxes);
  if (!kept || !boxes.length) return fresh;
  const inside = boxes.every((b) => b.x >= kept.x0 && b.y >= kept.y0 && b.x + b.w <= kept.x1 && b.y + b.h <= kept.y1);
  return inside && area(kept) <= KEEP_CHECK_GROWTH * area(fresh) ? kept : fresh;
}

/** How much larger than the faces need (`checkRegion`) a kept check region may be (area). */
export const KEEP_CHECK_GROWTH = 1.5;

function area(r: NormRegion): number {
  return (r.x1 - r.x0) * (r.y1 - r.y0);
}

/**
 * The part of the frame around these boxes (normalised), with `PART_MARGIN` of their size on each
 * side — and never less than the change check's region (`check`, else the one around the boxes), so
 * that a part's thumbnail and the whole frame's look at the same pixels; null without boxes, or when
 * the part would be over `CROP_MAX_AREA` of the frame (the whole frame then).
 */
export function partAround(boxes: readonly Box[], check: NormRegion = checkRegion(boxes)): NormRegion | null {
  if (!boxes.length) return null;
  const p = around(boxes, (w, h) => ({ mx: Math.max(CHECK_MARGIN, w * PART_MARGIN), my: Math.max(CHECK_MARGIN, h * PART_MARGIN) }));
  const part = { x0: Math.min(p.x0, check.x0), y0: Math.min(p.y0, check.y0), x1: Math.max(p.x1, check.x1), y1: Math.max(p.y1, check.y1) };
  return area(part) > CROP_MAX_AREA ? null : part;
}

/** The part of its frame a copy shows (normalised), or the whole frame. */
export function rawRegion(raw: Pick<RawFrame, 'width' | 'height' | 'crop'>): NormRegion {
  const c = raw.crop;
  if (!c) return { x0: 0, y0: 0, x1: 1, y1: 1 };
  return { x0: c.x / c.fullWidth, y0: c.y / c.fullHeight, x1: (c.x + raw.width) / c.fullWidth, y1: (c.y + raw.height) / c.fullHeight };
}

/**
 * A `size`×`size` grey thumbnail of a region of the frame (normalised to the whole frame, also
 * for a copy of only a part of it): each cell the mean brightness of up to
 * 8×8 evenly spread pixels of its part of the region (0–255). The change check compares two of them
 * (utils/scheduler.ts `pictureChange`); null for a format it cannot read.
 */
export function lumaThumbnail(raw: RawFrame, region: NormRegion = { x0: 0, y0: 0, x1: 1, y1: 1 }, size = 16): Uint8Array | null {
  if (!readableFormat(raw.format) || !raw.layout[0] || raw.width <= 0 || raw.height <= 0) return null;
  const bytes = new Uint8Array(raw.buffer);
  const { offset, stride } = raw.layout[0];
  const packed = PACKED[raw.format];
  // The region in the copied pixels.
  const c = raw.crop ?? { x: 0, y: 0, fullWidth: raw.width, fullHeight: raw.height };
  const px0 = Math.max(0, Math.min(raw.width - 1, region.x0 * c.fullWidth - c.x));
  const py0 = Math.max(0, Math.min(raw.height - 1, region.y0 * c.fullHeight - c.y));
  const pw = Math.max(1, Math.min(raw.width, region.x1 * c.fullWidth - c.x) - px0);
  const ph = Math.max(1, Math.min(raw.height, region.y1 * c.fullHeight - c.y) - py0);
  const cellW = pw / size;
  const cellH = ph / size;
  const n = Math.max(1, Math.min(8, Math.floor(Math.min(cellW, cellH))));
  // The sampled columns' byte offsets in a row, once (the same for every row), and each cell
  // column's sum; the rows are read in order.
  const bpp = packed ? 4 : 1;
  const xs = new Int32Array(size * n);
  for (let cx = 0; cx < size; cx++) {
    for (let sx = 0; sx < n; sx++) xs[cx * n + sx] = Math.min(raw.width - 1, Math.floor(px0 + (cx + (sx + 0.5) / n) * cellW)) * bpp;
  }
  const sums = new Int32Array(size);
  const out = new Uint8Array(size * size);
  for (let cy = 0; cy < size; cy++) {
    sums.fill(0);
    for (let sy = 0; sy < n; sy++) {
      const y = Math.min(raw.height - 1, Math.floor(py0 + (cy + (sy + 0.5) / n) * cellH));
      const row = offset + y * stride;
      for (let cx = 0; cx < size; cx++) {
        let sum = 0;
        for (let k = cx * n, end = k + n; k < end; k++) {
          const i = row + (xs[k] as number);
          sum += packed ? ((bytes[i + packed.r] as number) * 77 + (bytes[i + 1] as number) * 150 + (bytes[i + packed.b] as number) * 29) >> 8 : (bytes[i] as number);
        }
        sums[cx] = (sums[cx] as number) + sum;
      }
    }
    for (let cx = 0; cx < size; cx++) out[cy * size + cx] = Math.round((sums[cx] as number) / (n * n));
  }
  return out;
}

/**
 * Copy the video's current frame. Null when this browser has no WebCodecs, the video has no
 * current frame, or its frames are in a format this code does not read (the caller draws the
 * video instead). Throws a DOMException `SecurityError` for a cross-origin video.
 */
export async function copyVideoFrame(video: HTMLVideoElement, reuse?: BufferPool, region?: NormRegion | null): Promise<{ raw: RawFrame; pageMs: number; mediaTime: number } | null> {
  if (typeof VideoFrame !== 'function') return null;
  const t0 = performance.now();
  let frame: VideoFrame;
  // The media time of the frame copied, read with it (not after the copy's await, when the video has moved on).
  const mediaTime = video.currentTime;
  try {
    frame = new VideoFrame(video);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'SecurityError') throw err;
    return null; // no frame yet, or not supported for this video
  }
  try {
    const visible = frame.visibleRect;
    if (!visible || !readableFormat(frame.format)) return null;
    // Only the part around the faces, when asked and worth it (its rect is in the coded frame's pixels).
    const part = region ? cropRect(region, visible.width, visible.height) : null;
    const options = part ? { rect: { x: visible.x + part.x, y: visible.y + part.y, width: part.width, height: part.height } } : undefined;
    const bytes = frame.allocationSize(options);
    const buffer = reuse?.take(bytes) ?? new ArrayBuffer(bytes);
    const copying = frame.copyTo(buffer, options);
    const syncMs = performance.now() - t0;
    const layout = await copying;
    const raw: RawFrame = part
      ? { buffer, format: frame.format, width: part.width, height: part.height, layout, crop: { x: part.x, y: part.y, fullWidth: visible.width, fullHeight: visible.height } }
      : { buffer, format: frame.format, width: visible.width, height: visible.height, layout };
    return { raw, pageMs: syncMs, mediaTime };
  } catch {
    return null;
  } finally {
    frame.close();
  }
}

/**
 * A copied frame as it crosses from the meeting page to the relay iframe (another process): its
 * bytes in pieces of at most `MESSAGE_CHUNK_BYTES`, not its buffer. Chrome carries a transferred
 * ArrayBuffer of over 64 KiB between processes in a shared-memory region made for the message,
 * and a smaller one inside the message itself. Timed alone (a page posting to a cross-site iframe,
 * idle machine), a 150 kB buffer cost the sender 1.1 ms, its bytes in three pieces 0.5 ms with the
 * copies into them. In the bench (4 tiles, CPU profile of the page) the posts cost about what they
 * did (~17 → ~16 ms/s) and cutting the pieces 4 ms/s; the gain was on the way back: the page's
 * buffer stays on the page for its next copy (`BufferPool`) instead of coming back with the answer
 * in a region of its own, and the page's receipt of messages fell from 13.4 to 1.9 ms/s (trace).
 */
export type WireRawFrame = Omit<RawFrame, 'buffer'> & { chunks: ArrayBuffer[] };

/** The largest piece of a frame in one message (under Chrome's 64 KiB for bytes carried inline). */
export const MESSAGE_CHUNK_BYTES = 60 * 1024;

/** The copy's bytes in pieces to transfer (new buffers; the copy's own buffer is left as it was). */
export function toWire(raw: RawFrame, chunkBytes = MESSAGE_CHUNK_BYTES): WireRawFrame {
  const { buffer, ...rest } = raw;
  const chunks: ArrayBuffer[] = [];
  for (let at = 0; at < buffer.byteLength; at += chunkBytes) chunks.push(buffer.slice(at, Math.min(buffer.byteLength, at + chunkBytes)));
  return { ...rest, chunks };
}

/** The copy again from its pieces, in a buffer from `pool` when one of the size is free. */
export function fromWire(wire: WireRawFrame, pool?: BufferPool): RawFrame {
  const { chunks, ...rest } = wire;
  const bytes = chunks.reduce((n, c) => n + c.byteLength, 0);
  const buffer = pool?.take(bytes) ?? new ArrayBuffer(bytes);
  const into = new Uint8Array(buffer);
  let at = 0;
  for (const c of chunks) {
    into.set(new Uint8Array(c), at);
    at += c.byteLength;
  }
  return { ...rest, buffer };
}

/**
 * Frame buffers to use again: a copy whose picture did not change is not sent, and a sent one's
 * bytes go in pieces (`toWire`) while its buffer stays, so a call at 30 frames/s does not leave
 * megabytes of garbage a second on the meeting page's heap. The relay keeps one too, for the
 * buffers it puts the pieces back together in (they come back from the host with its answer).
 */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];
  constructor(private readonly max = 8) {}

  /** A free buffer of exactly `bytes`, or undefined. */
  take(bytes: number): ArrayBuffer | undefined {
    const i = this.free.findIndex((b) => b.byteLength === bytes);
    return i < 0 ? undefined : this.free.splice(i, 1)[0];
  }

  /** Give a buffer back (a detached one — transferred away — is ignored). */
  give(buffer: ArrayBuffer | undefined): void {
    if (!buffer || buffer.byteLength === 0) return;
    this.free.push(buffer);
    if (this.free.length > this.max) this.free.shift();
  }

  get size(): number {
    return this.free.length;
  }
}

/**
 * The inference host's side: the copied frame as a picture for the models, scaled so its longer
 * side is at most `maxSide` (a frame already that small is only converted).
 *
 * The colour conversion is `VideoFrame.copyTo({format: 'RGBA'})` into an ImageData, on purpose:
 * `createImageBitmap(videoFrame)` (or drawing the VideoFrame) leaves each converted frame in the
 * renderer's image decode cache — measured, 400 kB per 320×320 frame, the extension process grew by
 * ~280 MB a minute at 4 tiles until the cache's item limit — while a bitmap made from an ImageData
 * holds only its own pixels and is freed on `close()`.
 */
export async function rawToBitmap(raw: RawFrame, maxSide: number): Promise<ImageBitmap> {
  const frame = new VideoFrame(raw.buffer, { format: raw.format, codedWidth: raw.width, codedHeight: raw.height, timestamp: 0, layout: raw.layout });
  let image: ImageData;
  try {
    image = await frameToImageData(frame);
  } finally {
    frame.close();
  }
  const { width, height } = rawAnalysisSize(raw, maxSide);
  if (width === raw.width && height === raw.height) return createImageBitmap(image);
  return createImageBitmap(image, { resizeWidth: width, resizeHeight: height, resizeQuality: 'low' });
}

/**
 * The size a copy is analysed at: the whole frame's longer side at most `maxSide`, and a copied part
 * at the same scale as its whole frame would be — the faces keep their size in pixels whether a
 * picture is the whole frame or the part around them (the affect model's smallest face, the
 * detector's view), and a part costs the host less in proportion.
 */
export function rawAnalysisSize(raw: Pick<RawFrame, 'width' | 'height' | 'crop'>, maxSide: number): { width: number; height: number } {
  if (!raw.crop) return analysisSize(raw.width, raw.height, maxSide);
  return partAnalysisSize(raw.width, raw.height, raw.crop.fullWidth, raw.crop.fullHeight, maxSide);
}

/**
 * A VideoFrame's visible pixels as RGBA (`copyTo({format: 'RGBA'})`; see `rawToBitmap` for why not
 * `createImageBitmap`). Throws in a browser whose copyTo has no RGB conversion. Does not close the frame.
 */
export async function frameToImageData(frame: VideoFrame): Promise<ImageData> {
  const { width, height } = frame.visibleRect ?? { width: frame.displayWidth, height: frame.displayHeight };
  const rgba = new Uint8ClampedArray(width * height * 4);
  const layout = await frame.copyTo(rgba, { format: 'RGBA' } as VideoFrameCopyToOptions);
  // A browser without RGB conversion in copyTo ignores the option and writes the planes as they are.
  if (layout.length !== 1 || layout[0]!.stride !== width * 4) throw new Error('this browser cannot convert video frames to RGBA (VideoFrame.copyTo)');
  return new ImageData(rgba, width, height);
}
