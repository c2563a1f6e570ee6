import type { EngineStatus } from '../utils/types';

/** One line a person can read, for the popup and the side panel. */
export function describeEngine(s: EngineStatus | undefined): string {
  if (!s) return 'Analysis not started yet (open a call page).';
  switch (s.state) {
    case 'ready': {
      const affect = s.affect
        ? `expressions by ${s.affect.label}${s.affect.contemptAvailable ? '' : ' (no Contempt class)'}` +
          `, valence/arousal ${s.affect.vaEstimated ? 'estimated from expression' : 'from the model'}`
        : 'action units only';
      return `Model ready: faces by MediaPipe, ${affect}.${s.note ? ` ${s.note}.` : ''}`;
    }
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
