/**
 * Face identity inside one tile across frames.
 *
 * A tile is one participant on the site, but a meeting-room camera shows several people in it. Each
 * face detected in the tile gets a participant id `${tileKey}#${n}`. Detections are matched to the
 * faces seen before by overlap (IoU) or, when a face moved or the detector jittered, by centre
 * distance relative to face size; greedy best-first matching is enough for the handful of faces a
 * tile shows. Identity survives gaps in three ways:
 * - a face missed by the detector keeps its id until it has been missing from at least
 *   `minMissedFrames` analysed frames *and* for longer than `maxGapMs` — frames that were never
 *   analysed (a slow engine, a paused video) do not count as absences;
 * - a face that comes back where a retired face was (IoU ≥ `reviveIou`, within `reviveMs`) is that
 *   face again (people in a meeting room stay in their seats; a detector flickers on a turned head);
 * - a tile that has only ever shown one face at a time is one person, the tile's participant: their
 *   face is `#1` whatever the gap.
 * Otherwise a new face gets the next number, never one handed out before, so results, smoothing and
 * storage keyed by the id never mix two people.
 *
 * Pure: no clock, no timers. Feed it the frame's timestamp (any monotonic ms clock; the same one for
 * every call) and that frame's boxes.
 *
 *   frame t0: [A, B]      → ['tile#1', 'tile#2']
 *   frame t1: [B', A']    → ['tile#2', 'tile#1']   matched by position, not by order
 *   frame t2: []          → []                      both kept while t2 − t1 ≤ maxGapMs
 *   frame t3: [A'']       → ['tile#1']              (t3 − t1 ≤ maxGapMs)
 *   frame t4 (B retired), [B''] where B was → ['tile#2']; elsewhere → ['tile#3']
 */
import type { BoxNorm } from '../types';

export interface FaceTrackerOptions {
  /** How long (ms) a face may go undetected and keep its id. */
  maxGapMs: number;
  /** Smallest IoU (0..1) at which a detection continues a face. */
  minIou: number;
  /**
   * Largest distance between centres, in units of the larger side of the two boxes, at which a
   * detection continues a face that it no longer overlaps enough (fast motion, detector jitter).
   */
  maxCentreDistance: number;
  /** Analysed frames a face must be missing from (as well as `maxGapMs`) before its id retires. */
  minMissedFrames: number;
  /** How long (ms) a retired face can come back at its place with its id. */
  reviveMs: number;
  /** Smallest IoU with a retired face's last box at which a new detection is that face. */
  reviveIou: number;
}

export const FACE_TRACKER_DEFAULTS: Readonly<FaceTrackerOptions> = {
  maxGapMs: 1500,
  minIou: 0.2,
  maxCentreDistance: 1,
  minMissedFrames: 2,
  reviveMs: 30_000,
  reviveIou: 0.5,
};

/** A face the tracker currently knows. Boxes are normalised to the tile's frame (0..1, origin top-left). */
export interface FaceTrack {
  /** `${tileKey}#${n}`. */
  id: string;
  /** The face's number within the tile, stable for the track's life. */
  n: number;
  /** Last detected box. */
  box: BoxNorm;
  /** Timestamp (ms, the caller's clock) of the first and the last detection. */
  firstSeenMs: number;
  lastSeenMs: number;
  /** Frames in which the face was detected. */
  hits: number;
  /** Analysed frames since the last detection. */
  missed: number;
}

/** The participant id of face `n` in the tile with key `tileKey`. */
export function faceParticipantId(tileKey: string, n: number): string {
  return `${tileKey}#${n}`;
}

