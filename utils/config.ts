/** Tunables of the live pipeline, with their defaults. One place, documented. */
export const CAPTURE = {
  /** Frames per second requested per tile (the engine drops what it cannot keep up with). */
  fpsPerTile: 8,
  /** Longer side (px) of the frame sent for analysis; the landmarker works at 256 px internally. */
  maxSide: 480,
  /** JPEG quality of the transported frame. */
  jpegQuality: 0.8,
  /** Tiles displayed smaller than this (px) are thumbnails and are not analysed. */
  minTilePx: 64,
  /** How often the page is re-scanned for new or removed <video> elements (ms). */
  rescanMs: 1000,
  /**
   * A video without a frame to show for less than this (ms) — a looping clip seeking back to its
   * start, a moment's stall of a call's stream — keeps its tile's last reading; longer, the tile
   * says "waiting for video".
   */
  stallGraceMs: 1500,
} as const;

/**
 * Shortest time between two draws of the overlay (ms): results arriving in between are drawn
 * together. Every draw that changes the overlay costs the meeting page a style, layout and paint
 * pass on its main thread; a badge read by a person needs no more than 10 updates a second, and a
 * result waits at most this long to be drawn.
 */
export const OVERLAY_MIN_INTERVAL_MS = 100;

/**
 * How far the overlay's frame around a face stands off the face's landmark box, as a share of the
 * box's longer side (each side). The affect model reads exactly that box, and when frames are cut
 * from a capture of the tab (a canvas the page will not give) the capture holds the overlay too: a
 * frame drawn on the box's edge was read as part of the face. Measured (sites e2e, tab capture,
 * Subject 024's closed-mouth smile, P(happiness) over neutral): 0.29 with the frame on the box,
 * 0.84 with it 10 % off — as from the page's own pixels (0.79–0.83). A head moves less than that
 * between two analysed frames, so the frame stays off the face as it follows it.
 */
export const FACE_FRAME_MARGIN = 0.1;

/**
 * Engine threads of the inference host (utils/engine-worker.ts): one per core the call can spare —
 * all cores but one, at most two. Each holds its own copy of the models (measured: ~60 MB more
 * for the second). On a 2-core machine (`npm run bench`, 9 and 16 tiles): a second engine there only competed with the
 * page, the video decode and the compositor for the same two cores — landmarks 30 → 39 ms a frame,
 * 36.5 → 27.6 frames/s — so two cores get one engine.
 */
export function engineThreads(cores: number = globalThis.navigator?.hardwareConcurrency || 1): number {
  return Math.max(1, Math.min(2, Math.floor(cores) - 1));
}
