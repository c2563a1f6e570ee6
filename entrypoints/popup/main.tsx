import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { Toggle } from '@/components/Toggle';
import { describeEngine } from '@/components/engine-status';
import { send } from '@/utils/messaging';
import type { EngineStatus, TabState } from '@/utils/types';

/** The tab the popup acts on: the active tab, or `?tabId=` when opened as a page. */
async function targetTabId(): Promise<number | undefined> {
  const fromQuery = Number(new URLSearchParams(location.search).get('tabId'));
  if (Number.isInteger(fromQuery) && fromQuery > 0) return fromQuery;
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id;
}

function Popup() {
  const [tabId, setTabId] = useState<number>();
  const [state, setState] = useState<TabState>();
  const [engine, setEngine] = useState<EngineStatus>();

  useEffect(() => {
    void (async () => {
      const id = await targetTabId();
      setTabId(id);
      if (id !== undefined) setState(await send('ui-bg-get-tab', 'background', { tabId: id }));
      setEngine(await send('any-off-status', 'offscreen', {}));
    })();
  }, []);

  const update = async (patch: Partial<TabState>) => {
    if (tabId === undefined) return;
    setState(await send('ui-bg-set-tab', 'background', { tabId, patch }));
  };

  const line = !state ? 'This tab cannot be analysed.' : !state.analysis ? 'Analysis is off for this tab.' : describeEngine(engine);

  return (
    <>
      <h1>AffectLens</h1>
      <Toggle label="Analyse this tab" checked={state?.analysis ?? false} disabled={!state} onChange={(v) => void update({ analysis: v })} />
      <Toggle label="Show overlay" checked={state?.overlay ?? false} disabled={!state} onChange={(v) => void update({ overlay: v })} />
      <p class="status" role="status" data-testid="status">{line}</p>
      {browser.sidePanel && tabId !== undefined ? (
        <button type="button" onClick={() => void browser.sidePanel.open({ tabId })}>
          Open side panel
        </button>
      ) : null}
    </>
  );
}

const root = document.getElementById('app');
if (root) render(<Popup />, root);
