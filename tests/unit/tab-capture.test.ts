import { describe, expect, it } from 'vitest';
import { regionInStream } from '../../utils/tab-capture';

describe('regionInStream: a tile’s on-screen rectangle in the captured tab picture', () => {
  it('scales with the stream when the aspect is the same', () => {
    expect(regionInStream({ x: 640, y: 400, w: 320, h: 200, viewW: 1280, viewH: 800 }, 1920, 1200)).toEqual({ x: 960, y: 600, w: 480, h: 300 });
  });

  it('accounts for the letterbox when the stream has another aspect (measured: a 1280×720 viewport in an 800×600 stream)', () => {
    // scale 0.625, bars of 75 px above and below
    const r = regionInStream({ x: 0, y: 0, w: 1280, h: 720, viewW: 1280, viewH: 720 }, 800, 600)!;
    expect(r).toEqual({ x: 0, y: 75, w: 800, h: 450 });
    const tile = regionInStream({ x: 640, y: 360, w: 640, h: 360, viewW: 1280, viewH: 720 }, 800, 600)!;
    expect(tile).toEqual({ x: 400, y: 300, w: 400, h: 225 });
  });

  it('clips to the picture, and says null for a rectangle off it or a stream without frames', () => {
    expect(regionInStream({ x: -100, y: 0, w: 200, h: 100, viewW: 1000, viewH: 500 }, 1000, 500)).toEqual({ x: 0, y: 0, w: 100, h: 100 });
    expect(regionInStream({ x: 1200, y: 0, w: 100, h: 100, viewW: 1000, viewH: 500 }, 1000, 500)).toBeNull();
    expect(regionInStream({ x: 0, y: 0, w: 100, h: 100, viewW: 1000, viewH: 500 }, 0, 0)).toBeNull();
  });
});
