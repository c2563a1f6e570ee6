/**
 * The one typed protocol between AffectLens contexts.
 *
 * Every message is an envelope `{ target, type, payload }`. Names say the direction:
 * `cs` content script, `bg` background service worker, `off` offscreen document (the inference
 * host), `ui` popup / side panel. `runtime.sendMessage` is delivered to *every* extension page
 * (background, offscreen, popup, side panel), so each context answers only envelopes addressed to
 * it (`target`) and ignores the rest — otherwise replies race.
 */
import type { AffectBackendId } from '../models/affect/types';
import type { FrameResult, EngineStatus, TabState } from './types';
import type { PageSettings, SmoothingSettings } from './settings';
import type { ScreenRegion } from './tab-capture';
import type { NormRegion } from './raw-frame';

export type Target = 'background' | 'offscreen' | 'content' | 'ui';

export interface Protocol {
  /** Content script → offscreen: analyse one tile's frame. Reply: faces, or why not. */
  'cs-off-frame': { target: 'offscreen'; req: FrameRequest; res: FrameReply };
  /** Content script → background: make sure the inference host exists; returns this tab's state. */
  'cs-bg-hello': { target: 'background'; req: Record<string, never>; res: HelloReply };
  /** Popup → background: read a tab's state. */
  'ui-bg-get-tab': { target: 'background'; req: { tabId: number }; res: TabState };
  /** Popup → background: change a tab's state (analysis / overlay on or off). */
  'ui-bg-set-tab': { target: 'background'; req: { tabId: number; patch: Partial<TabState> }; res: TabState };
  /** Background → content script (tabs.sendMessage): the tab's state changed. */
  'bg-cs-state': { target: 'content'; req: TabState; res: void };
  /** Background → content scripts (tabs.sendMessage): the settings the page uses changed (it does not watch storage: utils/settings.ts PageSettings). */
  'bg-cs-settings': { target: 'content'; req: PageSettings; res: void };
  /** Popup → content script: is AffectLens running in this tab? */
  'ui-cs-ping': { target: 'content'; req: Record<string, never>; res: {
      tiles: number;
      site: { id: string; label: string; status: string | null };
      unchangedFrames?: number;
      /** What the page has sent the host since it started (frames with a picture, "unchanged" frames, holds and releases) and what the host pushed to it. */
      messages?: PageMessages;
      /** Canvas tiles whose pixels cannot be read (tab capture would read them). */
      unreadableCanvases?: number;
      /** Per-tile state the content script holds right now. */
      held?: { tiles: number; timers: number; overlayTiles: number; grabbers: number };
    };
  };
  /** Popup → background: start (a stream id from `tabCapture.getMediaStreamId`, on the user's click) or stop (null) capturing a tab. */
  'ui-bg-capture': { target: 'background'; req: { tabId: number; streamId: string | null }; res: { ok: boolean; message?: string } };
  /** Background → offscreen: the same, to the document that holds the capture. */
  'bg-off-capture': { target: 'offscreen'; req: { tabId: number; streamId: string | null }; res: { ok: boolean; message?: string } };
  /** Popup → background: run on this site from now on (after the user granted the host permission). */
  'ui-bg-enable-site': { target: 'background'; req: { tabId: number; origin: string }; res: { ok: boolean; message?: string } };
  /**
   * Inference host → background (and side panel, listening in): the results of the last half
   * second. The background answers once they are stored; until then the host keeps them (a killed
   * service worker loses nothing: the next send wakes a new one and carries them again).
   */
  'off-bg-results': { target: 'background'; req: FrameResult[]; res: { stored: number } };
  /** Anyone → offscreen: current engine status (loading, ready, model missing, error). */
  'any-off-status': { target: 'offscreen'; req: Record<string, never>; res: EngineStatus };
  /** Inference host → background: the user's affect-backend choice (offscreen documents have no storage API). */
  'off-bg-get-backend': { target: 'background'; req: Record<string, never>; res: AffectBackendId | 'auto' };
  /** Inference host → background: the user's smoothing windows (the offscreen document has no storage API). */
  'off-bg-get-smoothing': { target: 'background'; req: Record<string, never>; res: SmoothingSettings };
  /** Background → inference host: the user changed the smoothing windows. */
  'bg-off-smoothing': { target: 'offscreen'; req: SmoothingSettings; res: void };
  /** Background → inference host: the user chose another affect backend. */
  'bg-off-backend': { target: 'offscreen'; req: { choice: AffectBackendId | 'auto' }; res: void };
  /** Offscreen → background / UI: the engine status changed. */
  'off-bg-status': { target: 'background'; req: EngineStatus; res: void };
}

