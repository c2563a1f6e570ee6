/**
 * Small SVG charts in preact (no chart library: a few hundred lines of SVG are smaller and faster
 * than any library for what the panel draws — lines over time and bars). Long sessions are reduced
 * to at most `maxPoints` per line (mean per pixel column), so a 3-hour call renders as fast as a
 * 3-minute one. Colours come from CSS variables, so light and dark themes both work.
 */
import type { JSX } from 'preact';
import { t } from '../../utils/i18n';

export interface LineSeries {
  label: string;
  /** CSS class giving the stroke colour (see style.css: .s-valence, .s-arousal, …). */
  cls: string;
  values: readonly (number | null)[];
}

/** Means of `values` over `n` equal slices of the time axis; null where a slice has no value. */
export function reduce(t: readonly number[], values: readonly (number | null)[], n: number): { t: number[]; v: (number | null)[] } {
  if (t.length <= n) return { t: [...t], v: [...values] };
  const t0 = t[0]!;
  const span = Math.max(1, t[t.length - 1]! - t0);
  const sum = new Array<number>(n).fill(0);
  const cnt = new Array<number>(n).fill(0);
  t.forEach((ti, i) => {
    const v = values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) return;
    const k = Math.min(n - 1, Math.floor(((ti - t0) / span) * n));
    sum[k]! += v;
    cnt[k]!++;
  });
  return { t: sum.map((_, k) => t0 + ((k + 0.5) / n) * span), v: sum.map((s, k) => (cnt[k] ? s / cnt[k]! : null)) };
}

const mmss = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
};
export { mmss };

export function LineChart(props: {
  title: string;
  t: readonly number[];
  series: readonly LineSeries[];
  yMin: number;
  yMax: number;
  /** Where time 0 is (session start), ms. */
  origin: number;
  height?: number;
  maxPoints?: number;
}): JSX.Element {
  const width = 320;
  const height = props.height ?? 110;
  const pad = { l: 28, r: 6, t: 6, b: 18 };
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  const t0 = props.t[0] ?? props.origin;
  const t1 = Math.max(t0 + 1000, props.t[props.t.length - 1] ?? t0);
  const x = (t: number) => pad.l + ((t - t0) / (t1 - t0)) * w;
  const y = (v: number) => pad.t + (1 - (v - props.yMin) / (props.yMax - props.yMin)) * h;
  const has = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);
  const paths = props.series.map((s) => {
    const r = reduce(props.t, s.values, props.maxPoints ?? 300);
    let d = '';
    r.t.forEach((ti, i) => {
      const v = r.v[i];
      if (!has(v)) return;
      // A new subpath after a gap; a point alone between gaps is a zero-length one (a dot: round caps).
      const start = !has(r.v[i - 1]);
      d += `${start ? 'M' : 'L'}${x(ti).toFixed(1)},${y(v).toFixed(1)}`;
      if (start && !has(r.v[i + 1])) d += 'h0';
    });
    return { s, d };
  });
  // Ranges by a loop, not Math.min(...values): no argument-count limit, whatever the length.
  let any = false;
  const summary = props.series
    .map((s) => {
      let min = Infinity;
      let max = -Infinity;
      for (const v of s.values) {
        if (!has(v)) continue;
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      if (min > max) return t('chartSeriesNoData', s.label);
      any = true;
      return t('chartSeriesRange', s.label, min.toFixed(2), max.toFixed(2));
    })
    .join('; ');
  if (!any) {
    return (
      <figure class="chart">
        <figcaption>{props.title}</figcaption>
        <p class="muted">{t('chartNoData')}</p>
      </figure>
    );
  }
  const zero = props.yMin < 0 && props.yMax > 0 ? y(0) : null;
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={t('chartDescription', props.title, summary, mmss(t1 - t0))} preserveAspectRatio="none">
        <rect x={pad.l} y={pad.t} width={w} height={h} class="plot" />
        {zero !== null && <line x1={pad.l} x2={pad.l + w} y1={zero} y2={zero} class="axis" />}
        <text x={pad.l - 3} y={pad.t + 8} class="tick" text-anchor="end">
          {props.yMax}
        </text>
        <text x={pad.l - 3} y={pad.t + h} class="tick" text-anchor="end">
          {props.yMin}
        </text>
        <text x={pad.l} y={height - 4} class="tick">
          {mmss(t0 - props.origin)}
        </text>
        <text x={pad.l + w} y={height - 4} class="tick" text-anchor="end">
          {mmss(t1 - props.origin)}
        </text>
        {paths.map(({ s, d }) => (
          <path key={s.label} d={d} class={`line ${s.cls}`} />
        ))}
      </svg>
      <ul class="legend" aria-hidden="true">
        {props.series.map((s) => (
          <li key={s.label}>
            <span class={`swatch ${s.cls}`} />
            {s.label}
          </li>
        ))}
      </ul>
    </figure>
  );
}

/** Horizontal bars with their values, e.g. time in each expression. */
export function Bars(props: { title: string; items: readonly { label: string; value: number; text: string }[] }): JSX.Element {
  const max = props.items.reduce((m, i) => Math.max(m, i.value), 1e-9);
  if (!props.items.length) {
    return (
      <figure class="bars">
        <figcaption>{props.title}</figcaption>
        <p class="muted">{t('chartNoData')}</p>
      </figure>
    );
  }
  return (
    <figure class="bars">
      <figcaption>{props.title}</figcaption>
      <table>
        <tbody>
          {props.items.map((i) => (
            <tr key={i.label}>
              <th scope="row">{i.label}</th>
              <td>
                <span class="bar" style={{ width: `${(i.value / max) * 100}%` }} />
              </td>
              <td class="num">{i.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
