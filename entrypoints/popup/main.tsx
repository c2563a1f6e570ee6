import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { BackendSelect } from '@/components/BackendSelect';
import { Toggle } from '@/components/Toggle';
import { describeEngine } from '@/components/engine-status';
import { t } from '@/utils/i18n';
import { mountPage } from '@/components/mount';
import { send, sendToTab } from '@/utils/messaging';
import { reattachContentScript } from '@/utils/reattach';
import type { EngineStatus, TabState } from '@/utils/types';

/** The tab the popup acts on: the active tab, or `?tabId=` when opened as a page. */
async function targetTab(): Promise<{ id?: number; url?: string }> {
  const fromQuery = Number(new URLSearchParams(location.search).get('tabId'));
  if (Number.isInteger(fromQuery) && fromQuery > 0) return { id: fromQuery };
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  // `activeTab` lets the popup see the URL of the tab it was opened on, and only that.
  return { id: tab?.id, url: tab?.url };
}

/** Offer "enable on this site" for a web page where AffectLens is not running. */
function EnableSite(props: { tabId: number; url: string; onEnabled: () => void }) {
  const [message, setMessage] = useState<string>();
  let origin: string;
  try {
    origin = new URL(props.url).origin;
  } catch {
    return null;
  }
  if (!/^https?:/.test(origin)) return <p class="status">{t('popupCannotRunHere')}</p>;
  const enable = async () => {
    // Asked at run time, for this one site: AffectLens holds no "all sites" access by default.
    const granted = await browser.permissions.request({ origins: [`${origin}/*`] });
    if (!granted) return setMessage(t('popupPermissionNotGranted'));
    const reply = await send('ui-bg-enable-site', 'background', { tabId: props.tabId, origin });
    if (reply?.ok) props.onEnabled();
    else setMessage(reply?.message ?? t('popupCouldNotStart'));
  };
  return (
    <>
      <p class="status">{t('popupNotRunningOn', origin)}</p>
      <button type="button" onClick={() => void enable()}>
        {t('popupEnableSite')}
      </button>
      {message ? <p class="status" role="alert">{message}</p> : null}
    </>
  );
}

function Popup() {
  const [tabId, setTabId] = useState<number>();
  const [tabUrl, setTabUrl] = useState<string>();
  const [running, setRunning] = useState<boolean>();
  const [site, setSite] = useState<{ label: string; status: string | null }>();
  const [unreadable, setUnreadable] = useState(0);
  const [captureError, setCaptureError] = useState<string>();
  const [state, setState] = useState<TabState>();
  const [engine, setEngine] = useState<EngineStatus>();

  const refresh = async () => {
    const tab = await targetTab();
    setTabId(tab.id);
    setTabUrl(tab.url);
    if (tab.id !== undefined) {
      let ping = await sendToTab(tab.id, 'ui-cs-ping', {}).catch(() => undefined);
      // A call site whose content script is gone (the extension was updated or reloaded during the
      // call) gets it again on this click; the session store continues the tab's session.
      if (!ping && tab.url && (await reattachContentScript(tab.id, tab.url))) ping = await sendToTab(tab.id, 'ui-cs-ping', {}).catch(() => undefined);
      setRunning(ping !== undefined);
      setSite(ping?.site);
      setUnreadable(ping?.unreadableCanvases ?? 0);
      setState(await send('ui-bg-get-tab', 'background', { tabId: tab.id }));
    }
    setEngine(await send('any-off-status', 'offscreen', {}));
  };
  useEffect(() => void refresh(), []);

  const update = async (patch: Partial<TabState>) => {
    if (tabId === undefined) return;
    setState(await send('ui-bg-set-tab', 'background', { tabId, patch }));
  };

  // Tab capture (Chrome) reads canvases the page will not give. Only ever started by this click:
  // `getMediaStreamId` is allowed because the user invoked the extension on this tab.
  const capture = async (start: boolean) => {
    if (tabId === undefined) return;
    setCaptureError(undefined);
    try {
      const streamId = start ? await browser.tabCapture.getMediaStreamId({ targetTabId: tabId }) : null;
      const reply = await send('ui-bg-capture', 'background', { tabId, streamId });
      if (!reply?.ok) setCaptureError(t('popupCaptureFailed', reply?.message ?? ''));
    } catch (err) {
      setCaptureError(t('popupCaptureFailed', err instanceof Error ? err.message : String(err)));
    }
    await refresh();
  };

  // Where AffectLens is not running (a browser page, or a site it has no access to yet) the switches
  // would change nothing: they are disabled until it runs there.
  const usable = !!state && running !== false;
  const line = !state ? t('popupTabCannotBeAnalysed') : !state.analysis ? t('popupAnalysisOff') : describeEngine(engine);

  return (
    <>
      <h1>{t('extName')}</h1>
      {running === false && tabId !== undefined && tabUrl ? <EnableSite tabId={tabId} url={tabUrl} onEnabled={() => void refresh()} /> : null}
      <Toggle label={t('popupAnalyseTab')} checked={state?.analysis ?? false} disabled={!usable} onChange={(v) => void update({ analysis: v })} />
      <Toggle label={t('popupShowOverlay')} checked={state?.overlay ?? false} disabled={!usable} onChange={(v) => void update({ overlay: v })} />
      <p class="status" role="status" data-testid="status">{line}</p>
      {site ? (
        <p class="status" data-testid="site">
          {site.status ?? t('popupReadingTilesAs', site.label)}
        </p>
      ) : null}
      {browser.tabCapture && unreadable > 0 ? (
        <>
          <p class="status">{t('popupCanvasUnreadable', unreadable)}</p>
          <button type="button" onClick={() => void capture(true)}>
            {t('popupCaptureTab')}
          </button>
        </>
      ) : null}
      {browser.tabCapture && state?.capture ? (
        <button type="button" onClick={() => void capture(false)}>
          {t('popupStopCapture')}
        </button>
      ) : null}
      {captureError ? (
        <p class="status" role="alert">
          {captureError}
        </p>
      ) : null}
      <BackendSelect />
      {browser.sidePanel && tabId !== undefined ? (
        <button type="button" onClick={() => void browser.sidePanel.open({ tabId })}>
          {t('popupOpenSidePanel')}
        </button>
      ) : null}
      <button type="button" onClick={() => void browser.runtime.openOptionsPage().then(() => window.close())}>
        {t('popupOpenSettings')}
      </button>
    </>
  );
}

mountPage(Popup);
