/** One participant's live state in the side panel: what the overlay badge says, and more. */
import { t } from '../../utils/i18n';
import { topExpression } from '../../models/affect/postprocess';
import { AU_NAMES, type FaceResult } from '../../utils/types';
import { Circumplex } from './Circumplex';
import { Gauge } from './Gauge';
import { compoundName, expressionName, percent } from './text';

export interface LiveParticipant {
  key: string;
  tabId: number | undefined;
  participantId: string;
  name: string;
  /** The latest face of this participant, or null when the latest frame of their tile had none. */
  face: FaceResult | null;
  /** Wall-clock ms of the latest frame of their tile. */
  at: number;
  /** Analysed frames per second of their tile over the last few seconds; null until two of its frames are in. */
  fps: number | null;
}

export const STALE_MS = 3000;

const COMPONENT_NAMES = {
  presence: () => t('engagementPresence'),
  frontal: () => t('engagementFrontal'),
  eyes: () => t('engagementEyes'),
  expressivity: () => t('engagementExpressivity'),
  arousal: () => t('engagementArousal'),
} as const;

/**
 * What the card's headline says (the displayed expression name, or why there is none) and the
 * confidence. `affectLoading`: the expression model is still loading (not missing).
 */
export function liveLabel(f: FaceResult | null, affectLoading = false): { label: string; confidence: number | null } {
  if (!f) return { label: t('noFace'), confidence: null };
  if (f.tooSmall) return { label: t('faceTooSmall'), confidence: null };
  const probs = f.live?.probs ?? f.affect?.probs ?? null;
  if (!probs || !f.live?.label) return { label: f.smile ? t('smileLabel') : affectLoading ? t('expressionModelLoading') : t('noExpressionModel'), confidence: null };
  // The same reading as the overlay badge (entrypoints/content: topExpression of the smoothed probabilities).
  const top = topExpression({ probs });
  return { label: expressionName(top.label), confidence: top.probability };
}

export function LiveCard(props: { p: LiveParticipant; now: number; affectLoading?: boolean }) {
  const { p } = props;
  const f = p.face;
  const stale = props.now - p.at > STALE_MS;
  const { label, confidence } = liveLabel(f, props.affectLoading);
  const eng = f?.live?.engagement;
  const active = f ? AU_NAMES.filter((_, i) => f.active[i]) : [];
  const headingId = `card-${p.key.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
  return (
    <article class={`card${stale ? ' stale' : ''}`} aria-labelledby={headingId}>
      <header>
        <h3 id={headingId}>{p.name}</h3>
        <span class="muted">{stale ? t('cardPaused') : p.fps === null ? t('cardFpsPending') : t('cardFps', p.fps.toFixed(1))}</span>
      </header>
      <div class="card-body">
        <div>
          <p class="expression">
            <strong>{label}</strong>
            {confidence !== null && <span> {percent(confidence)}</span>}
          </p>
          {f?.live?.compound && <p class="compound">{compoundName(f.live.compound.label)}</p>}
          <p class="aus" aria-label={t('activeAus')}>
            {active.length ? active.join(' · ') : t('noActiveAu')}
            {f?.live?.smile ? ` · ${t('auSmile')}` : ''}
          </p>
        </div>
        <Circumplex valence={f?.live?.valence ?? null} arousal={f?.live?.arousal ?? null} estimated={f?.affect?.vaSource !== 'model'} label={t('participantVa', p.name)} />
      </div>
      <Gauge label={t('engagementIndex')} value={eng?.index ?? null} />
      {eng && (
        <details>
          <summary>{t('engagementParts')}</summary>
          {(Object.keys(COMPONENT_NAMES) as (keyof typeof COMPONENT_NAMES)[]).map((k) => (
            <Gauge key={k} compact label={COMPONENT_NAMES[k]()} value={eng.components[k]} />
          ))}
          <p class="muted">{t('engagementNotAttention')}</p>
        </details>
      )}
    </article>
  );
}

/** The room: everyone with a face now. */
export function RoomCard(props: { people: readonly LiveParticipant[]; now: number; affectLoading?: boolean }) {
  const here = props.people.filter((p) => p.face && props.now - p.at <= STALE_MS);
  const mean = (xs: (number | null | undefined)[]) => {
    const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  const labels = here.map((p) => liveLabel(p.face, props.affectLoading).label);
  const common = [...new Set(labels)].sort((a, b) => labels.filter((l) => l === b).length - labels.filter((l) => l === a).length)[0];
  return (
    <article class="card room" aria-labelledby="room-heading">
      <header>
        <h3 id="room-heading">{t('room')}</h3>
        <span class="muted">{t('roomWithFace', here.length, props.people.length)}</span>
      </header>
      <div class="card-body">
        <p class="expression">
          <strong>{common ?? '–'}</strong> <span class="muted">{t('mostCommon')}</span>
        </p>
        <Circumplex valence={mean(here.map((p) => p.face?.live?.valence))} arousal={mean(here.map((p) => p.face?.live?.arousal))} label={t('roomVa')} />
      </div>
      <Gauge label={t('meanEngagementIndex')} value={mean(here.map((p) => p.face?.live?.engagement.index))} />
    </article>
  );
}
