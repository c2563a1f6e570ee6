/**
 * Tab capture (Chrome): the pixels of a whole tab, for tiles whose own pixels the page will not
 * give (a WebGL canvas that reads back blank, a cross-origin canvas — Zoom web). Started only by
 * the user's click in the popup (`tabCapture.getMediaStreamId` there), held by the offscreen
 * document, stopped by the user, by closing the tab, or when the offscreen document goes.
 *
 * The content script sends a tile's on-screen rectangle (CSS px, with the viewport's size); the
 * captured frame is the viewport scaled to fit the stream (letterboxed when the aspect differs), so
 * the rectangle is mapped by that fit, cut out and scaled down like any frame, straight into an
 * ImageBitmap for the engine (no encode, no decode). Each captured frame is read back once, into an
 * ImageData shared by all the tab's tiles (`VideoFrame.copyTo` as RGBA: drawing the video itself
 * would leave every frame in the renderer's image decode cache, see utils/raw-frame.ts).
 */
import { analysisSize } from './geometry';
import { frameToImageData } from './raw-frame';
import type { Picture } from './engine';

export interface ScreenRegion {
  x: number;
  y: number;
  w: number;
  h: number;
  /** The viewport's size in CSS px when the rectangle was measured. */
  viewW: number;
  viewH: number;
}

/** Where a viewport rectangle lands in a stream frame that shows the viewport scaled to fit. */
export function regionInStream(r: ScreenRegion, streamW: number, streamH: number): { x: number; y: number; w: number; h: number } | null {
  if (!(r.viewW > 0 && r.viewH > 0 && streamW > 0 && streamH > 0)) return null;
  const s = Math.min(streamW / r.viewW, streamH / r.viewH);
  const ox = (streamW - r.viewW * s) / 2;
  const oy = (streamH - r.viewH * s) / 2;
  const x0 = Math.max(0, ox + r.x * s);
  const y0 = Math.max(0, oy + r.y * s);
  const x1 = Math.min(streamW, ox + (r.x + r.w) * s);
  const y1 = Math.min(streamH, oy + (r.y + r.h) * s);
  return x1 - x0 >= 1 && y1 - y0 >= 1 ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : null;
}

interface Capture {
  stream: MediaStream;
  video: HTMLVideoElement;
  /**
   * The last captured frame read back, by its timestamp: every tile of that frame is cut from it.
   * `takenAt`: when it was first read (epoch ms) — the tab as it looked then, give or take one
   * capture frame (≤ 100 ms at 10 frames/s).
   */
  latest: { timestamp: number; takenAt: number; image: Promise<ImageData | null> } | null;
}

/** What the inference host needs of the tab captures (utils/inference-host.ts). */
export interface CapturedTabs {
  has(tabId: number): boolean;
  cut(tabId: number, region: ScreenRegion, maxSide: number): Promise<Picture | null>;
}

export class TabCaptures implements CapturedTabs {
  private readonly captures = new Map<number, Capture>();

  has(tabId: number): boolean {
    return this.captures.has(tabId);
  }

  /** Start capturing a tab from the stream id the popup obtained on the user's click. */
  async start(tabId: number, streamId: string): Promise<void> {
    this.stop(tabId);
    const constraints = {
      audio: false,
      video: { mandatory: { chromeMediaSource: 'tab', chromeMediaSourceId: streamId, maxWidth: 1920, maxHeight: 1080, maxFrameRate: 10 } },
    } as unknown as MediaStreamConstraints;
    const stream = await navigator.mediaDevices.getUserMedia(constraints);
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = stream;
    await video.play();
    this.captures.set(tabId, { stream, video, latest: null });
    // The user stopped it from Chrome's own indicator, or the tab went away.
    stream.getVideoTracks()[0]?.addEventListener('ended', () => this.stop(tabId));
  }

  stop(tabId: number): void {
    const c = this.captures.get(tabId);
    if (!c) return;
    this.captures.delete(tabId);
    for (const t of c.stream.getTracks()) t.stop();
    c.video.srcObject = null;
  }

  /** The tile's part of the tab's current frame, scaled so its longer side is ≤ maxSide, and when the tab looked like that; null without a capture or frame. */
  async cut(tabId: number, region: ScreenRegion, maxSide: number): Promise<Picture | null> {
    const c = this.captures.get(tabId);
    if (!c || c.video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return null;
    const latest = this.currentFrame(c);
    const image = await latest?.image;
    if (!latest || !image) return null;
    const r = regionInStream(region, image.width, image.height);
    if (!r) return null;
    const { width, height } = analysisSize(r.w, r.h, maxSide);
    const bitmap = await createImageBitmap(image, r.x, r.y, r.w, r.h, { resizeWidth: width, resizeHeight: height, resizeQuality: 'high' });
    return { bitmap, takenAt: latest.takenAt };
  }

  /** The capture's current frame as RGBA, read back once per frame (the tiles of one frame share it). */
  private currentFrame(c: Capture): Capture['latest'] {
    let frame: VideoFrame;
    try {
      frame = new VideoFrame(c.video);
    } catch {
      return null;
    }
    if (c.latest && c.latest.timestamp === frame.timestamp) {
      frame.close();
      return c.latest;
    }
    const image = frameToImageData(frame)
      .catch(() => null)
      .finally(() => frame.close());
    c.latest = { timestamp: frame.timestamp, takenAt: Date.now(), image };
    return c.latest;
  }
}
