/**
 * The inference host: owns the models and analyses frames one at a time.
 * Runs in the offscreen document (Chrome) and, later, in Firefox's background page — it uses DOM
 * APIs (fetch, createImageBitmap) but no extension APIs: URLs come in as options.
 *
 *   frames ──► pending (latest per tile; an older one is answered `dropped`) ──► one run at a time
 */
import { ausFromBlendshapes, isSmile } from '../models/aus';
import { FaceLandmarkerModel, ModelMissingError, type FaceLandmarkerOptions } from '../models/face-landmarker';
import type { FrameReply, FrameRequest } from './protocol';
import type { EngineStatus, FaceResult, FrameResult } from './types';

/** Frames older than this when their turn comes are dropped rather than analysed late. */
export const STALE_FRAME_MS = 1000;

interface Pending {
  frame: FrameRequest;
  tabId: number | undefined;
  receivedAt: number;
  resolve: (reply: FrameReply) => void;
}

export class Engine {
  private status: EngineStatus = { state: 'idle' };
  private landmarker: FaceLandmarkerModel | null = null;
  private loading: Promise<void> | null = null;
  private readonly pending = new Map<string, Pending>();
  private running = false;

  constructor(
    private readonly options: FaceLandmarkerOptions,
    private readonly onStatus: (s: EngineStatus) => void = () => {},
  ) {}

  getStatus(): EngineStatus {
    return this.status;
  }

  /** Load the models once; later calls share the same load. A failed load can be retried. */
  init(): Promise<void> {
    if (!this.loading) {
      this.loading = this.load().catch(() => {
        this.loading = null;
      });
    }
    return this.loading;
  }

  private async load(): Promise<void> {
    const t0 = performance.now();
    this.setStatus({ state: 'loading', detail: 'face landmarker' });
    try {
      this.landmarker = await FaceLandmarkerModel.load(this.options);
      this.setStatus({ state: 'ready', backend: 'mediapipe-face-landmarker', loadMs: Math.round(performance.now() - t0), readyAt: Date.now() });
    } catch (err) {
      if (err instanceof ModelMissingError) {
        this.setStatus({ state: 'model-missing', file: err.file, hint: `run "npm run models" and rebuild (AFFECTLENS_MODELS_DIR can point at a folder holding ${err.file})` });
      } else {
        this.setStatus({ state: 'error', message: err instanceof Error ? err.message : String(err) });
      }
      throw err;
    }
  }

  private setStatus(s: EngineStatus): void {
    this.status = s;
    this.onStatus(s);
  }

  /** Queue a frame; the reply comes when it is analysed, dropped, or cannot be analysed. */
  analyse(frame: FrameRequest, tabId: number | undefined): Promise<FrameReply> {
    if (this.status.state !== 'ready') {
      void this.init();
      return Promise.resolve({ ok: false, reason: 'engine-not-ready', status: this.status });
    }
    const key = `${tabId ?? -1}:${frame.tileId}`;
    const older = this.pending.get(key);
    if (older) older.resolve({ ok: false, reason: 'dropped', status: this.status });
    return new Promise((resolve) => {
      this.pending.set(key, { frame, tabId, receivedAt: performance.now(), resolve });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.pending.size) {
        // Oldest first, so that every tile gets its turn.
        const [key, job] = [...this.pending.entries()].reduce((a, b) => (b[1].receivedAt < a[1].receivedAt ? b : a));
        this.pending.delete(key);
        if (Date.now() - job.frame.capturedAt > STALE_FRAME_MS) {
          job.resolve({ ok: false, reason: 'dropped', status: this.status });
          continue;
        }
        try {
          job.resolve({ ok: true, result: await this.run(job) });
        } catch (err) {
          job.resolve({ ok: false, reason: 'error', message: err instanceof Error ? err.message : String(err), status: this.status });
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async run(job: Pending): Promise<FrameResult> {
    const landmarker = this.landmarker;
    if (!landmarker) throw new Error('engine not loaded');
    const t0 = performance.now();
    const bitmap = await createImageBitmap(await (await fetch(job.frame.image)).blob());
    const t1 = performance.now();
    let faces: FaceResult[];
    try {
      faces = landmarker.run(bitmap).map((f) => {
        const reading = ausFromBlendshapes(f.blendshapes);
        return { boxNorm: f.boxNorm, aus: reading.intensity, active: reading.active, smile: isSmile(reading) };
      });
    } finally {
      bitmap.close();
    }
    const t2 = performance.now();
    return {
      tabId: job.tabId,
      tileId: job.frame.tileId,
      name: job.frame.name,
      mediaTime: job.frame.mediaTime,
      capturedAt: job.frame.capturedAt,
      doneAt: Date.now(),
      faces,
      timings: { decode: t1 - t0, landmarks: t2 - t1, total: t2 - job.receivedAt },
      pageMs: job.frame.pageMs,
    };
  }

  dispose(): void {
    for (const p of this.pending.values()) p.resolve({ ok: false, reason: 'dropped', status: this.status });
    this.pending.clear();
    this.landmarker?.dispose();
    this.landmarker = null;
    this.loading = null;
    this.setStatus({ state: 'idle' });
  }
}
