/**
 * Frame capture on the meeting page's main thread, kept to a few milliseconds: one draw of the
 * video into a reused, scaled-down OffscreenCanvas per tile. The transports (utils/transport.ts)
 * take the drawn frame either as a transferable ImageBitmap or as an asynchronously encoded JPEG.
 */
import { analysisSize } from './geometry';

export class UnreadableVideoError extends Error {}

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
  /** The source last checked for cross-origin taint (a 1-pixel read once per source). */
  private checkedSrc: string | null = null;

  /** Draw the video's current frame, scaled so its longer side is ≤ `maxSide`; throws UnreadableVideoError for a tainted source. */
  private draw(video: HTMLVideoElement, maxSide: number): OffscreenCanvas {
    const { width, height } = analysisSize(video.videoWidth, video.videoHeight, maxSide);
    if (!this.canvas || !this.ctx) {
      this.canvas = new OffscreenCanvas(width, height);
      this.ctx = this.canvas.getContext('2d', { alpha: false });
      if (!this.ctx) throw new Error('2d context unavailable');
    }
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.ctx.drawImage(video, 0, 0, width, height);
    if (this.checkedSrc !== video.currentSrc || !video.currentSrc) {
      try {
        this.ctx.getImageData(0, 0, 1, 1);
      } catch (err) {
        throw asUnreadable(err);
      }
      this.checkedSrc = video.currentSrc;
    }
    return this.canvas;
  }

  /** The frame as an ImageBitmap to transfer (no copy); the canvas is ready for the next frame. */
  bitmap(video: HTMLVideoElement, maxSide: number): CapturedBitmap {
    const t0 = performance.now();
    const bitmap = this.draw(video, maxSide).transferToImageBitmap();
    return { bitmap, pageMs: performance.now() - t0 };
  }

  /** The frame as a JPEG data URL; the encode itself runs asynchronously (convertToBlob). */
  async jpeg(video: HTMLVideoElement, maxSide: number, quality: number): Promise<CapturedFrame> {
    const t0 = performance.now();
    const canvas = this.draw(video, maxSide);
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
