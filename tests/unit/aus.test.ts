import { describe, expect, it } from 'vitest';
import { ausFromBlendshapes, AU_THRESHOLDS, isSmile, strongestAus } from '../../models/aus';
import { AU_NAMES } from '../../utils/types';

const at = (name: string) => AU_NAMES.indexOf(name as (typeof AU_NAMES)[number]);

describe('action units from blendshapes', () => {
  it('averages left/right pairs into the AU of ABAW order', () => {
    const r = ausFromBlendshapes({ mouthSmileLeft: 0.8, mouthSmileRight: 0.6, browInnerUp: 0.3, jawOpen: 0.5 });
    expect(r.intensity).toHaveLength(12);
    expect(r.intensity[at('AU12')]).toBeCloseTo(0.7);
    expect(r.intensity[at('AU1')]).toBeCloseTo(0.3);
    expect(r.intensity[at('AU26')]).toBeCloseTo(0.5);
    // Lips part as soon as the jaw opens a little.
    expect(r.intensity[at('AU25')]).toBeCloseTo(1);
  });

  it('reads AU6 from the eye squint when the cheek squint stays flat', () => {
    const r = ausFromBlendshapes({ cheekSquintLeft: 0.01, cheekSquintRight: 0.0, eyeSquintLeft: 0.6, eyeSquintRight: 0.5 });
    expect(r.intensity[at('AU6')]).toBeCloseTo(0.55);
  });

  it('decides presence with each AU’s own threshold', () => {
    const justBelow = AU_THRESHOLDS.AU12 - 0.01;
    const below = ausFromBlendshapes({ mouthSmileLeft: justBelow, mouthSmileRight: justBelow });
    const above = ausFromBlendshapes({ mouthSmileLeft: AU_THRESHOLDS.AU12, mouthSmileRight: AU_THRESHOLDS.AU12 });
    expect(isSmile(below)).toBe(false);
    expect(isSmile(above)).toBe(true);
  });

  it('clamps garbage to 0..1 and treats missing blendshapes as 0', () => {
    const r = ausFromBlendshapes({ browDownLeft: Number.NaN, browDownRight: 3, jawOpen: -1 });
    for (const v of r.intensity) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(ausFromBlendshapes({}).active.every((a) => !a)).toBe(true);
  });

  it('lists the strongest present AUs first', () => {
    const r = ausFromBlendshapes({ mouthSmileLeft: 0.9, mouthSmileRight: 0.9, jawOpen: 0.5, browInnerUp: 0.1 });
    expect(strongestAus(r, 2).map((a) => a.au)).toEqual(['AU25', 'AU12']);
  });
});
