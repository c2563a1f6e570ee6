// Where the meeting page's main thread spends its time: a short Chromium trace of the page's renderer
// main thread, aggregated into self time per event name (ms per wall second).

const CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink', 'cc', 'gpu'];

/**
 * Trace the browser for `seconds` and return the page main thread's self time per event name.
 * @param {import('playwright-core').Browser} browser
 * @param {import('playwright-core').Page} page
 * @param {string} urlPart a part of the page URL that identifies its frame
 * @param {number} seconds
 */
export async function traceMainThread(browser, page, urlPart, seconds) {
  await browser.startTracing(page, { categories: CATEGORIES });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const buffer = await browser.stopTracing();
  const events = JSON.parse(buffer.toString('utf8'));
  return summarise(Array.isArray(events) ? events : events.traceEvents, urlPart, seconds);
}

function summarise(events, urlPart, seconds) {
  // The page's renderer process: from the trace's list of frames.
  let pid = null;
  for (const e of events) {
    const frames = e.name === 'TracingStartedInBrowser' ? e.args?.data?.frames : e.name === 'FrameCommittedInBrowser' ? [e.args?.data] : null;
    for (const f of frames ?? []) if (f?.url?.includes(urlPart) && f.processId) pid = f.processId;
  }
  if (pid === null) return null;
  const mainTid = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid && e.args?.name === 'CrRendererMain')?.tid;
  if (mainTid === undefined) return null;
  const spans = events
    .filter((e) => e.pid === pid && e.tid === mainTid && e.ph === 'X' && Number.isFinite(e.dur))
    .map((e) => ({ name: label(e), ts: e.ts, end: e.ts + e.dur, dur: e.dur, child: 0 }))
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  // Self time: a span's duration minus its direct children's.
  // Busy: the sum of top-level spans (no enclosing span).
  const stack = [];
  let busy = 0;
  for (const s of spans) {
    while (stack.length && stack[stack.length - 1].end <= s.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent && s.end <= parent.end) parent.child += s.dur;
    else if (!parent) busy += s.dur;
    stack.push(s);
  }
  const byName = new Map();
  for (const s of spans) byName.set(s.name, (byName.get(s.name) ?? 0) + Math.max(0, s.dur - s.child));
  const perS = (us) => Math.round((us / 1000 / seconds) * 10) / 10;
  const top = [...byName.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([name, us]) => ({ name, selfMsPerS: perS(us) }));
  const extension = [...byName.entries()].filter(([n]) => n.includes('chrome-extension://')).reduce((a, [, us]) => a + us, 0);
  return { seconds, busyMsPerS: perS(busy), extensionScriptSelfMsPerS: perS(extension), top };
}

/** Event name, with the script's origin for script events (content script vs page). */
function label(e) {
  const url = e.args?.data?.url ?? e.args?.data?.scriptName ?? e.args?.data?.stackTrace?.[0]?.url;
  if (url && /^(FunctionCall|EvaluateScript|v8\.compile|TimerFire|EventDispatch|FireAnimationFrame|v8\.callFunction|V8\.Execute)$/.test(e.name)) {
    const origin = url.startsWith('chrome-extension://') ? 'chrome-extension://' : url.split('/').slice(0, 3).join('/');
    return `${e.name} ${origin}`;
  }
  return e.name;
}
