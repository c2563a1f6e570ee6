// Side panel (Chrome) / sidebar (Firefox): live cards per participant and for the room, the
// session summary with charts and export, and the history of past sessions.
import type { ComponentChildren } from 'preact';
import { useEffect, useErrorBoundary, useMemo, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { describeEngine } from '@/components/engine-status';
import { LiveCard, RoomCard, STALE_MS, liveLabel, type LiveParticipant } from '@/components/panel/LiveCard';
import { SessionView } from '@/components/panel/SessionView';
import { mmss } from '@/components/panel/charts';
import { noticeText } from '@/components/panel/text';
import { t } from '@/utils/i18n';
import { mountPage } from '@/components/mount';
import { send } from '@/utils/messaging';
import { asEnvelope } from '@/utils/protocol';
import { deleteSessions, sessionsItem, type SessionMeta } from '@/utils/session-store';
import type { EngineStatus, FrameResult } from '@/utils/types';

type Tab = 'live' | 'summary' | 'history';
type Sort = 'name' | 'engagement' | 'valence' | 'confidence';

/** Live participants from the inference host's result batches (the panel listens in). */
function useLive(): { people: LiveParticipant[]; engine: EngineStatus | undefined; now: number } {
  const [engine, setEngine] = useState<EngineStatus>();
  const [people, setPeople] = useState<Map<string, LiveParticipant>>(new Map());
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    // No answer yet (no call page open): the status line says so; a failure must not end the panel.
    void send('any-off-status', 'offscreen', {}).then(setEngine, () => undefined);
    const times = new Map<string, number[]>(); // per tile: recent frame times, for frames/s
    const onMessage = (msg: unknown) => {
      const env = asEnvelope(msg, 'background'); // listen in on broadcasts; never answer them
      if (env?.type === 'off-bg-results') {
        const batch = env.payload as FrameResult[];
        setPeople((prev) => {
          const next = new Map(prev);
          for (const r of batch) {
            const tile = `${r.tabId}:${r.tileId}`;
            const recent = [...(times.get(tile) ?? []), r.capturedAt].filter((at) => at > r.capturedAt - 5000);
            times.set(tile, recent);
            // A rate needs two frames: a tile's first says nothing of it (not "0 frames/s").
            const fps = recent.length > 1 ? ((recent.length - 1) * 1000) / Math.max(1, recent[recent.length - 1]! - recent[0]!) : null;
            const seen = new Set<string>();
            for (const f of r.faces) {
              const key = `${r.tabId}:${f.participantId}`;
              seen.add(key);
              next.set(key, { key, tabId: r.tabId, participantId: f.participantId, name: r.faces.length > 1 ? `${r.name} (${f.participantId.split('#').pop()})` : r.name, face: f, at: r.capturedAt, fps });
            }
            for (const [key, p] of next) {
              if (!seen.has(key) && p.tabId === r.tabId && p.participantId.startsWith(`${r.tileId}#`)) next.set(key, { ...p, face: null, at: r.capturedAt, fps });
            }
          }
          return next;
        });
      } else if (env?.type === 'off-bg-status') {
        setEngine(env.payload as EngineStatus);
      }
      return false;
    };
    browser.runtime.onMessage.addListener(onMessage);
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      browser.runtime.onMessage.removeListener(onMessage);
      clearInterval(timer);
    };
  }, []);
  return { people: [...people.values()], engine, now };
}

function sortPeople(people: LiveParticipant[], by: Sort): LiveParticipant[] {
  const key = (p: LiveParticipant): number | string => {
    switch (by) {
      case 'name':
        return p.name.toLowerCase();
      case 'engagement':
        return -(p.face?.live?.engagement.index ?? -1);
      case 'valence':
        return -(p.face?.live?.valence ?? -2);
      case 'confidence':
        return -(liveLabel(p.face).confidence ?? -1);
    }
  };
  return [...people].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : a.name.localeCompare(b.name);
  });
}

function LiveView(props: { people: LiveParticipant[]; now: number; affectLoading: boolean }) {
  const [sort, setSort] = useState<Sort>('name');
  const people = useMemo(() => sortPeople(props.people, sort), [props.people, sort]);
  if (!people.length) {
    return <p class="empty">{t('liveEmpty')}</p>;
  }
  return (
    <section aria-label={t('liveParticipants')}>
      <div class="toolbar">
        <label>
          {t('sortBy')}{' '}
          <select value={sort} onChange={(e) => setSort((e.currentTarget as HTMLSelectElement).value as Sort)}>
            <option value="name">{t('sortName')}</option>
            <option value="engagement">{t('sortEngagement')}</option>
            <option value="valence">{t('sortValence')}</option>
            <option value="confidence">{t('sortConfidence')}</option>
          </select>
        </label>
      </div>
      <RoomCard people={people} now={props.now} affectLoading={props.affectLoading} />
      {people.map((p) => (
        <LiveCard key={p.key} p={p} now={props.now} affectLoading={props.affectLoading} />
      ))}
    </section>
  );
}

