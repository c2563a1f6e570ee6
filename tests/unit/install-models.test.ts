import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installModels } from '../../scripts/install-models.mjs';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A throw-away project with a manifest of two small "weights". */
function project(files: Record<string, Buffer>) {
  const root = mkdtempSync(join(tmpdir(), 'affectlens-install-'));
  mkdirSync(join(root, 'models'));
  const models = Object.entries(files).map(([file, bytes]) => ({ file, url: `https://models.invalid/${file}`, size: bytes.length, sha256: sha(bytes), licence: 'test' }));
  writeFileSync(join(root, 'models', 'manifest.json'), JSON.stringify({ models }));
  return root;
}

const A = Buffer.from('weights A');
const B = Buffer.from('weights B');
const noNetwork = () => Promise.reject(new Error('offline'));

describe('model installer', () => {
  it('takes files from $AFFECTLENS_MODELS_DIR first and checks their sha256', async () => {
    const root = project({ 'a.bin': A, 'b.bin': B });
    const dir = mkdtempSync(join(tmpdir(), 'affectlens-src-'));
    writeFileSync(join(dir, 'a.bin'), A);
    writeFileSync(join(dir, 'b.bin'), B);
    const lines: string[] = [];
    const { missing } = await installModels({ root, env: { AFFECTLENS_MODELS_DIR: dir }, log: (l: string) => lines.push(l), fetchImpl: noNetwork });
    expect(missing).toEqual([]);
    expect(readFileSync(join(root, 'models', 'weights', 'a.bin'))).toEqual(A);
    expect(lines.join('\n')).toContain(dir);
  });

  it('rejects a corrupt file and prints one clear line naming it and how to supply it', async () => {
    const root = project({ 'a.bin': A });
    const dir = mkdtempSync(join(tmpdir(), 'affectlens-src-'));
    writeFileSync(join(dir, 'a.bin'), Buffer.from('corrupt'));
    const lines: string[] = [];
    const { missing } = await installModels({ root, env: { AFFECTLENS_MODELS_DIR: dir }, log: (l: string) => lines.push(l), fetchImpl: noNetwork });
    expect(missing).toEqual(['a.bin']);
    expect(existsSync(join(root, 'models', 'weights', 'a.bin'))).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/MODEL MISSING a\.bin .*sha256 .*AFFECTLENS_MODELS_DIR=.*npm run models/);
  });

  it('falls back to ../shared/models, then to the upstream URL', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'affectlens-parent-'));
    const root = join(parent, 'main');
    cpSync(project({ 'a.bin': A, 'b.bin': B }), root, { recursive: true });
    mkdirSync(join(parent, 'shared', 'models'), { recursive: true });
    writeFileSync(join(parent, 'shared', 'models', 'a.bin'), A);
    const fetched: string[] = [];
    const fetchImpl = async (url: string | URL | Request) => {
      fetched.push(String(url));
      return new Response(B);
    };
    const lines: string[] = [];
    const { missing } = await installModels({ root, env: {}, log: (l: string) => lines.push(l), fetchImpl });
    expect(missing).toEqual([]);
    expect(fetched).toEqual(['https://models.invalid/b.bin']);
    expect(lines[0]).toContain(join(parent, 'shared', 'models'));
    expect(readFileSync(join(root, 'models', 'weights', 'b.bin'))).toEqual(B);
  });

  it('never keeps a download whose sha256 does not match', async () => {
    const root = project({ 'a.bin': A });
    const { missing } = await installModels({ root, env: {}, log: () => {}, fetchImpl: async () => new Response('tampered') });
    expect(missing).toEqual(['a.bin']);
    expect(existsSync(join(root, 'models', 'weights', 'a.bin'))).toBe(false);
  });

  it('pins the MediaPipe models by the hashes in ../shared/models/SHA256SUMS', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '../../models/manifest.json'), 'utf8')) as { models: { file: string; sha256: string }[] };
    const byFile = Object.fromEntries(manifest.models.map((m) => [m.file, m.sha256]));
    expect(byFile['face_landmarker.task']).toBe('64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff');
    expect(byFile['blaze_face_short_range.tflite']).toBe('b4578f35940bf5a1a655214a1cce5cab13eba73c1297cd78e1a04c2380b0152f');
  });
});

describe('optional models', () => {
  it('logs a missing optional model without counting it as missing', async () => {
    const root = project({ 'a.bin': A });
    const manifestPath = join(root, 'models', 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { models: Record<string, unknown>[] };
    manifest.models.push({ file: 'big.onnx', url: 'https://models.invalid/big.onnx', sha256: sha(B), licence: 'test', optional: true });
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const dir = mkdtempSync(join(tmpdir(), 'affectlens-src-'));
    writeFileSync(join(dir, 'a.bin'), A);
    const lines: string[] = [];
    const { missing } = await installModels({ root, env: { AFFECTLENS_MODELS_DIR: dir }, log: (l: string) => lines.push(l), fetchImpl: noNetwork });
    expect(missing).toEqual([]);
    expect(lines.some((l) => /optional model big\.onnx not installed/.test(l))).toBe(true);
  });
});
