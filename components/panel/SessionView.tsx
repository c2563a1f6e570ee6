/**
 * A session's summary (utils/summary.ts: the paper's centred filter over the stored series) with
 * its charts and export. For the call in progress it is computed on demand; for past sessions from
 * the history.
 */
import { useEffect, useState } from 'preact/hooks';
import { AFFECTNET_CLASSES } from '../../models/affect/types';
import { COMPOUND_CLASSES } from '../../models/temporal/compound';
import { POINT_FIELDS, type Point } from '../../utils/session-series';
import { t } from '../../utils/i18n';
import { readSeries, type SessionMeta } from '../../utils/session-store';
import { CSV_COLUMNS, summariseParticipant, summariseRoom, toCsv, type Moment, type ParticipantSummary, type RoomSummary } from '../../utils/summary';
import { Bars, LineChart, mmss } from './charts';
import { compoundName, duration, expressionName, noticeText, percent, rangeText } from './text';

interface Loaded {
  people: { meta: SessionMeta['participants'][number]; points: Point[]; summary: ParticipantSummary }[];
  room: RoomSummary;
}

export async function loadSession(session: SessionMeta): Promise<Loaded> {
  const people = await Promise.all(
    session.participants.map(async (meta) => {
      const { points, resolutionMs } = await readSeries(session, meta);
      return { meta, points, summary: summariseParticipant(meta.id, meta.name, points, resolutionMs) };
    }),
  );
  return { people, room: summariseRoom(people.map((p) => p.summary), people.map((p) => p.meta.resolutionMs)) };
}

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A notable moment in words. The summary's own `text` is English, so the message is built again
 * from the timeline at the moment's time (the same values the summary took).
 */
export function momentText(m: Moment, s: ParticipantSummary, resolutionMs: number): string {
  const i = s.timeline.t.indexOf(m.t);
  if (i < 0) return `${m.kind}: ${m.text}`;
  switch (m.kind) {
    case 'most positive':
      return t('momentMostPositive', (s.timeline.valence[i] ?? 0).toFixed(2));
    case 'most negative':
      return t('momentMostNegative', (s.timeline.valence[i] ?? 0).toFixed(2));
    case 'most aroused':
      return t('momentMostAroused', (s.timeline.arousal[i] ?? 0).toFixed(2));
    case 'longest expression': {
      const label = s.timeline.label[i] ?? null;
      let n = 0;
      while (label !== null && s.timeline.label[i + n] === label) n++;
      return label === null ? `${m.kind}: ${m.text}` : t('momentLongestExpression', expressionName(label), Math.round((n * resolutionMs) / 1000));
    }
  }
}