/** Intersection over union of two normalised boxes (0 when either is empty). */
export function iou(a: BoxNorm, b: BoxNorm): number {
  const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const inter = ix * iy;
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

/** Centre distance in units of the larger side of the two boxes. */
function centreDistance(a: BoxNorm, b: BoxNorm): number {
  const dx = a.x + a.w / 2 - (b.x + b.w / 2);
  const dy = a.y + a.h / 2 - (b.y + b.h / 2);
  const scale = Math.max(a.w, a.h, b.w, b.h);
  return scale > 0 ? Math.hypot(dx, dy) / scale : Infinity;
}

function validBox(b: BoxNorm): boolean {
  return [b.x, b.y, b.w, b.h].every(Number.isFinite) && b.w > 0 && b.h > 0;
}

export class FaceTracker {
  private readonly options: FaceTrackerOptions;
  private live: FaceTrack[] = [];
  /** Faces retired lately, newest last, for `reviveMs`. */
  private retired: FaceTrack[] = [];
  private lastN = 0;
  /** True while the tile has never shown two faces at once (and was never reset): one person. */
  private onePerson = true;

  constructor(
    /** The tile's stable key (`Tile.key`). */
    readonly tileKey: string,
    options: Partial<FaceTrackerOptions> = {},
  ) {
    this.options = { ...FACE_TRACKER_DEFAULTS, ...options };
  }

  /**
   * One frame's detections → their participant ids, in the same order as `boxes`. An invalid box
   * (non-finite, or zero or negative size) gets `null`: nothing may be attributed from it. A
   * non-finite `tMs` leaves the tracker unchanged and returns all `null`.
   */
  update(tMs: number, boxes: readonly BoxNorm[]): (string | null)[] {
    const ids: (string | null)[] = boxes.map(() => null);
    if (!Number.isFinite(tMs)) return ids;
    const { maxGapMs, minIou, maxCentreDistance, minMissedFrames, reviveMs, reviveIou } = this.options;
    const valid = boxes.filter(validBox).length;
    if (valid > 1) this.onePerson = false;

    const pairs: { track: FaceTrack; box: number; score: number }[] = [];
    boxes.forEach((box, i) => {
      if (!validBox(box)) return;
      for (const track of this.live) {
        const overlap = iou(track.box, box);
        const distance = centreDistance(track.box, box);
        if (overlap < minIou && distance > maxCentreDistance) continue;
        // Overlap first; closeness of centres breaks ties and carries faces that moved.
        const closeness = maxCentreDistance > 0 ? Math.max(0, 1 - distance / maxCentreDistance) : 0;
        pairs.push({ track, box: i, score: overlap + 0.5 * closeness });
      }
    });
    pairs.sort((a, b) => b.score - a.score);

    const taken = new Set<FaceTrack>();
    for (const { track, box } of pairs) {
      if (taken.has(track) || ids[box] !== null) continue;
      taken.add(track);
      ids[box] = track.id;
      this.touch(track, boxes[box], tMs);
    }
    // Faces not seen in this analysed frame: one more miss; retire those gone long enough.
    for (const track of this.live) if (!taken.has(track)) track.missed++;
    const retiring = this.live.filter((t) => t.missed >= minMissedFrames && tMs - t.lastSeenMs > maxGapMs);
    this.live = this.live.filter((t) => !retiring.includes(t));
    this.retired = [...this.retired, ...retiring].filter((t) => tMs - t.lastSeenMs <= reviveMs);

    boxes.forEach((box, i) => {
      if (ids[i] !== null || !validBox(box)) return;
      const track = this.revive(box, tMs, reviveIou) ?? this.soleFace(box, tMs, valid) ?? this.newTrack(box, tMs);
      ids[i] = track.id;
    });
    return ids;
  }

  /** The faces currently kept (not retired as of the last update), oldest first. */
  get tracks(): readonly FaceTrack[] {
    return this.live.map((t) => ({ ...t, box: { ...t.box } })).sort((a, b) => a.firstSeenMs - b.firstSeenMs || a.n - b.n);
  }

  /** Forget every face; numbering continues, so ids handed out before are never reused. */
  reset(): void {
    this.live = [];
    this.retired = [];
    this.onePerson = false;
  }

  /** A retired face coming back at its place. */
  private revive(box: BoxNorm, tMs: number, minIou: number): FaceTrack | undefined {
    let best: FaceTrack | undefined;
    let bestIou = minIou;
    for (const t of this.retired) {
      const o = iou(t.box, box);
      if (o >= bestIou) [best, bestIou] = [t, o];
    }
    if (!best) return undefined;
    this.retired = this.retired.filter((t) => t !== best);
    return this.resume(best, box, tMs);
  }

  /** In a one-person tile, the face is the tile's participant: `#1`, whatever the gap. */
  private soleFace(box: BoxNorm, tMs: number, valid: number): FaceTrack | undefined {
    if (!this.onePerson || valid !== 1 || this.live.length || this.lastN !== 1) return undefined;
    const old = this.retired.find((t) => t.n === 1);
    this.retired = this.retired.filter((t) => t.n !== 1);
    return this.resume(old ?? { id: faceParticipantId(this.tileKey, 1), n: 1, box, firstSeenMs: tMs, lastSeenMs: tMs, hits: 0, missed: 0 }, box, tMs);
  }

  private newTrack(box: BoxNorm, tMs: number): FaceTrack {
    const n = ++this.lastN;
    const track: FaceTrack = { id: faceParticipantId(this.tileKey, n), n, box: { ...box }, firstSeenMs: tMs, lastSeenMs: tMs, hits: 1, missed: 0 };
    this.live.push(track);
    return track;
  }

  private resume(track: FaceTrack, box: BoxNorm, tMs: number): FaceTrack {
    this.live.push(track);
    this.touch(track, box, tMs);
    return track;
  }

  private touch(track: FaceTrack, box: BoxNorm | undefined, tMs: number): void {
    if (box) track.box = { ...box };
    track.lastSeenMs = Math.max(track.lastSeenMs, tMs);
    track.hits++;
    track.missed = 0;
  }
}
