/**
 * The affect-model choice (popup and options page): 'auto' takes the best installed model; a chosen
 * model that is missing falls back to the next installed one (the engine status says which runs).
 * Reads and writes `affectBackendItem` itself and follows changes made elsewhere.
 */
import { useEffect, useState } from 'preact/hooks';
import { AFFECT_SPECS, affectSpec } from '@/models/affect/registry';
import type { AffectBackendId } from '@/models/affect/types';
import { t } from '@/utils/i18n';
import { affectBackendItem } from '@/utils/settings';

type Choice = AffectBackendId | 'auto';

/** What a model gives, in one line: classes and where valence/arousal come from. */
function describeChoice(choice: Choice): string {
  if (choice === 'auto') return t('backendAutoHelp', AFFECT_SPECS.map((s) => s.label).join(' → '));
  const spec = affectSpec(choice);
  if (!spec) return '';
  const classes = spec.classes.includes('Contempt') ? t('backendClassesAll', spec.classes.length) : t('backendClassesNoContempt', spec.classes.length);
  const va = spec.valenceArousal === 'model' ? t('backendVaModel') : t('backendVaEstimated');
  return `${classes} ${va}`;
}

export function BackendSelect(props: { id?: string; details?: boolean; onSaved?: (done: Promise<void>) => void }) {
  const [choice, setChoice] = useState<Choice>();
  useEffect(() => {
    void affectBackendItem.getValue().then(setChoice);
    return affectBackendItem.watch(setChoice);
  }, []);
  if (!choice) return null;
  const id = props.id ?? 'affect-backend';
  return (
    <div class="field">
      <label for={id}>{t('backendLabel')}</label>
      <select
        id={id}
        value={choice}
        aria-describedby={props.details ? `${id}-help` : undefined}
        onChange={(e) => {
          const v = (e.currentTarget as HTMLSelectElement).value as Choice;
          setChoice(v);
          const done = affectBackendItem.setValue(v);
          if (props.onSaved) props.onSaved(done);
          else void done;
        }}
      >
        <option value="auto">{t('backendAuto')}</option>
        {AFFECT_SPECS.map((s) => (
          <option key={s.id} value={s.id}>
            {s.label}
          </option>
        ))}
      </select>
      {props.details ? (
        <p class="help" id={`${id}-help`}>
          {describeChoice(choice)}
        </p>
      ) : null}
    </div>
  );
}
