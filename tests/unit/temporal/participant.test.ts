import { describe, expect, it } from 'vitest';
import { LIVE_WINDOWS, ParticipantTemporal } from '../../../models/temporal/participant';
import { AU_NAMES } from '../../../utils/types';

const AU12 = AU_NAMES.indexOf('AU12');
const aus = (au12: number) => AU_NAMES.map((_, i) => (i === AU12 ? au12 : 0.05));
// AffectNet order: Anger, Contempt, Disgust, Fear, Happiness, Neutral, Sadness, Surprise
const NEUTRAL = [0, 0, 0, 0, 0.05, 0.95, 0, 0];
const HAPPY = [0, 0, 0, 0, 0.95, 0.05, 0, 0];

describe('a participant’s live state', () => {
  it('keeps the past half of the paper’s centred window on 30 fps video: 1.67 s expressions, 0.33 s V/A', () => {
    expect(LIVE_WINDOWS.expressionWindowMs).toBeCloseTo((50 / 30) * 1000, 6);
    expect(LIVE_WINDOWS.vaWindowMs).toBeCloseTo((10 / 30) * 1000, 6);
  });

  it('reads a smile against the person’s own resting face once the baseline formed', () => {
    const p = new ParticipantTemporal();
    let t = 0;
    let last = p.push({ t, face: true, aus: aus(0.5), probs: HAPPY }, true);
    // Before the baseline forms, the absolute threshold decides, with the expression model: 0.5 on
    // a face read as Happiness is a smile, on one read as Neutral not.
    expect(last.baselineFormed).toBe(false);
    expect(last.smile).toBe(true);
    last = p.push({ t: (t += 200), face: true, aus: aus(0.5), probs: NEUTRAL }, true);
    expect(last.smile).toBe(false);
    for (; t < 10_000; t += 200) last = p.push({ t, face: true, aus: aus(0.5 + ((t / 200) % 3) * 0.005), probs: NEUTRAL }, true);
    expect(last.baselineFormed).toBe(true);
    expect(last.smile).toBe(false); // this person's neutral face
    last = p.push({ t: (t += 200), face: true, aus: aus(0.9), probs: HAPPY }, true);
    expect(last.smile).toBe(true); // a real smile for them
  });

  it('reads a smile when AU12 and the expression model agree, even where the baseline has taken the smile for rest', () => {
    // Someone who smiles for most of the baseline's window: their median AU12 is their smile.
    const p = new ParticipantTemporal();
    let t = 0;
    let last = p.push({ t, face: true, aus: aus(0.6), probs: HAPPY }, true);
    for (; t < 10_000; t += 200) last = p.push({ t, face: true, aus: aus((t / 200) % 3 === 0 ? 0.1 : 0.6 + ((t / 200) % 2) * 0.01), probs: (t / 200) % 3 === 0 ? NEUTRAL : HAPPY }, (t / 200) % 3 !== 0);
    expect(last.baselineFormed).toBe(true);
    // Their smile, at their resting level: above the absolute threshold and read as Happiness.
    last = p.push({ t: (t += 200), face: true, aus: aus(0.6), probs: HAPPY }, true);
    expect(last.smile).toBe(true);
    // The same AU12 on a face the expression model reads otherwise (a grimace): not a smile.
    last = p.push({ t: (t += 200), face: true, aus: aus(0.6), probs: [0, 0, 0, 0, 0.05, 0.05, 0.9, 0] }, true);
    expect(last.smile).toBe(false);
    // Without an expression reading (no affect model), the baseline alone decides: at rest, no smile.
    last = p.push({ t: (t += 200), face: true, aus: aus(0.6) }, true);
    expect(last.smile).toBe(false);
  });

  it('reads a smile from AU12 alone before the baseline forms when there is no expression reading', () => {
    const p = new ParticipantTemporal();
    expect(p.push({ t: 0, face: true, aus: aus(0.5) }, true).smile).toBe(true);
    expect(p.push({ t: 200, face: true, aus: aus(0.2) }, false).smile).toBe(false);
  });

  it('smooths the label: one odd frame does not flip it, a sustained change does after the lag', () => {
    const p = new ParticipantTemporal();
    let t = 0;
    for (; t < 5000; t += 125) p.push({ t, face: true, aus: aus(0.1), probs: NEUTRAL, valence: 0, arousal: 0 }, false);
    expect(p.push({ t: (t += 125), face: true, aus: aus(0.1), probs: HAPPY }, false).smoothed.label).toBe('Neutral');
    let flippedAt = -1;
    for (const start = t; t < start + 5000; t += 125) {
      const r = p.push({ t, face: true, aus: aus(0.8), probs: HAPPY }, true);
      if (flippedAt < 0 && r.smoothed.label === 'Happiness') flippedAt = t - start;
    }
    expect(flippedAt).toBeGreaterThan(0);
    // A box window flips a clean step after half its length: within 1 s.
    expect(flippedAt).toBeLessThanOrEqual(LIVE_WINDOWS.expressionWindowMs / 2 + 125);
    expect(flippedAt).toBeLessThan(1000);
  });

  it('shows a compound only when it is pronounced, and counts absence against engagement', () => {
    const p = new ParticipantTemporal();
    const surprisedHappy = [0, 0, 0, 0, 0.5, 0, 0, 0.5];
    let r = p.push({ t: 0, face: true, aus: aus(0.6), probs: surprisedHappy }, true);
    expect(r.compound?.label).toBe('Happily Surprised');
    r = new ParticipantTemporal().push({ t: 0, face: true, aus: aus(0.1), probs: NEUTRAL }, false);
    expect(r.compound).toBeNull();
    const q = new ParticipantTemporal();
    let present = 0;
    for (let t = 0; t < 4000; t += 200) present = q.push({ t, face: true, aus: aus(0.1), probs: NEUTRAL, arousal: 0 }, false).engagement.components.presence ?? -1;
    let absent = present;
    for (let t = 4000; t < 8000; t += 200) absent = q.push({ t, face: false }, false).engagement.components.presence ?? -1;
    expect(present).toBe(1);
    expect(absent).toBeLessThan(present);
  });
});

describe('user-adjustable windows', () => {
  it('follows the user’s windows: 0 means every frame as analysed, and a change applies at once', () => {
    const off = new ParticipantTemporal({ expressionWindowMs: 0, vaWindowMs: 0 });
    off.push({ t: 0, face: true, aus: aus(0.1), probs: NEUTRAL, valence: 0, arousal: 0 }, false);
    expect(off.push({ t: 125, face: true, aus: aus(0.8), probs: HAPPY, valence: 0.8, arousal: 0.2 }, true).smoothed.label).toBe('Happiness');
    const p = new ParticipantTemporal({ expressionWindowMs: 5000, vaWindowMs: 5000 });
    let t = 0;
    for (; t < 3000; t += 125) p.push({ t, face: true, aus: aus(0.1), probs: NEUTRAL }, false);
    for (const stop = t + 1000; t < stop; t += 125) p.push({ t, face: true, aus: aus(0.8), probs: HAPPY }, true);
    expect(p.push({ t, face: true, aus: aus(0.8), probs: HAPPY }, true).smoothed.label).toBe('Neutral'); // 1 s of 4 s
    p.setWindows({ expressionWindowMs: 500, vaWindowMs: 500 });
    expect(p.push({ t: t + 125, face: true, aus: aus(0.8), probs: HAPPY }, true).smoothed.label).toBe('Happiness');
  });
});
