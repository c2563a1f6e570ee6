/**
 * Frame capture on the meeting page's main thread, kept to a few milliseconds: one draw into a
 * reused, scaled-down OffscreenCanvas; the JPEG encode runs asynchronously (convertToBlob).
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

export class FrameGrabber {
  private canvas: OffscreenCanvas | null = null;
  private ctx: OffscreenCanvasRenderingContext2D | null = null;

  async grab(video: HTMLVideoElement, maxSide: number, quality: number): Promise<CapturedFrame> {
    const { width, height } = analysisSize(video.videoWidth, video.videoHeight, maxSide);
    const t0 = performance.now();
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
    let blobPromise: Promise<Blob>;
    try {
      blobPromise = this.canvas.convertToBlob({ type: 'image/jpeg', quality });
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
    const image = await blobToDataUrl(blob);
    return { image, width, height, pageMs };
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
