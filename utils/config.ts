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
} as const;
