/**
 * A page's cumulative counters from CDP `Performance.getMetrics` by name (`TaskDuration`,
 * `ScriptDuration`, `LayoutDuration` in seconds; `LayoutCount`, `RecalcStyleCount`…), for the
 * difference between two reads. `Performance.enable` must have been sent on the session first.
 * @param {import('playwright-core').CDPSession} cdp a session on the page
 * @returns {Promise<Record<string, number>>}
 */
export async function pageMetrics(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}
