/**
 * How the panel writes its values: expression and compound names through the messages (the class
 * names stay the data identifiers in storage, export and code), and the number formats the panel
 * has always used (percent as an integer, V/A with two decimals, durations in s or min s).
 */
import type { AffectClass } from '../../models/affect/types';
import type { CompoundClass } from '../../models/temporal/compound';
import { t } from '../../utils/i18n';
import type { StorageNotice } from '../../utils/session-store';

const EXPRESSIONS: Record<AffectClass, () => string> = {
  Anger: () => t('exprAnger'),
  Contempt: () => t('exprContempt'),
  Disgust: () => t('exprDisgust'),
  Fear: () => t('exprFear'),
  Happiness: () => t('exprHappiness'),
  Neutral: () => t('exprNeutral'),
  Sadness: () => t('exprSadness'),
  Surprise: () => t('exprSurprise'),
};

const COMPOUNDS: Record<CompoundClass, () => string> = {
  'Fearfully Surprised': () => t('compoundFearfullySurprised'),
  'Happily Surprised': () => t('compoundHappilySurprised'),
  'Sadly Surprised': () => t('compoundSadlySurprised'),
  'Disgustedly Surprised': () => t('compoundDisgustedlySurprised'),
  'Angrily Surprised': () => t('compoundAngrilySurprised'),
  'Sadly Fearful': () => t('compoundSadlyFearful'),
  'Sadly Angry': () => t('compoundSadlyAngry'),
};

/** The displayed name of an expression class (an unknown label is shown as it is). */
export function expressionName(label: string): string {
  return Object.hasOwn(EXPRESSIONS, label) ? EXPRESSIONS[label as AffectClass]() : label;
}

/** The displayed name of a compound expression (an unknown label is shown as it is). */
export function compoundName(label: string): string {
  return Object.hasOwn(COMPOUNDS, label) ? COMPOUNDS[label as CompoundClass]() : label;
}

/** 0..1 as an integer percentage, e.g. "42%". */
export function percent(fraction: number): string {
  return t('percentValue', Math.round(fraction * 100));
}

/** A duration in seconds: "42 s", or "12 min 5 s" from a minute on. */
export function duration(s: number): string {
  const whole = Math.round(s); // rounded first: 119.6 s is "2 min 0 s", not "1 min 60 s"
  return whole >= 60 ? t('durationMinutes', Math.floor(whole / 60), whole % 60) : t('durationSeconds', whole);
}

/** Mean with its range, "0.21 (-0.30 to 0.70)", or "–" without values. */
export function rangeText(r: { mean: number; min: number; max: number } | null): string {
  return r ? t('rangeValue', r.mean.toFixed(2), r.min.toFixed(2), r.max.toFixed(2)) : '–';
}

/** What storage did to make room (a session's notice), in words; older builds stored plain text. */
export function noticeText(notice: StorageNotice | string | null): string | null {
  if (!notice) return null;
  if (typeof notice === 'string') return notice;
  return notice.kind === 'deleted-sessions' ? t('noticeDeletedSessions', notice.count) : t('noticeDownsampled', notice.stepMs / 1000);
}
