import type { EngineStatus } from '../utils/types';

/** One line a person can read, for the popup and the side panel. */
export function describeEngine(s: EngineStatus | undefined): string {
  if (!s) return 'Analysis not started yet (open a call page).';
  switch (s.state) {
    case 'ready':
      return `Model ready (${s.backend}, loaded in ${s.loadMs} ms).`;
    case 'loading':
      return `Loading: ${s.detail}…`;
    case 'model-missing':
      return `Model missing: ${s.file}. ${s.hint}.`;
    case 'error':
      return `Analysis unavailable: ${s.message}`;
    case 'idle':
      return 'Idle.';
  }
}
