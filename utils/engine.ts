/**
 * The inference host: owns the models and analyses frames one at a time.
 * Runs in the offscreen document (Chrome) and, later, in Firefox's background page — it uses DOM
 * APIs (fetch, createImageBitmap) but no extension APIs: URLs come in as options.
 *
 *   frames ──► pending (latest per tile; an older one is answered `dropped`) ──► one run at a time
 */
import { ausFromBlendshapes, isSmile } from '../models/aus';
import { backendOrder, createAffectBackend } from '../models/affect/registry';
import { AffectModelError, type AffectBackend, type AffectBackendId, type FaceCrop } from '../models/affect/types';
import { LIVE_WINDOWS, ParticipantTemporal } from '../models/temporal/participant';
import { FaceTracker } from './sites/tracking';
import { FaceLandmarkerModel, ModelMissingError, type FaceLandmarkerOptions, type LandmarkedFace } from '../models/face-landmarker';
import { carryLandmarks, FaceDetectorModel } from '../models/face-detector';
import type { FrameReply, FrameRequest } from './protocol';
import { BusyWindow } from './scheduler';
import { placeInFrame } from './geometry';
import type { EngineStatus, FaceAffect, FaceResult, FrameResult, TooSmall } from './types';

/** A participant unseen for this long (ms) is forgotten by the live view (the session log keeps them). */
export const PARTICIPANT_IDLE_MS = 10 * 60_000;

/** Frames older than this when their turn comes are dropped rather than analysed late. */
export const STALE_FRAME_MS = 1000;

interface Pending {
  frame: FrameRequest;
  tabId: number | undefined;
  /** The frame's pixels (transferred, copied planes, or cut from a tab capture when its turn comes), instead of decoding `frame.image`. */
  picture?: () => Promise<Picture | null>;
  receivedAt: number;
  resolve: (reply: FrameReply) => void;
}

/** A frame's pixels as the engine takes them. */
export interface Picture {
  bitmap: ImageBitmap;
  /**
   * When the pixels were taken (epoch ms), if not when the page asked (`capturedAt`): a tab
   * capture's region is cut when the engine takes the frame, from the capture's frame of that moment.
   */
  takenAt?: number;
  /** Cut from a tab capture by the host when the engine asked: the engine's wait for it is the `cut` stage (the host's read-back and cut), not a decode. */
  cut?: boolean;
}

export interface EngineOptions extends FaceLandmarkerOptions {
  /** URL of an installed weight file by name (the affect models live next to the landmarker). */
  modelUrl: string;
  affectUrl: (file: string) => string;
  /** The user's affect backend, or 'auto' for the best installed one. */
  affectBackend: AffectBackendId | 'auto';
  /** URL of `blaze_face_short_range.tflite`, for light pictures; without it every picture is landmarked. */
  detectorUrl?: string;
}

/**
 * Light pictures: after a tile's landmarked picture, this many of its next pictures are read with
 * BlazeFace alone (~6–9 ms, against ~25–36 for the landmarker): the expression and valence/arousal
 * from the picture (the affect model on the landmarked box, placed where the detector found the
 * face, models/face-detector.ts `carryLandmarks`), the action units and head pose carried from the
 * landmarked picture. So the landmarker runs on one picture in three, and the expression, which the
 * smoothing windows average, keeps every picture's reading; AUs are not smoothed (ALGORITHMS.md §3)
 * and change at a third of the picture rate — at most two pictures old, ~2–3 times a second per
 * tile at the default frame budget. A/B (README → Performance): 4 moving tiles 23.1–23.8 → 25.8–27.0
 * pictures/s, latency p50 33 → 23–25 ms, against one light picture per landmarked one.
 */
export const LIGHT_PER_LANDMARKED = 2;

/** A light picture carries action units at most this old (ms); an older tile's picture is landmarked. */
export const LANDMARKS_MAX_AGE_MS = 2000;

/**
 * Faces smaller than this (px, shorter side of the landmark box in the analysed frame) are too
 * small for the affect model: they get AUs and a "too small" status, no expression. Measured with
 * `npm run eval` on the London photos shrunk (offline model): faces of 36–46 px 18/20 top-1 (full
 * size 19/20), 27–34 px 16/20, 18–23 px 14/20, 14–18 px 12/20 (= calling every face Neutral).
 */
export const MIN_AFFECT_FACE_PX = 32;