function HistoryView(props: { sessions: SessionMeta[]; onOpen: (id: string) => void }) {
  const [confirming, setConfirming] = useState<string | null>(null);
  if (!props.sessions.length) return <p class="empty">{t('historyEmpty')}</p>;
  return (
    <section aria-label={t('historyLabel')}>
      <ul class="history">
        {[...props.sessions].reverse().map((s) => (
          <li key={s.id}>
            <div>
              <strong>{new Date(s.startedAt).toLocaleString()}</strong> · {mmss(s.lastAt - s.startedAt)} ·{' '}
              {s.participants.length === 1 ? t('participantsOne') : t('participantsMany', s.participants.length)}
              {s.endedAt === null ? ` · ${t('inProgress')}` : ''}
              <div class="muted">{s.call || t('callUnknown')}</div>
            </div>
            <div class="actions">
              <button type="button" onClick={() => props.onOpen(s.id)}>
                {t('viewSummary')}
              </button>
              {confirming === s.id ? (
                <>
                  <button type="button" class="danger" onClick={() => void deleteSessions([s.id]).then(() => setConfirming(null))}>
                    {t('deleteForGood')}
                  </button>
                  <button type="button" onClick={() => setConfirming(null)}>
                    {t('keepSession')}
                  </button>
                </>
              ) : (
                <button type="button" onClick={() => setConfirming(s.id)} aria-label={t('deleteSessionLabel', new Date(s.startedAt).toLocaleString())}>
                  {t('deleteSession')}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      <p class="muted">{t('historyKept')}</p>
    </section>
  );
}

/** A view that throws while rendering says so, with a way back, instead of leaving the panel blank. */
function Guard(props: { children: ComponentChildren }) {
  const [error, reset] = useErrorBoundary();
  if (error) {
    return (
      <div role="alert">
        <p>{t('panelError', error instanceof Error ? error.message : String(error))}</p>
        <button type="button" onClick={reset}>
          {t('panelRetry')}
        </button>
      </div>
    );
  }
  return <>{props.children}</>;
}

/** The stored history as a list, whatever storage holds (cleared by the browser: nothing). */
const asSessions = (v: unknown): SessionMeta[] => (Array.isArray(v) ? (v as SessionMeta[]) : []);

export function SidePanel() {
  const { people, engine, now } = useLive();
  const [tab, setTab] = useState<Tab>('live');
  const [sessions, setSessions] = useState<SessionMeta[] | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  useEffect(() => {
    void sessionsItem.getValue().then(
      (v) => setSessions(asSessions(v)),
      () => setSessions([]),
    );
    return sessionsItem.watch((v) => setSessions(asSessions(v)));
  }, []);
  const current = sessions?.filter((s) => s.endedAt === null).sort((a, b) => b.lastAt - a.lastAt)[0];
  const shown = sessions?.find((s) => s.id === chosen) ?? current ?? sessions?.[sessions.length - 1];
  const fps = people.filter((p) => now - p.at <= STALE_MS).reduce((s, p) => s + (p.fps ?? 0), 0);
  const tabs: { id: Tab; label: string }[] = [
    { id: 'live', label: t('tabLive') },
    { id: 'summary', label: t('tabSummary') },
    { id: 'history', label: t('tabHistory') },
  ];
  return (
    <>
      <header class="panel-header">
        <h1>{t('extName')}</h1>
        <p class="status" role="status">
          {describeEngine(engine)}
          {fps > 0 ? ` ${t('panelFramesAnalysed', fps.toFixed(1))}` : ''}
        </p>
        {current?.notice && <p role="alert">{noticeText(current.notice)}</p>}
      </header>
      <div role="tablist" aria-label={t('panelViews')} class="tabs">
        {tabs.map((x) => (
          <button
            key={x.id}
            type="button"
            role="tab"
            id={`tab-${x.id}`}
            aria-selected={tab === x.id}
            aria-controls={`view-${x.id}`}
            tabIndex={tab === x.id ? 0 : -1}
            onClick={() => setTab(x.id)}
            onKeyDown={(e) => {
              const i = tabs.findIndex((x) => x.id === tab);
              const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
              if (!d) return;
              const next = tabs[(i + d + tabs.length) % tabs.length]!;
              setTab(next.id);
              document.getElementById(`tab-${next.id}`)?.focus();
            }}
          >
            {x.label}
          </button>
        ))}
      </div>
      <main id={`view-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`}>
        <Guard key={tab}>
          {tab === 'live' && <LiveView people={people} now={now} affectLoading={engine?.state === 'ready' && engine.affectLoading === true} />}
          {tab === 'summary' &&
            (sessions === null ? (
              <p role="status">{t('panelReadingSessions')}</p>
            ) : shown ? (
              <SessionView key={shown.id} session={shown} live={shown.endedAt === null} />
            ) : (
              <p class="empty">{t('summaryNoSession')}</p>
            ))}
          {tab === 'history' &&
            (sessions === null ? (
              <p role="status">{t('panelReadingSessions')}</p>
            ) : (
              <HistoryView
                sessions={sessions}
                onOpen={(id) => {
                  setChosen(id);
                  setTab('summary');
                }}
              />
            ))}
        </Guard>
      </main>
    </>
  );
}

mountPage(SidePanel, () => t('extName'));
