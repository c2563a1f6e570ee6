// Side panel (placeholder until the live cards and session summary land): shows the engine status
// and the latest reading per tile, from the offscreen document's result broadcast.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { describeEngine } from '@/components/engine-status';
import { send } from '@/utils/messaging';
import { asEnvelope } from '@/utils/protocol';
import type { EngineStatus, FrameResult } from '@/utils/types';

function SidePanel() {
  const [engine, setEngine] = useState<EngineStatus>();
  const [latest, setLatest] = useState<Record<string, FrameResult>>({});

  useEffect(() => {
    void send('any-off-status', 'offscreen', {}).then(setEngine);
    const onMessage = (msg: unknown) => {
      const env = asEnvelope(msg, 'background'); // listen in on broadcasts; never answer them
      if (env?.type === 'off-bg-results') {
        const batch = env.payload as FrameResult[];
        setLatest((prev) => ({ ...prev, ...Object.fromEntries(batch.map((r) => [`${r.tabId}:${r.tileId}`, r])) }));
      } else if (env?.type === 'off-bg-status') {
        setEngine(env.payload as EngineStatus);
      }
      return false;
    };
    browser.runtime.onMessage.addListener(onMessage);
    return () => browser.runtime.onMessage.removeListener(onMessage);
  }, []);

  const rows = Object.entries(latest);
  return (
    <>
      <h1>AffectLens</h1>
      <p class="status" role="status">{describeEngine(engine)}</p>
      {rows.length === 0 ? (
        <p>No participant analysed yet. Open a call and turn analysis on in the popup.</p>
      ) : (
        <ul aria-label="Participants">
          {rows.map(([key, r]) => (
            <li key={key}>
              <strong>{r.name}</strong>: {r.faces.length === 0 ? 'no face' : r.faces.map((f) => (f.smile ? 'smile' : 'no smile')).join(', ')}
            </li>
          ))}
        </ul>
      )}
      <p class="status">Live cards, charts and the session summary come in a later version.</p>
    </>
  );
}

const root = document.getElementById('app');
if (root) render(<SidePanel />, root);
