/**
 * The four tiles of ../shared/data/video/videocall_grid_2x2.mp4 as four videos, cut with ffmpeg
 * at test time (cached under tests/.cache, never committed). Each tile's media time equals the
 * timeline's time, so results can be matched to its labelled segments.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE, media } from './media';
import { callQuery, cutTile } from '../../scripts/lib/bench-media.mjs';

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

/** Encode ffmpeg input args + filter into a cached VP8 WebM (made at test time, never committed). */
function encode(name: string, input: string[], filter: string, seconds: number): string {
  const dir = join(CACHE, 'hard');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.webm`);
  if (!existsSync(file)) {
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...input, '-t', String(seconds), '-vf', `${filter},format=yuv420p`, '-r', '24', '-an', '-c:v', 'libvpx', '-b:v', '1M', '-deadline', 'realtime', '-cpu-used', '8', '-g', '24', `${file}.tmp.webm`]);
    renameSync(`${file}.tmp.webm`, file);
  }
  return file;
}

export interface HardTile {
  key: string;
  name: string;
  file: string;
}

/**
 * Pictures that are hard in the ways real calls are, made from the pinned media:
 * - `room`: a meeting-room camera — five people around a laptop in one tile (one cut by the edge);
 * - `gray`: the grid's subject-025 tile in grayscale (neutral 0–4 s, happy 4–8 s, neutral 8–12 s);
 * - `edge`: subject 024 smiling, the left 38 % of the picture cut away (the face runs off the edge);
 * - `tiny`: subject 001 smiling in an 80×80 video, a face of ~25 px — detectable, too small to read;
 * - `desk`: the meeting room's desk, laptop and mug, no face (a camera left on, its person away).
 */
export async function hardTiles(): Promise<HardTile[]> {
  const grid = await gridTiles();
  const still = (file: string) => ['-loop', '1', '-framerate', '24', '-i', file];
  return [
    { key: 'room', name: 'Meeting room', file: encode('room', still(await media('multiface/group_meeting.jpeg')), 'scale=960:-2', 6) },
    { key: 'gray', name: 'Subject 025 (grayscale)', file: encode('gray', ['-i', grid.find((t) => t.key === 'top-right')!.file], 'format=gray', 12) },
    { key: 'edge', name: 'Subject 024 (cut by the edge)', file: encode('edge', still(await media('expressions/london/024_happy.jpg')), 'crop=iw*0.62:ih:iw*0.38:0,scale=372:600', 6) },
    { key: 'tiny', name: 'Subject 001 (tiny)', file: encode('tiny', still(await media('expressions/london/001_happy.jpg')), 'scale=80:80', 6) },
    { key: 'desk', name: 'Desk (nobody)', file: encode('desk', still(await media('multiface/group_meeting.jpeg')), 'crop=iw:ih*0.3:0:ih*0.7,scale=640:-2', 6) },
  ];
}

/** tests/pages/call.html on `serverUrl` with these tiles (served under /media/ by their key). */
export function callUrl(serverUrl: string, tiles: readonly { key: string; name: string }[], extra = ''): string {
  return `${serverUrl}/pages/call.html?${extra ? `${extra}&` : ''}${callQuery(tiles.map((t) => ({ src: `/media/${t.key}.webm`, name: t.name })))}`;
}

/**
 * A still camera whose person changes expression once: subject 024's neutral photo for `neutralS`
 * seconds, then their smiling photo (VP8 WebM, made at test time, never committed). Between the
 * two, nothing in the picture moves.
 */
export function stillChange(neutralS = 4, happyS = 8): Promise<string> {
  return stillSequence('024', [
    ['neutral', neutralS],
    ['happy', happyS],
  ]);
}

/**
 * A still camera showing one London-set subject's photos in turn (`[expression, seconds]` each), as a
 * 24-frames/s VP8 WebM made at test time (cached, never committed). Between two photos nothing moves.
 */
export async function stillSequence(subject: string, parts: [expression: 'neutral' | 'happy', seconds: number][]): Promise<string> {
  const dir = join(CACHE, 'still');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `still-${subject}-${parts.map(([e, sec]) => `${e === 'happy' ? 'h' : 'n'}${sec}`).join('-')}.webm`);
  if (!existsSync(file)) {
    const inputs: string[] = [];
    for (const [expression, seconds] of parts) inputs.push('-loop', '1', '-framerate', '24', '-t', String(seconds), '-i', await media(`expressions/london/${subject}_${expression}.jpg`));
    const scaled = parts.map((_, i) => `[${i}:v]scale=480:-2,setsar=1[p${i}]`).join(';');
    execFileSync('ffmpeg', [
      '-loglevel', 'error', '-y',
      ...inputs,
      '-filter_complex', `${scaled};${parts.map((_, i) => `[p${i}]`).join('')}concat=n=${parts.length}:v=1,format=yuv420p[v]`,
      '-map', '[v]', '-r', '24', '-an', '-c:v', 'libvpx', '-b:v', '1M', '-deadline', 'realtime', '-cpu-used', '8', '-g', '24', `${file}.tmp.webm`,
    ]);
    renameSync(`${file}.tmp.webm`, file);
  }
  return file;
}
