#!/usr/bin/env node
// Installs the weight files listed in models/manifest.json into models/weights/ (git-ignored).
// Sources, in order: $AFFECTLENS_MODELS_DIR, ../shared/models, the upstream URL; sha256 always checked.
// `npm run models` exits 1 when a required file is missing (optional ones only log a line); the postinstall passes --warn-only so that
// `npm install` still finishes and the extension shows "model missing" instead.
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePinned } from './lib/pinned.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @param {{root?: string, env?: Record<string, string | undefined>, log?: (line: string) => void, fetchImpl?: typeof fetch}} [options]
 * @returns {Promise<{missing: string[]}>}
 */
export async function installModels({ root: projectRoot = root, env = process.env, log = console.log, fetchImpl } = {}) {
  const manifest = JSON.parse(await readFile(join(projectRoot, 'models', 'manifest.json'), 'utf8'));
  const dirs = [env.AFFECTLENS_MODELS_DIR, resolve(projectRoot, '..', 'shared', 'models')];
  const missing = [];
  for (const entry of manifest.models) {
    const dest = join(projectRoot, 'models', 'weights', entry.file);
    const result = await ensurePinned(entry, dest, {
      dirs,
      download: env.AFFECTLENS_NO_DOWNLOAD !== '1',
      fetchImpl,
    });
    if (result.ok) {
      log(`affectlens: model ${entry.file} ok (${result.source})`);
    } else if (entry.optional) {
      log(
        `affectlens: optional model ${entry.file} not installed (${result.reason}); ${entry.usedFor ?? ''}. ` +
          `To add it: AFFECTLENS_MODELS_DIR=/folder/with/it npm run models (upstream: ${entry.url})`,
      );
    } else {
      missing.push(entry.file);
      log(
        `affectlens: MODEL MISSING ${entry.file} (sha256 ${entry.sha256.slice(0, 12)}…): ${result.reason}. ` +
          `Put the file in a folder and run: AFFECTLENS_MODELS_DIR=/that/folder npm run models (upstream: ${entry.url})`,
      );
    }
  }
  return { missing };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { missing } = await installModels();
  if (missing.length && !process.argv.includes('--warn-only')) process.exit(1);
}