export function SessionView(props: { session: SessionMeta; live: boolean }) {
  const { session } = props;
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let cancelled = false;
    loadSession(session).then(
      (d) => !cancelled && (setData(d), setError(null)),
      (e: unknown) => !cancelled && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [session.id, version]);
  // The call in progress: recompute every 15 s (and on Refresh), not at every stored frame.
  useEffect(() => {
    if (!props.live) return;
    const timer = setInterval(() => setVersion((v) => v + 1), 15_000);
    return () => clearInterval(timer);
  }, [props.live, session.id]);

  const stamp = new Date(session.startedAt).toISOString().slice(0, 19).replace(/[:T]/g, '-');
  /**
   * Exports what is stored now: for the call in progress the series are read again first (the
   * summary on screen may be up to 15 s old), so the file holds every frame stored so far.
   */
  const exportAs = async (kind: 'csv' | 'json') => {
    try {
      const d = props.live ? await loadSession(session) : data;
      if (!d) return;
      if (props.live) setData(d);
      setExportError(null);
      if (kind === 'csv') download(`affectlens-${stamp}.csv`, 'text/csv', toCsv(session, d.people.map((p) => ({ meta: p.meta, points: p.points, summary: p.summary }))));
      else download(`affectlens-${stamp}.json`, 'application/json', toJson(session, d));
    } catch (e) {
      setExportError(e instanceof Error ? e.message : String(e));
    }
  };

  if (error) return <p role="alert">{t('sessionReadError', error)}</p>;
  if (!data) return <p role="status">{t('computingSummary')}</p>;
  if (!data.people.length) return <p class="empty">{t('sessionEmpty')}</p>;
  const origin = session.startedAt;
  const vaSeries = (tl: { valence: (number | null)[]; arousal: (number | null)[]; engagement: (number | null)[] }) => [
    { label: t('seriesValence'), cls: 's-valence', values: tl.valence },
    { label: t('seriesArousal'), cls: 's-arousal', values: tl.arousal },
    { label: t('seriesEngagement'), cls: 's-engagement', values: tl.engagement },
  ];
  return (
    <section aria-label={t('sessionSummary')}>
      <div class="toolbar">
        <span class="muted">
          {session.call || t('callUnknown')} · {new Date(session.startedAt).toLocaleString()} · {mmss(session.lastAt - session.startedAt)}
          {props.live ? ` · ${t('inProgress')}` : ''}
        </span>
        {props.live && (
          <button type="button" onClick={() => setVersion((v) => v + 1)}>
            {t('refresh')}
          </button>
        )}
        <button type="button" onClick={() => void exportAs('csv')}>
          {t('exportCsv')}
        </button>
        <button type="button" onClick={() => void exportAs('json')}>
          {t('exportJson')}
        </button>
      </div>
      {exportError && <p role="alert">{t('exportFailed', exportError)}</p>}
      {session.notice && <p role="alert">{noticeText(session.notice)}</p>}
      <article class="card room">
        <h3>{t('room')}</h3>
        <p>{t('rangesLine', rangeText(data.room.valence), rangeText(data.room.arousal), rangeText(data.room.engagement))}</p>
        <Bars
          title={t('shareOfFaceTime')}
          items={AFFECTNET_CLASSES.map((c) => ({ label: expressionName(c), value: data.room.expressionShare[c], text: percent(data.room.expressionShare[c]) })).filter((i) => i.value > 0)}
        />
        <LineChart title={t('roomOverTime')} t={data.room.timeline.t} origin={origin} yMin={-1} yMax={1} series={vaSeries(data.room.timeline)} />
      </article>
      {data.people.map(({ meta, points, summary: s }) => (
        <article class="card" key={meta.id} aria-label={t('summaryFor', meta.name)}>
          <h3>{meta.name}</h3>
          {!points.length ? (
            <p class="empty">{t('noPointsKept')}</p>
          ) : (
            <>
              <p class="muted">{t('faceSeen', duration(s.presentS), duration(s.analysedS), meta.resolutionMs / 1000)}</p>
              <p>{t('rangesLine', rangeText(s.valence), rangeText(s.arousal), rangeText(s.engagement))}</p>
              <Bars
                title={t('timeInEachExpression')}
                items={AFFECTNET_CLASSES.map((c) => ({ label: expressionName(c), value: s.expressionS[c], text: duration(s.expressionS[c]) })).filter((i) => i.value > 0)}
              />
              {COMPOUND_CLASSES.some((c) => s.compoundS[c] > 0) && (
                <Bars
                  title={t('compoundExpressions')}
                  items={COMPOUND_CLASSES.map((c) => ({ label: compoundName(c), value: s.compoundS[c], text: duration(s.compoundS[c]) })).filter((i) => i.value > 0)}
                />
              )}
              <LineChart title={t('chartVaEngagement')} t={s.timeline.t} origin={origin} yMin={-1} yMax={1} series={vaSeries(s.timeline)} />
              <LineChart
                title={t('chartExpressionProbabilities')}
                t={s.timeline.t}
                origin={origin}
                yMin={0}
                yMax={1}
                series={AFFECTNET_CLASSES.filter((c) => s.expressionS[c] > 0).map((c) => ({
                  label: expressionName(c),
                  cls: `s-${c.toLowerCase()}`,
                  values: s.timeline.probs.map((p) => (p ? (p[AFFECTNET_CLASSES.indexOf(c)] ?? null) : null)),
                }))}
              />
              {s.moments.length > 0 && (
                <>
                  <h4>{t('notableMoments')}</h4>
                  <ul class="moments">
                    {s.moments.map((m) => (
                      <li key={m.kind}>
                        <time>{mmss(m.t - origin)}</time> {momentText(m, s, meta.resolutionMs)}
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </>
          )}
        </article>
      ))}
    </section>
  );
}

function toJson(session: SessionMeta, data: Loaded): string {
  return JSON.stringify(
    {
      session: { id: session.id, call: session.call, startedAt: new Date(session.startedAt).toISOString(), endedAt: session.endedAt ? new Date(session.endedAt).toISOString() : null },
      columns: POINT_FIELDS,
      csvColumns: CSV_COLUMNS,
      room: { ...data.room, timeline: undefined },
      participants: data.people.map((p) => ({ id: p.meta.id, name: p.meta.name, resolutionMs: p.meta.resolutionMs, points: p.points.map((pt) => pt.map((v) => (Number.isFinite(v) ? v : null))), summary: { ...p.summary, timeline: undefined } })),
    },
    null,
    1,
  );
}
