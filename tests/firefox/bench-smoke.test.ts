/**
 * A few seconds of `npm run bench:firefox` (issues 4 and 8): the Firefox benchmark runs end to end
 * and reports the JPEG transport's cost on the page. It checks the shape of the report, never a speed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { ROOT } from '../support/media';

const run = promisify(execFile);

interface Summary {
  p50: number | null;
  p95: number | null;
}

interface FirefoxBench {
  browser: string;
  cpus: number;
  runs: { tiles: number; frames: number; fps: number; latencyMs: Summary; transportPageMsPerFrame: Summary; via: Record<string, number>; stagesMs: Record<string, Summary> }[];
}

it('bench:firefox: one tile for 3 s reports frames, latency and the transport cost on the page', { timeout: 150_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'affectlens-bench-firefox-smoke-'));
  try {
    // Already under xvfb-run (npm run test:firefox), as Firefox's WebGL needs a display.
    const { stdout, stderr } = await run('node', ['scripts/bench-firefox.mjs', '--tiles', '1', '--seconds', '3', '--warmup', '1', '--json', '--out', out], {
      cwd: ROOT,
      timeout: 140_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    console.log(stderr.trim());
    const report = JSON.parse(stdout) as FirefoxBench;
    expect(report.browser).toMatch(/^firefox\/\d+/);
    expect(report.cpus).toBeGreaterThan(0);
    expect(report.runs.map((r) => r.tiles)).toEqual([1]);
    const [one] = report.runs;
    expect(one!.frames).toBeGreaterThan(0);
    // Firefox's transport: every frame from a picture went directly (JPEG), none through a relay.
    expect(Object.keys(one!.via)).toEqual(['direct']);
    expect(one!.transportPageMsPerFrame.p50).not.toBeNull();
    expect(one!.latencyMs.p50).toBeGreaterThan(0);
    expect(one!.stagesMs.landmarks!.p50).toBeGreaterThan(0);
    const files = readdirSync(out).filter((f) => f.startsWith('bench-firefox-'));
    expect(files.map((f) => f.slice(f.lastIndexOf('.'))).sort()).toEqual(['.json', '.md']);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
