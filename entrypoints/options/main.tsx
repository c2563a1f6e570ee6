// Options page: every setting saves as soon as it changes (utils/settings.ts) and says "Saved".
import { useEffect, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { BackendSelect } from '@/components/BackendSelect';
import { Toggle } from '@/components/Toggle';
import { formatNumber, t } from '@/utils/i18n';
import { mountPage } from '@/components/mount';
import { send } from '@/utils/messaging';
import {
  clampRetentionDays,
  DEFAULT_FRAME_BUDGET,
  DEFAULT_SMOOTHING,
  deleteAllSessionData,
  FRAME_BUDGET_LIMITS,
  frameBudgetItem,
  normaliseFrameBudget,
  normaliseOverlayContents,
  normaliseSelfView,
  normaliseSmoothing,
  OVERLAY_LINES,
  overlayContentsItem,
  RETENTION_LIMITS,
  retentionDaysItem,
  SELF_VIEW_MODES,
  selfViewItem,
  setRetentionDays,
  setSelfView,
  smoothingItem,
  smoothingLagMs,
  SMOOTHING_LIMITS,
  updateFrameBudget,
  updateOverlayContents,
  updateSmoothing,
  type OverlayContents,
  type SelfViewMode,
} from '@/utils/settings';
import type { EngineStatus } from '@/utils/types';
import { NumberField, Section, useSaveStatus, useStored } from './fields';

function ModelSection() {
  const [status, track] = useSaveStatus();
  const [engine, setEngine] = useState<EngineStatus>();
  useEffect(() => {
    void send('any-off-status', 'offscreen', {}).then(setEngine, () => undefined);
  }, []);
  return (
    <Section id="model" title={t('sectionModel')} status={status}>
      <p class="intro">{t('modelIntro')}</p>
      <BackendSelect id="affect-backend" details onSaved={track} />
      {engine?.state === 'ready' && engine.affect ? (
        <p class="help">
          {t('modelInUse', engine.affect.label)}
          {engine.note ? ` (${engine.note})` : ''}
        </p>
      ) : null}
    </Section>
  );
}

function FrameBudgetSection() {
  const [status, track] = useSaveStatus();
  const budget = useStored(frameBudgetItem, normaliseFrameBudget);
  if (!budget) return null;
  const L = FRAME_BUDGET_LIMITS;
  return (
    <Section id="budget" title={t('sectionFrameBudget')} status={status}>
      <p class="intro">{t('frameBudgetIntro')}</p>
      <NumberField
        id="fps-per-tile"
        label={t('fpsPerTileLabel')}
        unit={t('unitFramesPerSecond')}
        value={budget.fpsPerTile}
        min={L.minFps}
        max={L.maxFps}
        help={t('fpsPerTileHelp', formatNumber(DEFAULT_FRAME_BUDGET.fpsPerTile))}
        commit={async (raw) => (await updateFrameBudget({ fpsPerTile: raw })).fpsPerTile}
        onSaved={track}
      />
      <NumberField
        id="cpu-percent"
        label={t('cpuPercentLabel')}
        unit="%"
        value={budget.cpuPercent}
        min={L.minCpuPercent}
        max={L.maxCpuPercent}
        step={5}
        help={t('cpuPercentHelp', formatNumber(DEFAULT_FRAME_BUDGET.cpuPercent))}
        commit={async (raw) => (await updateFrameBudget({ cpuPercent: raw })).cpuPercent}
        onSaved={track}
      />
    </Section>
  );
}

/** "Off", or the lag of a box window of this length (half the window), in seconds. */
function lagText(windowMs: number): string {
  return windowMs === 0 ? t('smoothingOff') : t('smoothingLag', formatNumber(smoothingLagMs(windowMs) / 1000, 2));
}

function SmoothingSection() {
  const [status, track] = useSaveStatus();
  const windows = useStored(smoothingItem, normaliseSmoothing);
  if (!windows) return null;
  const L = SMOOTHING_LIMITS;
  const field = (key: 'expressionWindowMs' | 'vaWindowMs', id: string, label: string) => (
    <NumberField
      id={id}
      label={label}
      unit={t('unitMs')}
      value={windows[key]}
      min={L.minMs}
      max={L.maxMs}
      step={L.stepMs}
      help={
        <>
          <output for={id} class="lag">
            {lagText(windows[key])}
          </output>{' '}
          {t('defaultMs', formatNumber(DEFAULT_SMOOTHING[key]))}
        </>
      }
      commit={async (raw) => (await updateSmoothing({ [key]: raw }))[key]}
      onSaved={track}
    />
  );
  const isDefault = windows.expressionWindowMs === DEFAULT_SMOOTHING.expressionWindowMs && windows.vaWindowMs === DEFAULT_SMOOTHING.vaWindowMs;
  return (
    <Section id="smoothing" title={t('sectionSmoothing')} status={status}>
      <p class="intro">{t('smoothingIntro')}</p>
      {field('expressionWindowMs', 'expression-window', t('expressionWindowLabel'))}
      {field('vaWindowMs', 'va-window', t('vaWindowLabel'))}
      <button type="button" disabled={isDefault} onClick={() => track(updateSmoothing({ ...DEFAULT_SMOOTHING }))}>
        {t('restoreDefaults')}
      </button>
    </Section>
  );
}

const OVERLAY_LABELS: Record<keyof OverlayContents, () => string> = {
  expression: () => t('overlayExpression'),
  valenceArousal: () => t('overlayValenceArousal'),
  aus: () => t('overlayAus'),
  engagement: () => t('overlayEngagement'),
  compound: () => t('overlayCompound'),
};

function OverlaySection() {
  const [status, track] = useSaveStatus();
  const contents = useStored(overlayContentsItem, normaliseOverlayContents);
  if (!contents) return null;
  return (
    <Section id="overlay" title={t('sectionOverlay')} status={status}>
      <fieldset>
        <legend>{t('overlayLegend')}</legend>
        {OVERLAY_LINES.map((line) => (
          <Toggle key={line} label={OVERLAY_LABELS[line]()} checked={contents[line]} onChange={(v) => track(updateOverlayContents({ [line]: v }))} />
        ))}
      </fieldset>
    </Section>
  );
}

const SELF_VIEW_LABELS: Record<SelfViewMode, () => string> = {
  include: () => t('selfViewInclude'),
  exclude: () => t('selfViewExclude'),
  only: () => t('selfViewOnly'),
};

function SelfViewSection() {
  const [status, track] = useSaveStatus();
  const mode = useStored(selfViewItem, normaliseSelfView);
  if (!mode) return null;
  return (
    <Section id="self-view" title={t('sectionSelfView')} status={status}>
      <fieldset aria-describedby="self-view-help">
        <legend>{t('selfViewLegend')}</legend>
        {SELF_VIEW_MODES.map((m) => (
          <label key={m} class="choice">
            <input type="radio" name="self-view" value={m} checked={mode === m} onChange={() => track(setSelfView(m))} />
            <span>{SELF_VIEW_LABELS[m]()}</span>
          </label>
        ))}
      </fieldset>
      <p class="help" id="self-view-help">
        {t('selfViewHelp')}
      </p>
    </Section>
  );
}

/** "Delete all data" behind a confirm step: Cancel has the focus, Escape cancels. */
function DeleteAllData(props: { onDone: (done: Promise<unknown>) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<string>('');
  const cancelRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) cancelRef.current?.focus();
  }, [confirming]);
  const close = () => {
    setConfirming(false);
    queueMicrotask(() => openRef.current?.focus());
  };
  const remove = () => {
    const done = deleteAllSessionData().then((count) => setResult(t('deletedSessions', formatNumber(count))));
    props.onDone(done);
    void done.finally(close);
  };
  return (
    <div class="field">
      {confirming ? (
        <div class="confirm" role="group" aria-labelledby="delete-question" onKeyDown={(e) => e.key === 'Escape' && close()}>
          <p id="delete-question">{t('deleteConfirmQuestion')}</p>
          <div class="buttons">
            <button type="button" class="danger" onClick={remove}>
              {t('deleteConfirmYes')}
            </button>
            <button type="button" ref={cancelRef} onClick={close}>
              {t('cancel')}
            </button>
          </div>
        </div>
      ) : (
        <button
          type="button"
          class="danger"
          ref={openRef}
          aria-describedby="delete-help"
          onClick={() => {
            setResult('');
            setConfirming(true);
          }}
        >
          {t('deleteAllData')}
        </button>
      )}
      <p class="help" id="delete-help">
        {t('deleteAllHelp')}
      </p>
      <p class="help" role="status">
        {result}
      </p>
    </div>
  );
}

