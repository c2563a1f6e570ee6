/** Small building blocks of the options page: a stored setting as state, "Saved", a number field. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { WxtStorageItem } from 'wxt/utils/storage';
import { formatNumber, t } from '@/utils/i18n';

/** A storage item's value (normalised), following changes made elsewhere (popup, another tab). */
export function useStored<T, M extends Record<string, unknown>>(item: WxtStorageItem<T, M>, normalise: (v: unknown) => T): T | undefined {
  const [value, setValue] = useState<T>();
  useEffect(() => {
    let live = true;
    void item.getValue().then((v) => live && setValue(normalise(v)));
    const unwatch = item.watch((v) => setValue(normalise(v)));
    return () => {
      live = false;
      unwatch();
    };
  }, []); // the item and its normaliser are module constants
  return value;
}

type SaveState = { kind: 'idle' } | { kind: 'saved' } | { kind: 'error'; message: string };

/**
 * "Saved" after each change: `track(promise)` shows it when the write resolved (for 2 s) or the
 * error when it failed. The text sits in a live region, so screen readers hear it too.
 */
export function useSaveStatus(): [ComponentChildren, (done: Promise<unknown>) => void] {
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(timer.current), []);
  const track = (done: Promise<unknown>) => {
    clearTimeout(timer.current);
    done.then(
      () => {
        setState({ kind: 'saved' });
        timer.current = setTimeout(() => setState({ kind: 'idle' }), 2000);
      },
      (err: unknown) => setState({ kind: 'error', message: err instanceof Error ? err.message : String(err) }),
    );
  };
  const text = state.kind === 'saved' ? t('saved') : state.kind === 'error' ? t('notSaved', state.message) : '';
  const node = (
    <span class={`save-status ${state.kind}`} role="status">
      {text}
    </span>
  );
  return [node, track];
}

/** A section of the page with its heading and its own "Saved" line. */
export function Section(props: { id: string; title: string; status?: ComponentChildren; children: ComponentChildren }) {
  return (
    <section aria-labelledby={`${props.id}-title`}>
      <div class="section-head">
        <h2 id={`${props.id}-title`}>{props.title}</h2>
        {props.status}
      </div>
      {props.children}
    </section>
  );
}

/**
 * A number typed or stepped in; committed (and saved) on change — Enter, leaving the field, or the
 * arrows — then shown as stored. `commit` clamps and resolves with the stored value; when that
 * differs from what was typed, the field says so.
 */
export function NumberField(props: {
  id: string;
  label: string;
  unit: string;
  value: number;
  min: number;
  max: number;
  step?: number;
  /** Digits after the point when showing the stored value. */
  digits?: number;
  help?: ComponentChildren;
  commit: (raw: string) => Promise<number>;
  onSaved: (done: Promise<unknown>) => void;
}) {
  const shown = (v: number) => String(Number(v.toFixed(props.digits ?? 0)));
  const [draft, setDraft] = useState(shown(props.value));
  const [adjusted, setAdjusted] = useState(false);
  useEffect(() => setDraft(shown(props.value)), [props.value]);
  const helpId = `${props.id}-help`;
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <div class="with-unit">
        <input
          id={props.id}
          type="number"
          inputMode="numeric"
          min={props.min}
          max={props.max}
          step={props.step ?? 1}
          value={draft}
          aria-describedby={helpId}
          onInput={(e) => setDraft((e.currentTarget as HTMLInputElement).value)}
          onChange={(e) => {
            const raw = (e.currentTarget as HTMLInputElement).value;
            const done = props.commit(raw).then((stored) => {
              setAdjusted(raw.trim() === '' || Number(raw) !== Number(shown(stored)));
              setDraft(shown(stored));
            });
            props.onSaved(done);
          }}
        />
        <span class="unit" aria-hidden="true">
          {props.unit}
        </span>
      </div>
      <p class="help" id={helpId}>
        {props.help}
        {adjusted ? (
          <span class="adjusted">
            {' '}
            {t('adjustedToRange', formatNumber(props.min), formatNumber(props.max))}
          </span>
        ) : null}
      </p>
    </div>
  );
}
