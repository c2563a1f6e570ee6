import { t } from '../utils/i18n';
import type { EngineStatus } from '../utils/types';

/**
 * One line a person can read, for the popup and the side panel. The model names, file names,
 * hints and error texts inside come from the engine as they are (English).
 */
export function describeEngine(s: EngineStatus | undefined): string {
  if (!s) return t('engineNotStarted');
  switch (s.state) {
    case 'ready': {
      const a = s.affect;
      const line = !a
        ? t('engineReadyAusOnly')
        : a.contemptAvailable
          ? a.vaEstimated
            ? t('engineReadyVaEstimated', a.label)
            : t('engineReadyVaModel', a.label)
          : a.vaEstimated
            ? t('engineReadyNoContemptVaEstimated', a.label)
            : t('engineReadyNoContemptVaModel', a.label);
      return s.note ? `${line} ${t('engineNote', s.note)}` : line;
    }
    case 'loading':
      return t('engineLoading', s.detail);
    case 'model-missing':
      return t('engineModelMissing', s.file, s.hint);
    case 'error':
      return t('engineError', s.message);
    case 'idle':
      return t('engineIdle');
  }
}