function DataSection() {
  const [status, track] = useSaveStatus();
  const days = useStored(retentionDaysItem, clampRetentionDays);
  if (days === undefined) return null;
  return (
    <Section id="data" title={t('sectionData')} status={status}>
      <p class="intro">{t('dataIntro')}</p>
      <NumberField
        id="retention-days"
        label={t('retentionLabel')}
        unit={t('unitDays')}
        value={days}
        min={RETENTION_LIMITS.minDays}
        max={RETENTION_LIMITS.maxDays}
        help={t('retentionHelp', formatNumber(RETENTION_LIMITS.defaultDays))}
        commit={(raw) => setRetentionDays(raw)}
        onSaved={track}
      />
      <DeleteAllData onDone={track} />
    </Section>
  );
}

function Options() {
  return (
    <>
      <header>
        <h1>{t('optionsTitle')}</h1>
        <p class="intro">{t('optionsIntro')}</p>
        <p>
          <a href={browser.runtime.getURL('/welcome.html')}>{t('optionsWelcomeLink')}</a>
        </p>
      </header>
      <ModelSection />
      <FrameBudgetSection />
      <SmoothingSection />
      <OverlaySection />
      <SelfViewSection />
      <DataSection />
    </>
  );
}

mountPage(Options, () => t('optionsTitle'));
