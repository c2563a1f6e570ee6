/** Valence (left → right) and arousal (bottom → top) as a point on Russell's circumplex. */
export function Circumplex(props: { valence: number | null; arousal: number | null; estimated?: boolean; size?: number; label?: string }) {
  const size = props.size ?? 64;
  const r = size / 2 - 4;
  const c = size / 2;
  const has = props.valence !== null && props.arousal !== null;
  const x = c + (props.valence ?? 0) * r;
  const y = c - (props.arousal ?? 0) * r;
  const text = has
    ? `${props.label ?? 'Valence and arousal'}: valence ${props.valence!.toFixed(2)}, arousal ${props.arousal!.toFixed(2)}${props.estimated ? ' (estimated from expression)' : ''}`
    : `${props.label ?? 'Valence and arousal'}: not available`;
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
