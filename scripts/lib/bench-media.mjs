// The benchmark's tile videos: the four quadrants of ../shared/data/video/videocall_grid_2x2.mp4,
// cut with ffmpeg exactly as tests/support/grid.ts does and shared with it through the same cache
// (tests/.cache/grid/<tile>.webm, never committed).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Cut one tile (x, y, w, h in px) out of the grid video into a VP8 WebM, atomically.
 * @param {string} video
 * @param {number[]} rect
 * @param {string} file
 */
export function cutTile(video, [x, y, w, h], file) {
  execFileSync('ffmpeg', [
    '-loglevel', 'error', '-y', '-i', video,
    '-vf', `crop=${w}:${h}:${x}:${y}`,
    '-an', '-c:v', 'libvpx', '-b:v', '1M', '-deadline', 'realtime', '-cpu-used', '8', '-g', '24',
    `${file}.tmp.webm`,
  ]);
  renameSync(`${file}.tmp.webm`, file);
}

/**
 * @param {string} root project root
 * @returns {{key: string, name: string, file: string}[]}
 */
export function benchTiles(root) {
  const dir = join(root, 'tests', '.cache', 'grid');
  mkdirSync(dir, { recursive: true });
  const dataDirs = [process.env.AFFECTLENS_TEST_DATA_DIR, resolve(root, '..', 'shared', 'data'), join(root, 'tests', '.cache', 'data')].filter(Boolean);
  const find = (rel) => dataDirs.map((d) => join(d, rel)).find((p) => existsSync(p));
  const timelineFile = find('video/videocall_grid_2x2.timeline.json');
  if (!timelineFile) {
    throw new Error('bench: video/videocall_grid_2x2.timeline.json not found: set AFFECTLENS_TEST_DATA_DIR or place ../shared/data next to the project');
  }
  const timeline = JSON.parse(readFileSync(timelineFile, 'utf8'));
  return timeline.tiles.map((t) => {
    const file = join(dir, `${t.tile}.webm`);
    if (!existsSync(file)) {
      const video = find('video/videocall_grid_2x2.mp4');
      if (!video) throw new Error('bench: video/videocall_grid_2x2.mp4 not found: set AFFECTLENS_TEST_DATA_DIR or place ../shared/data next to the project');
      cutTile(video, t.rect_xywh, file);
    }
    const subject = /subject (\d+)/.exec(t.source)?.[1];
    return { key: t.tile, name: subject ? `Subject ${subject}` : 'Actress', file };
  });
}

/**
 * The query string of tests/pages/call.html for these tiles: one `src` and `name` pair per tile.
 * @param {{src: string, name: string}[]} tiles
 */
export function callQuery(tiles) {
  return tiles.map((t) => `src=${encodeURIComponent(t.src)}&name=${encodeURIComponent(t.name)}`).join('&');
}
