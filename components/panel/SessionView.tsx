/**
 * A session's summary (utils/summary.ts: the paper's centred filter over the stored series) with
 * its charts and export. For the call in progress it is computed on demand; for past sessions from
 * the history.
 */
import { useEffect, useState } from 'preact/hooks';
import { AFFECTNET_CLASSES } from '../../models/affect/types';
import { COMPOUND_CLASSES } from '../../models/temporal/compound';
import { POINT_FIELDS, type Point } from '../../utils/session-series';
import { readSeries, type SessionMeta } from '../../utils/session-store';
import { CSV_COLUMNS, summariseParticipant, summariseRoom, toCsv, type ParticipantSummary, type RoomSummary } from '../../utils/summary';
import { Bars, LineChart, mmss } from './charts';

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

const fmtRange = (r: { mean: number; min: number; max: number } | null) => (r ? `${r.mean.toFixed(2)} (${r.min.toFixed(2)} to ${r.max.toFixed(2)})` : '–');
const seconds = (s: number) => (s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`);

export function SessionView(props: { session: SessionMeta; live: boolean }) {
  const { session } = props;
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
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
  const exportCsv = () => data && download(`affectlens-${stamp}.csv`, 'text/csv', toCsv(session, data.people.map((p) => ({ meta: p.meta, points: p.points, summary: p.summary }))));
  const exportJson = () =>
    data &&
    download(
      `affectlens-${stamp}.json`,
      'application/json',
      JSON.stringify(
        {
          session: { id: session.id, call: session.call, startedAt: new Date(session.startedAt).toISOString(), endedAt: session.endedAt ? new Date(session.endedAt).toISOString() : null },
          columns: POINT_FIELDS,
          csvColumns: CSV_COLUMNS,
          room: { ...data.room, timeline: undefined },
          participants: data.people.map((p) => ({ id: p.meta.id, name: p.meta.name, resolutionMs: p.meta.resolutionMs, points: p.points.map((pt) => pt.map((v) => (Number.isFinite(v) ? v : null))), summary: { ...p.summary, timeline: undefined } })),
        },
        null,
        1,
      ),
    );

  if (error) return <p role="alert">Could not read this session: {error}</p>;
  if (!data) return <p role="status">Computing the summary…</p>;
  if (!data.people.length) return <p class="empty">Nobody was analysed in this session yet. Turn analysis on for a call tab, then come back.</p>;
  const origin = session.startedAt;
  return (
    <section aria-label="Session summary">
      <div class="toolbar">
        <span class="muted">
          {session.call || 'a page with video'} · {new Date(session.startedAt).toLocaleString()} · {mmss(session.lastAt - session.startedAt)}
          {props.live ? ' · in progress' : ''}
        </span>
        {props.live && (
          <button type="button" onClick={() => setVersion((v) => v + 1)}>
            Refresh
          </button>
        )}
        <button type="button" onClick={exportCsv}>
          Export CSV
        </button>
        <button type="button" onClick={exportJson}>
          Export JSON
        </button>
      </div>
      {session.notice && <p role="alert">{session.notice}</p>}
      <article class="card room">
        <h3>Room</h3>
        <p>
          Valence {fmtRange(data.room.valence)} · arousal {fmtRange(data.room.arousal)} · engagement index {fmtRange(data.room.engagement)}
        </p>
        <Bars
          title="Share of face time per expression"
          items={AFFECTNET_CLASSES.map((c) => ({ label: c, value: data.room.expressionShare[c], text: `${Math.round(data.room.expressionShare[c] * 100)}%` })).filter((i) => i.value > 0)}
        />
        <LineChart
          title="Room over time"
          t={data.room.timeline.t}
          origin={origin}
          yMin={-1}
          yMax={1}
          series={[
            { label: 'Valence', cls: 's-valence', values: data.room.timeline.valence },
            { label: 'Arousal', cls: 's-arousal', values: data.room.timeline.arousal },
            { label: 'Engagement', cls: 's-engagement', values: data.room.timeline.engagement },
          ]}
        />
      </article>
      {data.people.map(({ meta, summary: s }) => (
        <article class="card" key={meta.id} aria-label={`Summary for ${meta.name}`}>
          <h3>{meta.name}</h3>
          <p class="muted">
            face seen {seconds(s.presentS)} of {seconds(s.analysedS)} · resolution {meta.resolutionMs / 1000} s
          </p>
          <p>
            Valence {fmtRange(s.valence)} · arousal {fmtRange(s.arousal)} · engagement index {fmtRange(s.engagement)}
          </p>
          <Bars title="Time in each expression" items={AFFECTNET_CLASSES.map((c) => ({ label: c, value: s.expressionS[c], text: seconds(s.expressionS[c]) })).filter((i) => i.value > 0)} />
          {COMPOUND_CLASSES.some((c) => s.compoundS[c] > 0) && (
            <Bars title="Compound expressions" items={COMPOUND_CLASSES.map((c) => ({ label: c, value: s.compoundS[c], text: seconds(s.compoundS[c]) })).filter((i) => i.value > 0)} />
          )}
          <LineChart
            title="Valence, arousal and engagement"
            t={s.timeline.t}
            origin={origin}
            yMin={-1}
            yMax={1}
            series={[
              { label: 'Valence', cls: 's-valence', values: s.timeline.valence },
              { label: 'Arousal', cls: 's-arousal', values: s.timeline.arousal },
              { label: 'Engagement', cls: 's-engagement', values: s.timeline.engagement },
            ]}
          />
          <LineChart
            title="Expression probabilities"
            t={s.timeline.t}
            origin={origin}
            yMin={0}
            yMax={1}
            series={AFFECTNET_CLASSES.filter((c) => s.expressionS[c] > 0).map((c) => ({
              label: c,
              cls: `s-${c.toLowerCase()}`,
              values: s.timeline.probs.map((p) => (p ? (p[AFFECTNET_CLASSES.indexOf(c)] ?? null) : null)),
            }))}
          />
          {s.moments.length > 0 && (
            <>
              <h4>Notable moments</h4>
              <ul class="moments">
                {s.moments.map((m) => (
                  <li key={m.kind}>
                    <time>{mmss(m.t - origin)}</time> {m.kind}: {m.text}
                  </li>
                ))}
              </ul>
            </>
          )}
        </article>
      ))}
    </section>
  );
}
