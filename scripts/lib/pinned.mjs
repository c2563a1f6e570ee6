// Fetch files pinned by sha256 from an ordered list of sources (local folders, then a URL).
// Shared by the model installer and the test-media resolver, so both verify the same way.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** sha256 of a file as lower-case hex, or null when the file does not exist. */
export async function sha256File(path) {
  try {
    return createHash('sha256').update(await readFile(path)).digest('hex');
  } catch (err) {
    if (err && err.code === 'ENOENT') return null;
    throw err;
  }
}

async function isFile(path) {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Make `dest` hold the pinned file.
 * @param {{file: string, sha256: string, url?: string}} entry
 * @param {string} dest absolute path to write
 * @param {{dirs: (string|undefined)[], download?: boolean, fetchImpl?: typeof fetch, timeoutMs?: number}} opts
 * @returns {Promise<{ok: true, source: string} | {ok: false, reason: string}>}
 */
export async function ensurePinned(entry, dest, opts) {
  if ((await sha256File(dest)) === entry.sha256) return { ok: true, source: 'already installed' };
  const problems = [];
  for (const dir of opts.dirs) {
    if (!dir) continue;
    const candidate = join(dir, entry.file);
    if (!(await isFile(candidate))) continue;
    const got = await sha256File(candidate);
    if (got !== entry.sha256) {
      problems.push(`${candidate} has sha256 ${got}`);
      continue;
    }
    await mkdir(dirname(dest), { recursive: true });
    await copyFile(candidate, dest);
    return { ok: true, source: candidate };
  }
  if (entry.url && opts.download !== false) {
    try {
      const res = await (opts.fetchImpl ?? fetch)(entry.url, {
        signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const bytes = Buffer.from(await res.arrayBuffer());
      const got = createHash('sha256').update(bytes).digest('hex');
      if (got !== entry.sha256) {
        problems.push(`download has sha256 ${got}`);
      } else {
        await mkdir(dirname(dest), { recursive: true });
        await writeFile(`${dest}.part`, bytes);
        await rename(`${dest}.part`, dest);
        return { ok: true, source: entry.url };
      }
    } catch (err) {
      problems.push(`download from ${entry.url} failed (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  return {
    ok: false,
    reason: problems.length ? problems.join('; ') : 'not found in any source',
  };
}
