// First-run page (opened once by the background on install; linked from the options page): what is
// analysed, that nothing leaves the device, the ethics of analysing others, what the engagement
// index is not. "I understand" records the acknowledgement and goes on to the settings.
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { t } from '@/utils/i18n';
import { mountPage } from '@/components/mount';
import { firstRunItem } from '@/utils/settings';
import '../options/style.css';

const OPTIONS_URL = browser.runtime.getURL('/options.html');

function Welcome() {
  const [acknowledged, setAcknowledged] = useState<boolean>();
  const [error, setError] = useState('');
  useEffect(() => void firstRunItem.getValue().then(setAcknowledged), []);
  const understand = () => {
    firstRunItem.setValue(true).then(
      () => location.assign(OPTIONS_URL),
      (err: unknown) => setError(t('notSaved', err instanceof Error ? err.message : String(err))),
    );
  };
  return (
    <>
      <header>
        <h1>{t('welcomeTitle')}</h1>
        <p class="intro">{t('welcomeIntro')}</p>
      </header>

      <section aria-labelledby="what-title">
        <h2 id="what-title">{t('welcomeWhatTitle')}</h2>
        <p>{t('welcomeWhatIntro')}</p>
        <ul>
          <li>{t('welcomeWhatExpression')}</li>
          <li>{t('welcomeWhatValenceArousal')}</li>
          <li>{t('welcomeWhatAus')}</li>
          <li>{t('welcomeWhatEngagement')}</li>
        </ul>
        <p>{t('welcomeWhatEstimates')}</p>
      </section>

      <section aria-labelledby="device-title">
        <h2 id="device-title">{t('welcomeDeviceTitle')}</h2>
        <p>{t('welcomeDeviceBody')}</p>
        <p>{t('welcomeDeviceStorage')}</p>
      </section>

      <section aria-labelledby="others-title">
        <h2 id="others-title">{t('welcomeOthersTitle')}</h2>
        <p>{t('welcomeOthersTell')}</p>
        <p>{t('welcomeOthersLaw')}</p>
        <p>{t('welcomeOthersSelfOnly')}</p>
      </section>

      <section aria-labelledby="engagement-title">
        <h2 id="engagement-title">{t('welcomeEngagementTitle')}</h2>
        <p>{t('welcomeEngagementBody')}</p>
      </section>

      <div class="acknowledge">
        <button type="button" class="primary" onClick={understand}>
          {t('welcomeUnderstand')}
        </button>
        <p class="help">{acknowledged ? t('welcomeAlreadyAcknowledged') : t('welcomeUnderstandHelp')}</p>
        <p>
          <a href={OPTIONS_URL}>{t('welcomeOpenSettings')}</a>
        </p>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
    </>
  );
}

mountPage(Welcome, () => t('welcomeTitle'));
