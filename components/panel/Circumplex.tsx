import { t } from '../../utils/i18n';

/** Valence (left → right) and arousal (bottom → top) as a point on Russell's circumplex. */
export function Circumplex(props: { valence: number | null; arousal: number | null; estimated?: boolean; size?: number; label?: string }) {
  const size = props.size ?? 64;
  const r = size / 2 - 4;
  const c = size / 2;
  const finite = (v: number | null): v is number => v !== null && Number.isFinite(v);
  const has = finite(props.valence) && finite(props.arousal);
  const clamp = (v: number) => Math.max(-1, Math.min(1, v));
  const x = c + clamp(has ? props.valence! : 0) * r;
  const y = c - clamp(has ? props.arousal! : 0) * r;
  const label = props.label ?? t('vaDefault');
  const text = !has
    ? t('vaNotAvailable', label)
    : props.estimated
      ? t('vaValueEstimated', label, props.valence!.toFixed(2), props.arousal!.toFixed(2))
      : t('vaValue', label, props.valence!.toFixed(2), props.arousal!.toFixed(2));
  return (
    <svg class="circumplex" width={size} height={size} viewBox={`0 0 ${size} ${size}`} role="img" aria-label={text}>
      <title>{text}</title>
      <circle cx={c} cy={c} r={r} class="axis-ring" />
      <line x1={c - r} y1={c} x2={c + r} y2={c} class="axis" />
      <line x1={c} y1={c - r} x2={c} y2={c + r} class="axis" />
      {has && <circle cx={x} cy={y} r={4} class={props.estimated ? 'dot estimated' : 'dot'} />}
    </svg>
  );
}
