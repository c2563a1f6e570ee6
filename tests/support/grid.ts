/**
 * The four tiles of ../shared/data/video/videocall_grid_2x2.mp4 as four videos, cut with ffmpeg
 * at test time (cached under tests/.cache, never committed). Each tile's media time equals the
 * timeline's time, so results can be matched to its labelled segments.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE, media } from './media';
import { cutTile } from '../../scripts/lib/bench-media.mjs';

export interface Segment {
  from_s: number;
  to_s: number;
  label: string;
}

export interface GridTile {
  key: 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';
  name: string;
  file: string;
  segments: Segment[];
}

interface Timeline {
  tiles: { tile: GridTile['key']; rect_xywh: [number, number, number, number]; source: string; segments?: Segment[] }[];
}

export async function gridTiles(): Promise<GridTile[]> {
  const video = await media('video/videocall_grid_2x2.mp4');
  const timeline = JSON.parse(readFileSync(await media('video/videocall_grid_2x2.timeline.json'), 'utf8')) as Timeline;
  const dir = join(CACHE, 'grid');
  mkdirSync(dir, { recursive: true });
  return timeline.tiles.map((t) => {
    const file = join(dir, `${t.tile}.webm`);
    if (!existsSync(file)) cutTile(video, t.rect_xywh, file);
    const subject = /subject (\d+)/.exec(t.source)?.[1];
    return { key: t.tile, name: subject ? `Subject ${subject}` : 'Actress (Pexels)', file, segments: t.segments ?? [] };
  });
}

/** A video with no face in it (ffmpeg's test pattern), made at test time. */
export function noFaceVideo(): string {
  const dir = join(CACHE, 'grid');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'no-face.webm');
  if (!existsSync(file)) {
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x320:rate=24:duration=6', '-c:v', 'libvpx', '-b:v', '500k', '-deadline', 'realtime', '-cpu-used', '8', `${file}.tmp.webm`]);
    execFileSync('mv', [`${file}.tmp.webm`, file]);
  }
  return file;
}
