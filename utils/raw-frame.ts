/**
 * A video frame's own pixels, copied out of the `<video>` without drawing it (WebCodecs
 * `VideoFrame`): on the meeting page this costs a plane copy (~0.5 ms for a 320×320 I420 frame)
 * instead of a colour conversion and scale on its main thread, and the change check reads the copy's
 * luma directly. The inference host turns the copy back into a picture (`rawToBitmap`).
 */
import { analysisSize } from './geometry';

/** One frame's planes as `VideoFrame.copyTo` wrote them (its visible rectangle, tightly packed). */
export interface RawFrame {
  buffer: ArrayBuffer;
  format: VideoPixelFormat;
  width: number;
  height: number;
  layout: PlaneLayout[];
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
 * A `size`×`size` grey thumbnail of a region of the frame: each cell the mean brightness of up to
 * 8×8 evenly spread pixels of its part of the region (0–255). The change check compares two of them
 * (utils/scheduler.ts `pictureChange`); null for a format it cannot read.
 */
export function lumaThumbnail(raw: RawFrame, region: NormRegion = { x0: 0, y0: 0, x1: 1, y1: 1 }, size = 16): Uint8Array | null {
  if (!readableFormat(raw.format) || !raw.layout[0] || raw.width <= 0 || raw.height <= 0) return null;
  const bytes = new Uint8Array(raw.buffer);
  const { offset, stride } = raw.layout[0];
  const packed = PACKED[raw.format];
  const px0 = Math.max(0, Math.min(raw.width - 1, region.x0 * raw.width));
  const py0 = Math.max(0, Math.min(raw.height - 1, region.y0 * raw.height));
  const pw = Math.max(1, Math.min(raw.width, region.x1 * raw.width) - px0);
  const ph = Math.max(1, Math.min(raw.height, region.y1 * raw.height) - py0);
  const cellW = pw / size;
  const cellH = ph / size;
  const n = Math.max(1, Math.min(8, Math.floor(Math.min(cellW, cellH))));
  const out = new Uint8Array(size * size);
  for (let cy = 0; cy < size; cy++) {
    for (let cx = 0; cx < size; cx++) {
      let sum = 0;
      for (let sy = 0; sy < n; sy++) {
        const y = Math.min(raw.height - 1, Math.floor(py0 + (cy + (sy + 0.5) / n) * cellH));
        const row = offset + y * stride;
        for (let sx = 0; sx < n; sx++) {
          const x = Math.min(raw.width - 1, Math.floor(px0 + (cx + (sx + 0.5) / n) * cellW));
          if (packed) {
            const i = row + x * 4;
            sum += ((bytes[i + packed.r] as number) * 77 + (bytes[i + 1] as number) * 150 + (bytes[i + packed.b] as number) * 29) >> 8;
          } else {
            sum += bytes[row + x] as number;
          }
        }
      }
      out[cy * size + cx] = Math.round(sum / (n * n));
    }
  }
  return out;
}

/**
 * Copy the video's current frame. Null when this browser has no WebCodecs, the video has no
 * current frame, or its frames are in a format this code does not read (the caller draws the
 * video instead). Throws a DOMException `SecurityError` for a cross-origin video.
 */
export async function copyVideoFrame(video: HTMLVideoElement, reuse?: BufferPool): Promise<{ raw: RawFrame; pageMs: number; mediaTime: number } | null> {
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
    const rect = frame.visibleRect;
    if (!rect || !readableFormat(frame.format)) return null;
    const bytes = frame.allocationSize();
    const buffer = reuse?.take(bytes) ?? new ArrayBuffer(bytes);
    const copying = frame.copyTo(buffer);
    const syncMs = performance.now() - t0;
    const layout = await copying;
    return { raw: { buffer, format: frame.format, width: rect.width, height: rect.height, layout }, pageMs: syncMs, mediaTime };
  } catch {
    return null;
  } finally {
    frame.close();
  }
}

/**
 * Frame buffers to use again: a copy whose picture did not change is not sent, and a sent one comes
 * back with its reply (transferred, no copy), so a call at 30 frames/s does not leave megabytes of
 * garbage a second on the meeting page's heap.
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
  const { width, height } = analysisSize(raw.width, raw.height, maxSide);
  if (width === raw.width && height === raw.height) return createImageBitmap(image);
  return createImageBitmap(image, { resizeWidth: width, resizeHeight: height, resizeQuality: 'low' });
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