/** An "unchanged" frame for a tile the engine has no analysed frame of (e.g. a new offscreen document). */
class UnchangedWithoutPrevious extends Error {}
/** A frame to be cut from a tab capture that is no longer there. */
class NoPicture extends Error {}
/** A picture of the part around a tile's faces with no face in it (they moved out): the whole frame is needed. */
class PartWithoutFace extends Error {}

/** What the affect step made of one face: a reading, a face too small to read, or nothing (no model). */
type AffectOutcome = { affect: FaceAffect; tooSmall?: undefined } | { affect?: undefined; tooSmall: TooSmall } | undefined;

/** A tile's last analysed picture: what "unchanged" frames and a held tile's repeats say again. */
interface LastAnalysis {
  /** Its faces, in the tile's whole frame. */
  found: LandmarkedFace[];
  affect: AffectOutcome[];
  /** Light pictures since the last landmarked one (0: this one was landmarked). */
  light: number;
  /** When the last landmarked picture was taken (capturedAt). */
  landmarkedAt: number;
  /**
   * A light picture's pixels, kept until the tile's next frame: if that frame says "unchanged" (the
   * tile went still), the landmarker reads them once, so that the repeats carry this picture's own
   * action units, not the picture before's (a still neutral face would repeat the smile it had
   * before for as long as it stayed still).
   */
  kept?: { bitmap: ImageBitmap; part: FrameRequest['part'] };
}

/** What the engine keeps per tile (tab + tile key), until the sweep finds none of its people left. */
interface TileState {
  /** Its faces keep their ids across frames. */
  readonly tracker: FaceTracker;
  /** The participants it has had (their windows learn when they are absent from its frames). */
  readonly participants: Set<string>;
  /**
   * Its last analysed picture, repeated for frames whose picture did not change, with how many
   * light pictures followed its last landmarked one and that one's time; none before the first.
   */
  last?: LastAnalysis;
  /** Its last frame's time: the next goes after it. */
  lastAt: number;
}

/** What the models made of one picture (`Engine.read`). */
interface Reading {
  found: LandmarkedFace[];
  affect: AffectOutcome[];
  light: boolean;
  detectionMs?: number;
  landmarksMs: number;
  /** performance.now() when the faces were found (the affect model's start). */
  foundAt: number;
}

export class Engine {
  private status: EngineStatus = { state: 'idle' };
  private landmarker: FaceLandmarkerModel | null = null;
  private affect: AffectBackend | null = null;
  private cropCanvas: OffscreenCanvas | null = null;
  /** Per tile (tab + tile key): its face tracker, its people, its last analysis and frame time. */
  private readonly tiles = new Map<string, TileState>();
  /** Temporal state per participant (tab + participant id). */
  private readonly participants = new Map<string, ParticipantTemporal>();
  private framesSinceSweep = 0;
  private windows: { expressionWindowMs: number; vaWindowMs: number } = LIVE_WINDOWS;
  private disposed = false;
  private loading: Promise<void> | null = null;
  private readonly pending = new Map<string, Pending>();
  private detector: FaceDetectorModel | null = null;
  private running = false;
  /** The engine's busy time (frames analysed or repeated) over the last 2 s, sent with each result. */
  private readonly busy = new BusyWindow();

