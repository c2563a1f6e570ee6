/**
 * A few seconds of `npm run bench` (issue 4): the benchmark runs end to end and both pipelines
 * analyse frames. It checks the shape of the report, never a speed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

interface BenchReport {
  fps: number;
  latency: Summary;
  ratio: number | null;
  stages: Record<string, number | null>;
  browser: { version: string | null };
  machine: { cpus: number };
  runs: {
    tiles: number;
    affectlens: { frames: number; framesLight: number; fps: number; fpsPerTile: { min: number; mean: number }; latency: Summary; affectBackends: string[] };
    faceapi: { backend: string; frames: number; fps: number; latency: Summary } | null;
    faceapiError?: string;
  }[];
}

it('bench: one tile for 3 s reports AffectLens and face-api.js frames as one JSON object', { timeout: 110_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'affectlens-bench-smoke-'));
  try {
    const { stdout, stderr } = await run('node', ['scripts/bench.mjs', '--tiles', '1', '--seconds', '3', '--warmup', '1', '--json', '--no-trace', '--out', out], {
      cwd: ROOT,
      timeout: 105_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const report = JSON.parse(stdout) as BenchReport; // stdout holds nothing but the object
    console.log(stderr.trim());

    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.browser.version).toMatch(/^\d+\./);
    expect(report.runs.map((r) => r.tiles)).toEqual([1]);
    const [one] = report.runs;
    expect(one!.affectlens.frames, 'AffectLens analysed frames').toBeGreaterThan(0);
    expect(report.fps).toBeGreaterThan(0);
    // The affect backend that read the faces, from the logged results (one is always installed).
    expect(one!.affectlens.affectBackends.length).toBeGreaterThan(0);
    expect(report.fps).toBe(one!.affectlens.fps);
    expect(report.latency.p50).toBeGreaterThan(0);
    expect(report.latency.p95).toBeGreaterThanOrEqual(report.latency.p50!);
    // Every stage is measured; detection (BlazeFace alone) where a picture was tried light.
    for (const stage of ['grab', 'transfer', 'decode', 'landmarks', 'affectModel', 'smoothing', 'picture', 'overlayRender']) expect(report.stages[stage], stage).toBeGreaterThanOrEqual(0);
    expect(report.stages.affectModel, 'the affect model takes time').toBeGreaterThan(0);
    expect(report.stages.picture, 'a picture takes the engine time').toBeGreaterThan(0);
    if (one!.affectlens.framesLight > 0) expect(report.stages.detection, 'BlazeFace on the light pictures').toBeGreaterThan(0);
    else expect(report.stages).toHaveProperty('detection', null);

    expect(one!.faceapiError, 'face-api.js baseline error').toBeUndefined();
    expect(one!.faceapi!.frames, 'face-api.js analysed frames').toBeGreaterThan(0);
    expect(one!.faceapi!.fps).toBeGreaterThan(0);
    expect(one!.faceapi!.backend).toBeTruthy();
    expect(report.ratio).toBeGreaterThan(0);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
