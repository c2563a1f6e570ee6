/* global window, HTMLVideoElement, requestAnimationFrame, setTimeout */
// Loaded into a saved site fixture (tests/fixtures/sites/<site>/<file>.html) by tests/e2e/sites.test.ts:
// fills the fixture's tiles with playing face videos, the way the real site would show them.
//   ?fill=<css selector>&src=<video url>  (pairs, in order)
// A selector that finds a <video> plays the file in it. Anything else is a tile frame over a canvas
// (Zoom web): the file plays in a hidden <video> and is painted, every animation frame, into the
// canvas region under the frame — the frame's own canvas, else the canvas its container shares.
// `window.siteTest` lets the test switch the layout and have a participant leave and come back.
const params = new URLSearchParams(location.search);
const fills = params.getAll('fill');
const srcs = params.getAll('src');

const style = document.createElement('style');
style.textContent = `
  body { margin: 0; background: #202124; color: #e8eaed; font: 13px system-ui, sans-serif; }
  video { width: 300px; height: 225px; object-fit: cover; background: #000; }
  .gallery-video-container__wrap, .speaker-bar-container__wrap { position: relative; width: 1280px; height: 720px; }
  .gallery-video-container__canvas, .speaker-bar-container__canvas { position: absolute; left: 0; top: 0; width: 1280px; height: 720px; }
  .gallery-video-container__main-view { position: absolute; inset: 0; }
  .gallery-video-container__video-frame { position: absolute; }
  .video-avatar__avatar-footer { position: absolute; left: 8px; bottom: 8px; }
`;
document.head.append(style);

/** Hidden players for canvas-drawn tiles: on screen (a 2×2 px corner) so the browser keeps playing them. */
const players = document.createElement('div');
players.style.cssText = 'position: fixed; left: 0; top: 0; width: 2px; height: 2px; overflow: hidden; opacity: 0.01; pointer-events: none';
document.body.append(players);

function player(src) {
  const v = document.createElement('video');
  v.muted = true;
  v.loop = true;
  v.playsInline = true;
  v.src = src;
  return v;
}

/** Each filled element, its video, and (canvas tiles) the wall clock ↔ media time of what was painted. */
const filled = fills.map((selector, i) => {
  const el = document.querySelector(selector);
  if (!el) throw new Error(`site-media: nothing matches ${selector}`);
  if (el instanceof HTMLVideoElement) {
    el.muted = true;
    el.loop = true;
    el.playsInline = true;
    el.src = srcs[i];
    void el.play();
    return { el, video: el, painted: [] };
  }
  const video = player(srcs[i]);
  players.append(video);
  void video.play();
  return { el, video, painted: [] };
});

function canvasFor(frame) {
  return frame.querySelector('canvas') ?? frame.parentElement?.parentElement?.querySelector('canvas') ?? null;
}

function paint() {
  for (const f of filled) {
    if (f.el instanceof HTMLVideoElement || !f.el.isConnected) continue;
    const canvas = canvasFor(f.el);
    if (!canvas || f.video.readyState < 2) continue;
    const c = canvas.getBoundingClientRect();
    const r = f.el.getBoundingClientRect();
    const sx = canvas.width / c.width;
    const sy = canvas.height / c.height;
    const [x, y, w, h] = [(r.left - c.left) * sx, (r.top - c.top) * sy, r.width * sx, r.height * sy];
    // object-fit: cover into the frame's region.
    const vw = f.video.videoWidth;
    const vh = f.video.videoHeight;
    const scale = Math.max(w / vw, h / vh);
    const [cw, ch] = [w / scale, h / scale];
    const ctx = canvas.getContext('2d');
    ctx.drawImage(f.video, (vw - cw) / 2, (vh - ch) / 2, cw, ch, x, y, w, h);
    f.painted.push([Date.now(), f.video.currentTime]);
    if (f.painted.length > 4000) f.painted.splice(0, 1000);
  }
  requestAnimationFrame(paint);
}
requestAnimationFrame(paint);

/** The element that is one tile of the layout: the filled element's ancestor that is a child of `container`. */
function tileRoot(el, container) {
  let node = el;
  while (node && node.parentElement !== container) node = node.parentElement;
  return node;
}

const replay = () => filled.forEach((f) => void f.video.play());

window.siteTest = {
  ready: () => filled.every((f) => f.video.readyState >= 2 && !f.video.paused),
  /** Wall clock → media time of what a canvas tile showed (null for video tiles: their media time is logged). */
  painted: (i) => filled[i].painted.slice(),
  /** A layout switch: the tiles of `container` in reverse order (frames over a canvas swap their places). */
  relayout(containerSelector) {
    const container = document.querySelector(containerSelector);
    const frames = filled.filter((f) => !(f.el instanceof HTMLVideoElement));
    if (frames.length) {
      const places = frames.map((f) => f.el.getAttribute('style'));
      frames.forEach((f, i) => f.el.setAttribute('style', places[places.length - 1 - i]));
    } else {
      for (const child of [...container.children].reverse()) container.append(child);
    }
    replay();
  },
  /** Participant `i` leaves (their tile is removed) and rejoins `ms` later (the same tile comes back). */
  leaveAndRejoin(i, containerSelector, ms) {
    const container = document.querySelector(containerSelector);
    const root = tileRoot(filled[i].el, container);
    const next = root.nextSibling;
    root.remove();
    setTimeout(() => {
      container.insertBefore(root, next);
      replay();
    }, ms);
  },
};
