/** A horizontal 0..1 meter with its value in words, for the engagement index and its parts. */
export function Gauge(props: { label: string; value: number | null; compact?: boolean }) {
  const v = props.value;
  const pct = v === null ? null : Math.round(Math.max(0, Math.min(1, v)) * 100);
  return (
    <div class={props.compact ? 'gauge compact' : 'gauge'}>
      <span class="gauge-label">{props.label}</span>
      <span
        class="gauge-track"
        role="meter"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={100}
        {...(pct === null ? { 'aria-valuetext': 'not available' } : { 'aria-valuenow': pct, 'aria-valuetext': `${pct}%` })}
      >
        <span class="gauge-fill" style={{ width: `${pct ?? 0}%` }} />
      </span>
      <span class="gauge-value">{pct === null ? '–' : `${pct}%`}</span>
    </div>
  );
}
