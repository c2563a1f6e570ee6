import { t } from '../../utils/i18n';

/** A horizontal 0..1 meter with its value in words, for the engagement index and its parts. */
export function Gauge(props: { label: string; value: number | null; compact?: boolean }) {
  const v = props.value;
  const pct = v === null || !Number.isFinite(v) ? null : Math.round(Math.max(0, Math.min(1, v)) * 100);
  const value = pct === null ? { 'aria-valuetext': t('notAvailable') } : { 'aria-valuenow': pct, 'aria-valuetext': t('percentValue', pct) };
  return (
    <div class={props.compact ? 'gauge compact' : 'gauge'}>
      <span class="gauge-label">{props.label}</span>
      <span class="gauge-track" role="meter" aria-label={props.label} aria-valuemin={0} aria-valuemax={100} {...value}>
        <span class="gauge-fill" style={{ width: `${pct ?? 0}%` }} />
      </span>
      <span class="gauge-value">{pct === null ? '–' : t('percentValue', pct)}</span>
    </div>
  );
}
