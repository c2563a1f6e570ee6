// CPU and memory of Chromium's processes for scripts/bench.mjs: CPU time from CDP
// `SystemInfo.getProcessInfo` (browser session), memory (RSS and PSS) from /proc (Linux).
import { readFileSync } from 'node:fs';

const cmdlines = new Map();

function cmdline(pid) {
  if (!cmdlines.has(pid)) {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      cmd = '';
    }
    cmdlines.set(pid, cmd);
  }
  return cmdlines.get(pid);
}

/**
 * Which part of the browser a process is: `extension` (the renderer hosting extension contexts —
 * AffectLens' service worker and offscreen document; it is the only extension loaded), `page`
 * (web page renderers), `gpu`, `browser`, `webui` (Chromium's own UI pages) or `utility`.
 */
function category(type, pid) {
  if (type === 'browser') return 'browser';
  if (type === 'GPU' || type === 'gpu') return 'gpu';
  if (type !== 'renderer') return 'utility';
  const cmd = cmdline(pid);
  if (cmd.includes('--extension-process')) return 'extension';
  if (cmd.includes('--top-chrome-webui')) return 'webui';
  return 'page';
}

/** Memory of a process in MB: { rss, pss } (pss null when smaps_rollup is unreadable). */
function memory(pid) {
  let rss = null;
  let pss = null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) rss = Number(m[1]) / 1024;
  } catch {
    // process gone
  }
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    if (m) pss = Number(m[1]) / 1024;
  } catch {
    // no smaps_rollup
  }
  return { rss, pss };
}

/**
 * One sample of every Chromium process.
 * @param {import('playwright-core').CDPSession} browserCdp
 * @returns {Promise<{wall: number, procs: {pid: number, type: string, cat: string, cpu: number, rss: number|null, pss: number|null}[]}>}
 */
export async function sampleProcesses(browserCdp) {
  const { processInfo } = await browserCdp.send('SystemInfo.getProcessInfo');
  const wall = Date.now();
  const procs = processInfo.map((p) => ({ pid: p.id, type: p.type, cat: category(p.type, p.id), cpu: p.cpuTime, ...memory(p.id) }));
  return { wall, procs };
}

/** Memory (MB) of one category in a sample: sums of RSS and PSS over its processes. */
export function categoryMemory(sample, cat) {
  const ps = sample.procs.filter((p) => p.cat === cat);
  if (!ps.length) return { rss: null, pss: null, pids: [] };
  const add = (k) => (ps.some((p) => p[k] === null) ? null : ps.reduce((a, p) => a + p[k], 0));
  return { rss: add('rss'), pss: add('pss'), pids: ps.map((p) => p.pid) };
}

/**
 * CPU used by each category between two samples, in % of one core (100 = one core busy).
 * Processes that exist in only one of the samples count from 0 (new) or are skipped (gone).
 */
export function cpuBetween(a, b) {
  const seconds = (b.wall - a.wall) / 1000;
  const before = new Map(a.procs.map((p) => [p.pid, p.cpu]));
  const out = {};
  for (const p of b.procs) {
    const used = p.cpu - (before.get(p.pid) ?? 0);
    out[p.cat] = (out[p.cat] ?? 0) + Math.max(0, used);
  }
  for (const k of Object.keys(out)) out[k] = seconds > 0 ? (100 * out[k]) / seconds : null;
  return out;
}
