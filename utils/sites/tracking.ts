/**
 * Face identity inside one tile across frames.
 *
 * A tile is one participant on the site, but a meeting-room camera shows several people in it. Each
 * face detected in the tile gets a participant id `${tileKey}#${n}`, where `n` (1, 2, …) is handed
 * out once per tracker and never reused, so results, smoothing and storage keyed by that id never mix
 * two people. Detections are matched to the faces seen before by overlap (IoU) or, when a face moved
 * or the detector jittered, by centre distance relative to face size; greedy best-first matching is
 * enough for the handful of faces a tile shows. A face keeps its id through detection gaps up to
 * `maxGapMs` (a turned head, a blink of the detector); after that its id is retired and a face
 * appearing later gets a new one.
 *
 * Pure: no clock, no timers. Feed it the frame's timestamp (any monotonic ms clock; the same one for
 * every call) and that frame's boxes.
 *
 *   frame t0: [A, B]      → ['tile#1', 'tile#2']
 *   frame t1: [B', A']    → ['tile#2', 'tile#1']   matched by position, not by order
 *   frame t2: []          → []                      both kept while t2 − t1 ≤ maxGapMs
 *   frame t3: [A'']       → ['tile#1']              (t3 − t1 ≤ maxGapMs)
 *   frame t4 (B gone > maxGapMs), [B''] → ['tile#3']
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
}

export const FACE_TRACKER_DEFAULTS: Readonly<FaceTrackerOptions> = {
  maxGapMs: 1500,
  minIou: 0.2,
  maxCentreDistance: 1,
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
  private lastN = 0;

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
    const { maxGapMs, minIou, maxCentreDistance } = this.options;
    // Retire faces unseen for longer than the gap (a clock that went backwards retires nothing).
    this.live = this.live.filter((t) => tMs - t.lastSeenMs <= maxGapMs);

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
    boxes.forEach((box, i) => {
      if (ids[i] !== null || !validBox(box)) return;
      const n = ++this.lastN;
      const id = faceParticipantId(this.tileKey, n);
      const track: FaceTrack = { id, n, box: { ...box }, firstSeenMs: tMs, lastSeenMs: tMs, hits: 1 };
      this.live.push(track);
      ids[i] = track.id;
    });
    return ids;
  }

  /** The faces currently kept (seen within the gap as of the last update), oldest first. */
  get tracks(): readonly FaceTrack[] {
    return this.live.map((t) => ({ ...t, box: { ...t.box } }));
  }

  /** Forget every face; numbering continues, so ids handed out before are never reused. */
  reset(): void {
    this.live = [];
  }

  private touch(track: FaceTrack, box: BoxNorm | undefined, tMs: number): void {
    if (box) track.box = { ...box };
    track.lastSeenMs = Math.max(track.lastSeenMs, tMs);
    track.hits++;
  }
}