export type MessageType = keyof Protocol;
export type Req<K extends MessageType> = Protocol[K]['req'];
export type Res<K extends MessageType> = Protocol[K]['res'];

export interface Envelope<K extends MessageType = MessageType> {
  target: Protocol[K]['target'];
  type: K;
  payload: Req<K>;
}

/** One frame of one tile, captured by the content script. */
export interface FrameRequest {
  /** Stable id of the tile within its tab (content-script scope). */
  tileId: string;
  /** Display name for the tile, as far as the page tells us. */
  name: string;
  /** JPEG data URL of the frame, already scaled down to at most `maxSide` px. */
  image: string;
  /** Size of the encoded image in px. */
  width: number;
  height: number;
  /** The video's `currentTime` (s) at capture: media time, for aligning with the video's content. */
  mediaTime: number;
  /** `Date.now()` at capture (ms, wall clock) for latency. */
  capturedAt: number;
  /** Main-thread ms the meeting page spent on this frame (its synchronous capture work). */
  pageMs: number;
  /**
   * Main-thread ms the page's last draw of the overlay took before this frame was sent (the content
   * script's own work: the layout reads, which may force a layout, and the writes); absent before
   * the first draw. Reported by the bench as the overlay's render time.
   */
  drawMs?: number;
  /**
   * Which transport carried the frame (see utils/transport.ts): `channel` the relay's direct channel
   * to the host (no encode), `relay` the relay's JPEG, `direct` the content script's own JPEG,
   * `capture` cut from the tab capture.
   */
  via: 'channel' | 'relay' | 'direct' | 'capture';
  /**
   * Tab capture: no image is sent; the host cuts this on-screen rectangle of the tile out of the
   * tab's captured frame (utils/tab-capture.ts).
   */
  region?: ScreenRegion;
  /**
   * The picture shows only this part of the tile's frame (normalised), the part around its faces
   * (utils/raw-frame.ts `cropRect`): the host places what it finds back in the whole frame.
   */
  part?: NormRegion;
  /**
   * The picture has not changed since this tile's last analysed frame (utils/scheduler.ts): no
   * image is sent (`image` empty); the host repeats that frame's faces at the new time, so the
   * smoothing windows and the session keep their samples at a fraction of the cost.
   */
  unchanged?: boolean;
  /**
   * A picture of a still tile, taken because it was due (utils/scheduler.ts `pictureReason`), not
   * because it changed: the host's repeats will say it again and again, so it is read in full (the
   * landmarker: its own action units), not light (utils/engine.ts LIGHT_PER_LANDMARKED).
   */
  still?: boolean;
  /** An unchanged frame the host made itself, repeating a still tile it holds (utils/hold.ts): the page sent nothing. */
  held?: boolean;
}

/** Messages between a page's content script and the inference host, counted by the page (utils/hold.ts). */
export interface PageMessages {
  pictures: number;
  /** The bytes of the copied frames among those pictures (parts or whole frames; utils/raw-frame.ts). */
  pictureBytes: number;
  unchanged: number;
  holds: number;
  releases: number;
  pushes: number;
}

export type FrameReply =
  | { ok: true; result: FrameResult }
  | { ok: false; reason: 'dropped' | 'engine-not-ready' | 'need-picture' | 'need-whole' | 'no-capture'; status: EngineStatus }
  | { ok: false; reason: 'error'; message: string; status: EngineStatus };

export interface HelloReply {
  tabId: number;
  /** The browser can capture tabs (Chrome): a canvas the page will not give can be read that way. */
  canCapture: boolean;
  state: TabState;
  engine: EngineStatus;
}

export function envelope<K extends MessageType>(type: K, target: Protocol[K]['target'], payload: Req<K>): Envelope<K> {
  return { target, type, payload };
}

/** Narrow an unknown runtime message to an envelope for `target`, or null. */
export function asEnvelope(msg: unknown, target: Target): Envelope | null {
  if (typeof msg !== 'object' || msg === null) return null;
  const m = msg as Partial<Envelope>;
  if (m.target !== target || typeof m.type !== 'string') return null;
  return m as Envelope;
}

export type Handlers<T extends Target> = {
  [K in MessageType as Protocol[K]['target'] extends T ? K : never]?: (
    payload: Req<K>,
    sender: { tabId?: number; url?: string },
  ) => Res<K> | Promise<Res<K>>;
};
