/**
 * What a face's badge says (components/overlay.ts draws it), in one pure module: the content script
 * lays out its badges with it, and the inference host uses `badgeKey` to tell whether a repeated
 * analysis of a still picture would change what the page shows (utils/hold.ts), writing to the
 * page only then.
 */
import { strongestAus } from '../models/aus';
import { topExpression } from '../models/affect/postprocess';
import type { FaceResult } from '../utils/types';
import type { OverlayContents } from '../utils/settings';
import type { FaceView } from './overlay';

/**
 * Where the valence/arousal dot sits on the badge's circumplex, in whole percent of the disc
 * (valence left→right, arousal bottom→top): a value settling by hundredths does not redraw the page
 * every frame.
 */
export function vaDot(va: { valence: number; arousal: number }): { left: number; top: number } {
  return { left: Math.round(50 + 40 * clamp1(va.valence)), top: Math.round(50 - 40 * clamp1(va.arousal)) };
}

const clamp1 = (v: number) => Math.max(-1, Math.min(1, v));

/**
 * What the badge says about one face: the smoothed top expression (the raw frame's when no window
 * yet), smile (relative to the person's own resting face once known) and the strongest AUs, the
 * engagement index and a pronounced compound expression, and V/A on a small circumplex.
 */
export function describeFace(f: FaceResult, show: OverlayContents): Omit<FaceView, 'rect'> {
  const aus = strongestAus({ intensity: f.aus, active: f.active }, 3).map((a) => `${a.au} ${a.value.toFixed(2)}`);
  const live = f.live;
  const smile = live?.smile ?? f.smile;
  const extra = live
    ? [show.engagement && live.engagement.index !== null ? `Engagement ${Math.round(live.engagement.index * 100)}%` : null, show.compound ? (live.compound?.label ?? null) : null].filter(Boolean).join(' · ')
    : '';
  // The lines the user chose (options page), top to bottom: expression, smile and AUs, engagement and compound.
  const lay = (title: string | null, detail: string | null, tone: FaceView['tone'], va?: FaceView['va']): Omit<FaceView, 'rect'> => {
    const lines = [title, detail, extra].filter((l): l is string => !!l);
    return { title: lines[0] ?? '', detail: lines[1] ?? '', ...(lines[2] ? { extra: lines[2] } : {}), tone, ...(va && show.valenceArousal ? { va } : {}) };
  };
  const auLine = show.aus ? [smile ? 'Smile' : 'No smile', ...aus].join(' · ') : null;
  if (f.tooSmall) {
    // Said on the badge rather than guessed: below this size the expression model is near chance.
    return lay('Face too small for expressions', [`${f.tooSmall.sizePx} px, needs ${f.tooSmall.minPx}`, ...(show.aus ? aus : [])].join(' · '), 'neutral');
  }
  if (!f.affect) return lay(show.expression ? (smile ? 'Smile' : 'No smile') : null, show.aus ? aus.join(' · ') || 'no active AU' : null, smile ? 'positive' : 'neutral');
  const probs = live?.probs ?? f.affect.probs;
  const { label, probability } = topExpression({ probs });
  const v = live?.valence ?? f.affect.valence;
  const a = live?.arousal ?? f.affect.arousal;
  return lay(show.expression ? `${label} ${Math.round(probability * 100)}%` : null, auLine, v > 0.2 ? 'positive' : v < -0.2 ? 'negative' : 'neutral', { valence: v, arousal: a, estimated: f.affect.vaSource !== 'model' });
}

/**
 * What the overlay would draw for these faces, as one string: two results with the same key look
 * the same on the page (the same text, tone, circumplex dot and face box), so the second need not
 * be sent to it.
 */
export function badgeKey(faces: readonly FaceResult[], show: OverlayContents): string {
  return JSON.stringify(
    faces.map((f) => {
      const { va, ...text } = describeFace(f, show);
      return [f.boxNorm.x, f.boxNorm.y, f.boxNorm.w, f.boxNorm.h, text, va ? [vaDot(va), va.estimated] : null];
    }),
  );
}