  constructor(
    private readonly options: EngineOptions,
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
      const landmarker = await FaceLandmarkerModel.load(this.options);
      if (this.disposed) {
        landmarker.dispose(); // replaced while loading (the user picked another backend)
        return;
      }
      // Faces and action units are available now; the affect model follows (a second or two).
      this.landmarker = landmarker;
      this.setReady(null, 'loading the affect model…', t0, true);
      const { backend, note } = await this.loadAffect(t0);
      if (this.disposed) {
        void backend?.dispose();
        return;
      }
      this.affect = backend;
      this.setReady(backend, note, t0);
      // Light pictures need BlazeFace; without it (a missing file) every picture is landmarked —
      // slower, nothing lost — and the status says so.
      if (this.options.detectorUrl) {
        let failure: string | null = null;
        const detector = await FaceDetectorModel.load({ wasmBase: this.options.wasmBase, detectorUrl: this.options.detectorUrl }).catch((err: unknown) => {
          failure = err instanceof ModelMissingError ? `${err.file} is missing` : `the face detector did not load (${String(err)})`;
          return null;
        });
        if (this.disposed) detector?.dispose();
        else this.detector = detector;
        if (failure && !this.disposed) this.setReady(backend, [note, `${failure}: every picture goes through the landmarker (slower)`].filter(Boolean).join('; '), t0);
      }
    } catch (err) {
      if (err instanceof ModelMissingError) {
        this.setStatus({ state: 'model-missing', file: err.file, hint: `run "npm run models" and rebuild (AFFECTLENS_MODELS_DIR can point at a folder holding ${err.file})` });
      } else {
        this.setStatus({ state: 'error', message: err instanceof Error ? err.message : String(err) });
      }
      throw err;
    }
  }

  /**
   * The affect model: the user's choice, else the best installed; a missing or broken file falls
   * back to the next backend, and the reason is kept for the UI. Null when none loads (the
   * landmarker's action units still work).
   */
  private setReady(backend: AffectBackend | null, note: string | null, t0: number, affectLoading = false): void {
    this.setStatus({
      state: 'ready',
      backend: backend ? `mediapipe-face-landmarker + ${backend.spec.id}` : 'mediapipe-face-landmarker',
      affect: backend
        ? {
            id: backend.spec.id,
            label: backend.spec.label,
            vaEstimated: backend.spec.valenceArousal !== 'model',
            contemptAvailable: backend.spec.classes.includes('Contempt'),
          }
        : null,
      note,
      ...(affectLoading ? { affectLoading } : {}),
      loadMs: Math.round(performance.now() - t0),
      readyAt: Date.now(),
    });
  }

  private async loadAffect(t0: number): Promise<{ backend: AffectBackend | null; note: string | null }> {
    const failures = new Map<string, string>();
    const wanted = this.options.affectBackend;
    for (const spec of backendOrder(wanted)) {
      const backend = createAffectBackend(spec);
      try {
        await backend.load({
          model: this.options.affectUrl(spec.file),
          onProgress: (f, stage) => this.setReady(null, `loading ${spec.label}: ${stage} (${Math.round(f * 100)}%)`, t0, true),
        });
        // Missing optional HSEmotion files are the normal offline case: say so only when the user chose one.
        const note = wanted === 'auto' || wanted === spec.id ? null : `${wanted} unavailable (${failures.get(wanted) ?? 'not installed'}); using ${spec.label}`;
        return { backend, note };
      } catch (err) {
        failures.set(spec.id, err instanceof AffectModelError ? `${err.file} ${err.reason}` : String(err));
      }
    }
    return { backend: null, note: `no affect model could be loaded (${[...failures.values()].join('; ')})` };
  }

  private setStatus(s: EngineStatus): void {
    this.status = s;
    this.onStatus(s);
  }

  /** Queue a frame; the reply comes when it is analysed, dropped, or cannot be analysed. */
  analyse(frame: FrameRequest, tabId: number | undefined, picture?: () => Promise<Picture | null>): Promise<FrameReply> {
    if (this.status.state !== 'ready') {
      void this.init();
      return Promise.resolve({ ok: false, reason: 'engine-not-ready', status: this.status });
    }
    const key = `${tabId ?? -1}:${frame.tileId}`;
    const older = this.pending.get(key);
    if (older) older.resolve({ ok: false, reason: 'dropped', status: this.status });
    return new Promise((resolve) => {
      this.pending.set(key, { frame, tabId, picture, receivedAt: performance.now(), resolve });
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
        const start = performance.now();
        try {
          const result = await this.run(job);
          const end = performance.now();
          this.busy.add(start, end);
          result.timings.load = Math.round(this.busy.load(end) * 100) / 100;
          job.resolve({ ok: true, result });
        } catch (err) {
          if (err instanceof UnchangedWithoutPrevious) {
            job.resolve({ ok: false, reason: 'need-picture', status: this.status });
            continue;
          }
          if (err instanceof PartWithoutFace) {
            job.resolve({ ok: false, reason: 'need-whole', status: this.status });
            continue;
          }
          if (err instanceof NoPicture) {
            job.resolve({ ok: false, reason: 'no-capture', status: this.status });
            continue;
          }
          job.resolve({ ok: false, reason: 'error', message: err instanceof Error ? err.message : String(err), status: this.status });
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async run(job: Pending): Promise<FrameResult> {
    if (!this.landmarker) throw new Error('engine not loaded');
    const key = `${job.tabId ?? -1}:${job.frame.tileId}`;
    let tile = this.tiles.get(key);
    if (!tile) this.tiles.set(key, (tile = { tracker: new FaceTracker(job.frame.tileId), participants: new Set(), lastAt: -Infinity }));
    const t0 = performance.now();
    let found: LandmarkedFace[];
    let affect: AffectOutcome[];
    let t1 = t0;
    let t2 = t0;
    let cut = false;
    /** Read with BlazeFace alone, the action units carried (LIGHT_PER_LANDMARKED). */
    let light = false;
    let detectionMs: number | undefined;
    let landmarksMs = 0;
    // When the pixels were taken: a tab capture's region is cut later than the page asked.
    let shiftMs = 0;
    /** The frame said "unchanged" after a light picture: that picture, read again with the landmarker. */
    let reread = false;
    if (job.frame.unchanged) {
      // The same picture as this tile's last analysed frame: its faces again, at the new time.
      const last = tile.last;
      if (!last) throw new UnchangedWithoutPrevious();
      if (last.kept) {
        const { bitmap, part } = last.kept;
        last.kept = undefined;
        reread = true;
        t1 = performance.now();
        let r: Reading;
        try {
          r = await this.read(bitmap, part, undefined);
        } finally {
          bitmap.close();
        }
        ({ found, affect, landmarksMs } = r);
        t2 = r.foundAt;
        setLast(tile, { found, affect, light: 0, landmarkedAt: job.frame.capturedAt });
      } else {
        ({ found, affect } = last);
      }
    } else {
      const picture = job.picture ? await job.picture() : { bitmap: await createImageBitmap(await (await fetch(job.frame.image)).blob()) };
      if (!picture) throw new NoPicture();
      const { bitmap } = picture;
      cut = picture.cut === true;
      if (picture.takenAt !== undefined) shiftMs = Math.max(0, picture.takenAt - job.frame.capturedAt);
      t1 = performance.now();
      const prev = tile.last;
      // A still tile's picture (FrameRequest.still) is repeated until its next one: read in full.
      const lightOk = !job.frame.still && !!prev && prev.light < LIGHT_PER_LANDMARKED && job.frame.capturedAt - prev.landmarkedAt < LANDMARKS_MAX_AGE_MS;
      let r: Reading;
      try {
        r = await this.read(bitmap, job.frame.part, lightOk ? prev : undefined);
      } catch (err) {
        bitmap.close();
        throw err;
      }
      ({ found, affect, light, detectionMs, landmarksMs } = r);
      t2 = r.foundAt;
      // A light picture's pixels stay until the tile's next frame (LastAnalysis.kept).
      if (!light) bitmap.close();
      setLast(
        tile,
        light && prev
          ? { found, affect, light: prev.light + 1, landmarkedAt: prev.landmarkedAt, kept: { bitmap, part: job.frame.part } }
          : { found, affect, light: 0, landmarkedAt: job.frame.capturedAt },
      );
    }
    // After the models: action units, face tracks, the temporal layer (smoothing, compound, engagement).
    const tModels = performance.now();
    // Several people in one tile (a meeting-room camera) are told apart by the tracker; a
    // one-person tile's face is always `#1`, the tile's participant.
    // A tile's frames are analysed in time order, but a frame's time can fall at or before the
    // last one's: a still tile's repeat (utils/hold.ts) made while the page's picture travelled, or
    // a capture shifted to when its region was cut. Such a frame goes just after the last one, or the
    // tracks, the smoothing windows and the session (which take a tile's frames in time order) would
    // drop it as out of order.
    const capturedAt = Math.max(job.frame.capturedAt + shiftMs, tile.lastAt + 1);
    tile.lastAt = capturedAt;
    const ids = tile.tracker.update(capturedAt, found.map((f) => f.boxNorm));
    const t = capturedAt;
    const present = new Set<string>();
    const faces: FaceResult[] = found.map((f, i) => {
      const reading = ausFromBlendshapes(f.blendshapes);
      const a = affect[i]?.affect;
      const tooSmall = affect[i]?.tooSmall;
      const participantId = ids[i] ?? `${job.frame.tileId}#?`;
      present.add(participantId);
      const live = this.participant(job.tabId, participantId).push(
        { t, face: true, aus: reading.intensity, blendshapes: f.blendshapes, ...(f.matrix ? { matrix: f.matrix } : {}), ...(a ? { probs: a.probs, valence: a.valence, arousal: a.arousal } : {}) },
        isSmile(reading),
      );
      return {
        participantId,
        boxNorm: f.boxNorm,
        aus: reading.intensity,
        active: reading.active,
        smile: isSmile(reading),
        ...(a ? { affect: a } : {}),
        ...(tooSmall ? { tooSmall } : {}),
        live: {
          label: live.smoothed.label,
          probs: live.smoothed.probs,
          valence: live.smoothed.valence,
          arousal: live.smoothed.arousal,
          compound: live.compound,
          engagement: { index: live.engagement.index, components: { ...live.engagement.components } },
          smile: live.smile,
          baselineFormed: live.baselineFormed,
          lagMs: live.smoothed.lagMs,
        },
      };
    });
    // People of this tile not seen in this frame: their windows learn about the absence too.
    const known = tile.participants;
    for (const pid of known) if (!present.has(pid)) this.participant(job.tabId, pid).push({ t, face: false }, false);
    for (const pid of present) known.add(pid);
    this.sweep(t);
    const t3 = performance.now();
    return {
      tabId: job.tabId,
      tileId: job.frame.tileId,
      name: job.frame.name,
      mediaTime: job.frame.mediaTime + shiftMs / 1000,
      capturedAt,
      doneAt: Date.now(),
      faces,
      timings: reread
        ? { decode: 0, landmarks: landmarksMs, affect: tModels - t2, smoothing: t3 - tModels, total: t3 - job.receivedAt }
        : job.frame.unchanged
        ? { decode: 0, landmarks: 0, affect: 0, smoothing: t3 - tModels, total: t3 - job.receivedAt }
        : {
            ...(cut ? { decode: 0, cut: t1 - t0 } : { decode: t1 - t0 }),
            ...(detectionMs === undefined ? {} : { detection: detectionMs }),
            landmarks: landmarksMs,
            affect: tModels - t2,
            smoothing: t3 - tModels,
            total: t3 - job.receivedAt,
          },
      pageMs: job.frame.pageMs,
      ...(job.frame.drawMs === undefined ? {} : { drawMs: job.frame.drawMs }),
      via: job.frame.via,
      ...(job.frame.unchanged ? { reused: true } : {}),
      ...(job.frame.held ? { held: true } : {}),
      ...(job.frame.part ? { cropped: true } : {}),
      ...(light ? { light: true } : {}),
      ...(job.frame.still ? { still: true } : {}),
    };
  }

  /**
   * The models on one picture (`part`: where it is in the tile's frame). With `prev`, it is tried
   * light: BlazeFace's faces paired with `prev`'s (LIGHT_PER_LANDMARKED); where they do not pair,
   * and without `prev`, the landmarker reads it. The faces come back in the frame's coordinates.
   * Does not close the bitmap.
   */
  private async read(bitmap: ImageBitmap, part: FrameRequest['part'], prev: LastAnalysis | undefined): Promise<Reading> {
    const landmarker = this.landmarker;
    if (!landmarker) throw new Error('engine not loaded');
    const t0 = performance.now();
    let detectionMs: number | undefined;
    let carried: LandmarkedFace[] | null = null;
    if (this.detector && prev) {
      // No face, or not the same faces: the landmarker reads the picture after all.
      carried = carryLandmarks(this.detector.run(bitmap), part, prev.found);
      detectionMs = performance.now() - t0;
    }
    let found: LandmarkedFace[];
    let landmarksMs = 0;
    if (carried) {
      found = carried;
    } else {
      const tl = performance.now();
      found = landmarker.run(bitmap);
      landmarksMs = performance.now() - tl;
    }
    const foundAt = performance.now();
    // Nothing in the part around where the faces were: no reading (not "no face", which the
    // smoothing and the session would take as the person gone) until the whole frame says.
    if (part && !found.length) throw new PartWithoutFace();
    const affect = await this.runAffect(bitmap, found);
    // Found in a part of the frame: where they are in the whole frame (the tracks, the overlay and
    // the next part cut around them all take the frame's coordinates).
    if (part) found = placeInFrame(found, part);
    return { found, affect, light: carried !== null, ...(detectionMs === undefined ? {} : { detectionMs }), landmarksMs, foundAt };
  }

  private participant(tabId: number | undefined, participantId: string): ParticipantTemporal {
    const key = `${tabId ?? -1}:${participantId}`;
    let p = this.participants.get(key);
    if (!p) this.participants.set(key, (p = new ParticipantTemporal(this.windows)));
    return p;
  }

  /** The user changed the smoothing windows: every participant's live filter follows at once. */
  setSmoothing(windows: { expressionWindowMs: number; vaWindowMs: number }): void {
    this.windows = { ...windows };
    for (const p of this.participants.values()) p.setWindows(windows);
  }

  /** Forget participants and tiles not seen for a while, so a long session stays bounded. */
  private sweep(now: number): void {
    if (++this.framesSinceSweep < 200) return;
    this.framesSinceSweep = 0;
    for (const [key, p] of this.participants) {
      if (now - p.lastSeen > PARTICIPANT_IDLE_MS) this.participants.delete(key);
    }
    for (const [key, tile] of this.tiles) {
      const tabPrefix = key.slice(0, key.indexOf(':') + 1);
      if (![...tile.participants].some((pid) => this.participants.has(tabPrefix + pid))) {
        setLast(tile, undefined);
        this.tiles.delete(key);
      }
    }
  }

  /**
   * All faces of the frame in one batched run. A face too small for any affect model is marked so
   * whether or not the model has loaded yet (the badge says so instead of waiting for it).
   */
  private async runAffect(bitmap: ImageBitmap, faces: LandmarkedFace[]): Promise<AffectOutcome[]> {
    const affect = this.affect;
    if (!faces.length) return [];
    const size = affect?.spec.inputSize ?? 0;
    const ctx = affect ? this.cropContext(size) : null;
    const crops: FaceCrop[] = [];
    const index: number[] = [];
    const out: AffectOutcome[] = [];
    faces.forEach((f, i) => {
      // The whole face, also where the frame edge cuts it: drawImage clips the source rectangle to
      // the frame and the destination in proportion, so the visible part keeps its place and the
      // rest stays a neutral grey (London photos cut by 38 % at the left, top or right: 53/60 top-1
      // with the clamped, stretched box, 55/60 with this). No margin around the landmark box, as
      // EmotiEffLib crops: margins of 5, 10 and 20 % each side scored 75, 71 and 74/80 against 74/80
      // on the same photos — no gain worth a departure from the recipe.
      const sx = f.extentNorm.x * bitmap.width;
      const sy = f.extentNorm.y * bitmap.height;
      const sw = f.extentNorm.w * bitmap.width;
      const sh = f.extentNorm.h * bitmap.height;
      const sizePx = Math.round(Math.min(sw, sh));
      if (sizePx < MIN_AFFECT_FACE_PX) {
        out[i] = { tooSmall: { sizePx, minPx: MIN_AFFECT_FACE_PX } };
        return;
      }
      if (!ctx) return; // no affect model (yet)
      // Resized to the model's square input without keeping aspect (ALGORITHMS.md §1); the canvas
      // does the resize, so the model's own resize step is an identity.
      ctx.fillStyle = '#808080';
      ctx.fillRect(0, 0, size, size);
      ctx.drawImage(bitmap, sx, sy, sw, sh, 0, 0, size, size);
      const img = ctx.getImageData(0, 0, size, size);
      crops.push({ data: img.data, width: size, height: size });
      index.push(i);
    });
    const results = affect && crops.length ? await affect.run(crops) : [];
    results.forEach((r, k) => {
      out[index[k]!] = {
        affect: { probs: r.probs, valence: r.valence, arousal: r.arousal, vaSource: r.vaSource, contemptAvailable: r.contemptAvailable, backend: r.backend },
      };
    });
    return out;
  }

  /** The reused canvas that crops faces to the model's square input. */
  private cropContext(size: number): OffscreenCanvasRenderingContext2D | null {
    this.cropCanvas ??= new OffscreenCanvas(size, size);
    if (this.cropCanvas.width !== size) this.cropCanvas.width = this.cropCanvas.height = size;
    return this.cropCanvas.getContext('2d', { willReadFrequently: true });
  }

  dispose(): void {
    this.disposed = true;
    for (const p of this.pending.values()) p.resolve({ ok: false, reason: 'dropped', status: this.status });
    this.pending.clear();
    this.landmarker?.dispose();
    this.landmarker = null;
    this.detector?.dispose();
    this.detector = null;
    for (const tile of this.tiles.values()) setLast(tile, undefined);
    void this.affect?.dispose();
    this.affect = null;
    this.loading = null;
    this.setStatus({ state: 'idle' });
  }
}

/** A tile's last analysis; the one before it gives back the pixels it kept. */
function setLast(tile: TileState, last: LastAnalysis | undefined): void {
  const before = tile.last;
  if (before?.kept && before.kept.bitmap !== last?.kept?.bitmap) before.kept.bitmap.close();
  tile.last = last;
}
