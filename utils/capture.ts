/**
 * Frame capture on the meeting page's main thread, kept to a few milliseconds: one draw of the
 * tile's picture (a video, or a region of a canvas the site draws video into) into a reused,
 * scaled-down OffscreenCanvas per tile. The transports (utils/transport.ts)
 * take the drawn frame either as a transferable ImageBitmap or as an asynchronously encoded JPEG.
 */
import { analysisSize, partAnalysisSize } from './geometry';
import type { NormRegion } from './raw-frame';

export class UnreadableVideoError extends Error {}

/** A rectangle in an element's own pixels. */
export interface PixelRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * A tile's pixels: a `<video>`, or a `<canvas>` the site draws video into (Zoom web) — the whole
 * canvas, or the region under the tile when several tiles share one canvas.
 */
export interface Picture {
  el: HTMLVideoElement | HTMLCanvasElement;
  /** The tile's region of the element (element pixels); null: the whole element. */
  crop: PixelRect | null;
}

/** The element's pixel size (a video's intrinsic size, a canvas's bitmap size). */
export function elementPixels(el: HTMLVideoElement | HTMLCanvasElement): { width: number; height: number } {
  return el instanceof HTMLCanvasElement ? { width: el.width, height: el.height } : { width: el.videoWidth, height: el.videoHeight };
}

/** The picture's region in element pixels. */
export function pictureRegion(p: Picture): PixelRect {
  if (p.crop) return p.crop;
  const { width, height } = elementPixels(p.el);
  return { x: 0, y: 0, w: width, h: height };
}

export interface CapturedFrame {
  image: string;
  width: number;
  height: number;
  /** Main-thread ms spent synchronously drawing the frame and starting its encode. */
  pageMs: number;
}

export interface CapturedBitmap {
  bitmap: ImageBitmap;
  /** Main-thread ms spent drawing the frame and detaching the bitmap. */
  pageMs: number;
}

export class FrameGrabber {
  private canvas: OffscreenCanvas | null = null;
  private ctx: OffscreenCanvasRenderingContext2D | null = null;
  /** The source last checked for cross-origin taint (a 1-pixel read once per video source or canvas). */
  private checked: string | HTMLCanvasElement | null = null;

  /**
   * Draw the picture's current frame, scaled so its longer side is ≤ `maxSide` — or only its `part`
   * (normalised), at the scale the whole would have; throws UnreadableVideoError for a tainted source.
   */
  private draw(picture: Picture, maxSide: number, part?: NormRegion): OffscreenCanvas {
    const whole = pictureRegion(picture);
    const r = part ? { x: whole.x + part.x0 * whole.w, y: whole.y + part.y0 * whole.h, w: (part.x1 - part.x0) * whole.w, h: (part.y1 - part.y0) * whole.h } : whole;
    const { width, height } = part ? partAnalysisSize(r.w, r.h, whole.w, whole.h, maxSide) : analysisSize(whole.w, whole.h, maxSide);
    if (!this.canvas || !this.ctx) {
      this.canvas = new OffscreenCanvas(width, height);
      this.ctx = this.canvas.getContext('2d', { alpha: false });
      if (!this.ctx) throw new Error('2d context unavailable');
    }
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.ctx.drawImage(picture.el, r.x, r.y, r.w, r.h, 0, 0, width, height);
    const identity = picture.el instanceof HTMLCanvasElement ? picture.el : picture.el.currentSrc;
    if (this.checked !== identity || !identity) {
      try {
        this.ctx.getImageData(0, 0, 1, 1);
      } catch (err) {
        throw asUnreadable(err);
      }
      this.checked = identity;
    }
    return this.canvas;
  }

  /** The frame (or its `part`) as an ImageBitmap to transfer (no copy); the canvas is ready for the next frame. */
  bitmap(picture: Picture, maxSide: number, part?: NormRegion): CapturedBitmap {
    const t0 = performance.now();
    const bitmap = this.draw(picture, maxSide, part).transferToImageBitmap();
    return { bitmap, pageMs: performance.now() - t0 };
  }

  /** The frame (or its `part`) as a JPEG data URL; the encode itself runs asynchronously (convertToBlob). */
  async jpeg(picture: Picture, maxSide: number, quality: number, part?: NormRegion): Promise<CapturedFrame> {
    const t0 = performance.now();
    const canvas = this.draw(picture, maxSide, part);
    let blobPromise: Promise<Blob>;
    try {
      blobPromise = canvas.convertToBlob({ type: 'image/jpeg', quality });
    } catch (err) {
      throw asUnreadable(err);
    }
    const pageMs = performance.now() - t0;
    let blob: Blob;
    try {
      blob = await blobPromise;
    } catch (err) {
      throw asUnreadable(err);
    }
    return { image: await blobToDataUrl(blob), width: canvas.width, height: canvas.height, pageMs };
  }
}

function asUnreadable(err: unknown): Error {
  // A cross-origin video without CORS taints the canvas: reading it throws SecurityError.
  if (err instanceof DOMException && err.name === 'SecurityError') return new UnreadableVideoError(err.message);
  return err instanceof Error ? err : new Error(String(err));
}

function blobToDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error('FileReader failed'));
    reader.readAsDataURL(blob);
  });
}
