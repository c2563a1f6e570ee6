// Where the meeting page's JavaScript isolate spends its time, by function: a CDP CPU profile of
// the page's renderer main thread (the page's scripts and the content script share it), self time
// per function (ms per wall second). The trace (bench-trace.mjs) names the browser's own work;
// this names the functions, and what V8 leaves unattributed: "(program)" is native work outside
// any script (message receipt, style, layout, paint), "(garbage collector)" its collections.

/**
 * Profile the page for `seconds`.
 * @param {import('playwright-core').CDPSession} cdp the page's session
 * @param {number} seconds
 */
export async function profileMainThread(cdp, seconds) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 250 }); // µs
  await cdp.send('Profiler.start');
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.send('Profiler.disable');
  return summariseProfile(profile);
}

/** Self time per function of a CDP Profiler.Profile, top first. */
export function summariseProfile(profile, top = 20) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n);
  const selfUs = new Map();
  // Each sample's time is the gap to the next one.
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length - 1; i++) selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + timeDeltas[i + 1]);
  const wallS = (profile.endTime - profile.startTime) / 1e6;
  const byName = new Map();
  let extension = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const f = nodes.get(id)?.callFrame;
    if (!f) continue;
    if (f.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const fromExtension = f.url.startsWith('chrome-extension://');
    if (fromExtension) extension += us;
    const where = f.url ? ` ${fromExtension ? 'extension' : f.url.split('/').slice(0, 3).join('/')}:${f.lineNumber + 1}` : '';
    // A built-in (postMessage, copyTo, …) is named with the script function that called it.
    const caller = !f.url && f.functionName && !f.functionName.startsWith('(') ? parentOf.get(id)?.callFrame : undefined;
    const from = caller?.url ? ` ← ${caller.functionName || '(anonymous)'}` : '';
    const name = `${f.functionName || '(anonymous)'}${where}${from}`;
    byName.set(name, (byName.get(name) ?? 0) + us);
  }
  const perS = (us) => Math.round((us / 1000 / wallS) * 10) / 10;
  return {
    seconds: Math.round(wallS * 10) / 10,
    busyMsPerS: perS(wallS * 1e6 - idle),
    extensionMsPerS: perS(extension),
    top: [...byName.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMsPerS: perS(us) })),
  };
}
