// Markdown report of a scripts/bench.mjs result.

const f = (v, unit = '') => (v === null || v === undefined ? '–' : `${v}${unit}`);
const pair = (a, b) => `${f(a)} / ${f(b)}`;

export function toMarkdown(r) {
  const lines = [];
  lines.push(`# AffectLens benchmark — ${r.date}`);
  lines.push('');
  lines.push(
    `Chromium ${f(r.browser.version)} headless · ${r.machine.cpus} CPUs (${r.machine.cpuModel ?? '?'}) · ${r.machine.memoryGB} GB · Node ${r.machine.node} · ` +
      `backend ${f(r.options.backend)}, frame budget ${r.options.frameBudget ? `${r.options.frameBudget.fpsPerTile} frames/s per tile, ${r.options.frameBudget.cpuPercent} % CPU` : 'default'} (affect backends seen: ${[...new Set(r.runs.flatMap((run) => run.affectlens.affectBackends ?? []))].join(', ') || 'none'}) · face-api.js on tfjs ${f(r.faceapi?.backend ?? r.options.faceapiBackend)} (input ${r.options.faceapiInputSize}) · ` +
      (r.options.soakMinutes ? `soak ${r.options.soakMinutes} min` : `${r.options.seconds} s per tile count after ${r.options.warmupSeconds} s warm-up`) +
      ` · load average ${(r.machine.loadAvgAtStart ?? []).join(' ')} at start, ${(r.machine.loadAvgAtEnd ?? []).join(' ')} at end`,
  );
  lines.push('');
  lines.push('## Throughput and latency, AffectLens vs face-api.js (same tiles, same browser)');
  lines.push('');
  lines.push('| tiles | AffectLens frames/s (from a picture) | per tile min / mean | latency p50 / p95 ms (from a picture) | face found | face-api.js frames/s | per tile min / mean | latency p50 / p95 ms | face found | ratio fps | ratio latency p50 / p95 |');
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const run of r.runs) {
    const a = run.affectlens;
    const b = run.faceapi;
    lines.push(
      `| ${run.tiles} | ${f(a.fps)} (${f(a.fpsFromPicture)}) | ${pair(a.fpsPerTile.min, a.fpsPerTile.mean)} | ${pair(a.latency.p50, a.latency.p95)}${a.latencyFromPicture ? ` (${pair(a.latencyFromPicture.p50, a.latencyFromPicture.p95)})` : ''} | ${pct(a.facesFoundShare)} | ` +
        (b
          ? `${f(b.fps)} | ${pair(b.fpsPerTile.min, b.fpsPerTile.mean)} | ${pair(b.latency.p50, b.latency.p95)} | ${pct(b.facesFoundShare)} | `
          : `${run.faceapiError ? 'failed' : '–'} | – | – | – | `) +
        `${f(run.ratio)} | ${run.latencyRatio ? pair(run.latencyRatio.p50, run.latencyRatio.p95) : '–'} |`,
    );
  }
  lines.push('');
  lines.push('## AffectLens: ms per stage (p50, p95 in brackets)');
  lines.push('');
  lines.push('| tiles | grab | transfer | queue | decode | detection (light pictures) | landmarks | affect model | smoothing | engine per picture | overlay render | engine busy (share of 2 s) |');
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const run of r.runs) {
    const s = run.affectlens.stages;
    const c = (k) => (s[k] ? `${f(s[k].p50)} (${f(s[k].p95)})` : k === 'detection' ? 'none (in landmarks)' : 'not measured');
    lines.push(`| ${run.tiles} | ${c('grab')} | ${c('transfer')} | ${c('queue')} | ${c('decode')} | ${c('detection')} | ${c('landmarks')} | ${c('affectModel')} | ${c('smoothing')} | ${c('picture')} | ${c('overlayRender')} | ${run.affectlens.engineLoad?.p50 != null ? `${f(run.affectlens.engineLoad.p50)} (${f(run.affectlens.engineLoad.p95)})` : '–'} |`);
  }
  lines.push('');
  lines.push('## AffectLens: cost on the page and the machine');
  lines.push('');
  lines.push('| tiles | grab ms/s (pageMs) | page main thread ms/s with / without AffectLens | content script ms/s (% of wall; from CPU time) | CPU % of a core: extension / page / GPU / browser | face-api.js page CPU % | extension PSS MB first → last | growth MB/min (slope) | offscreen JS heap MB |');
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const run of r.runs) {
    const a = run.affectlens;
    const m = a.mainThread;
    const c = a.cpuPercentOfOneCore;
    const mem = a.memory;
    lines.push(
      `| ${run.tiles} | ${f(m.pageMsPerS)} | ${f(m.cdp.taskMsPerS)} / ${f(m.control?.taskMsPerS)} | ${f(m.contentScriptMsPerS)} (${f(m.contentScriptPercentOfWall, '%')}; ${f(m.contentScriptCpuPercentOfWall, '%')}) | ` +
        `${f(c.extension)} / ${f(c.page)} / ${f(c.gpu)} / ${f(c.browser)} | ${f(run.faceapi?.cpuPercentOfOneCore.page)} | ` +
        `${f(mem.extensionPss.firstMB)} → ${f(mem.extensionPss.lastMB)} | ${f(mem.extensionPss.slopeMBPerMin)} | ${f(mem.offscreenJsHeap.firstMB)} → ${f(mem.offscreenJsHeap.lastMB)} |`,
    );
  }
  const traced = r.runs.filter((run) => run.affectlens.mainThread.trace);
  if (traced.length) {
    lines.push('');
    lines.push('## Meeting page main thread with AffectLens (trace, self ms per second; top events)');
    lines.push('');
    lines.push('| tiles | busy ms/s | content-script JS ms/s | top events (self ms/s) |');
    lines.push('|---:|---:|---:|---|');
    for (const run of traced) {
      const t = run.affectlens.mainThread.trace;
      lines.push(`| ${run.tiles} | ${f(t.busyMsPerS)} | ${f(t.extensionScriptSelfMsPerS)} | ${t.top.slice(0, 6).map((e) => `${e.name} ${e.selfMsPerS}`).join(' · ')} |`);
    }
  }
  if (r.soak) {
    const mem = r.soak.affectlens.memory;
    lines.push('');
    lines.push(`## Soak: ${r.soak.minutes} min, ${r.soak.tiles} tiles`);
    lines.push('');
    lines.push(`- frames/s ${f(r.soak.affectlens.fps)}, latency p50 / p95 ${pair(r.soak.affectlens.latency.p50, r.soak.affectlens.latency.p95)} ms, ${mem.samples} memory samples`);
    lines.push(`- extension process PSS ${f(mem.extensionPss.firstMB)} → ${f(mem.extensionPss.lastMB)} MB, slope ${f(mem.extensionPss.slopeMBPerMin)} MB/min (first→last ${f(mem.extensionPss.firstToLastMBPerMin)} MB/min)`);
    lines.push(`- extension process RSS ${f(mem.extensionRss.firstMB)} → ${f(mem.extensionRss.lastMB)} MB, slope ${f(mem.extensionRss.slopeMBPerMin)} MB/min`);
    lines.push(`- offscreen document JS heap ${f(mem.offscreenJsHeap.firstMB)} → ${f(mem.offscreenJsHeap.lastMB)} MB, slope ${f(mem.offscreenJsHeap.slopeMBPerMin)} MB/min`);
    if (mem.pageJsHeap) lines.push(`- meeting page JS heap ${f(mem.pageJsHeap.firstMB)} → ${f(mem.pageJsHeap.lastMB)} MB, slope ${f(mem.pageJsHeap.slopeMBPerMin)} MB/min`);
    if (mem.pageMainThread) lines.push(`- meeting page main thread ${f(mem.pageMainThread.firstMinuteMsPerS)} ms/s in the first minute → ${f(mem.pageMainThread.lastMinuteMsPerS)} in the last, slope ${f(mem.pageMainThread.slopeMsPerSPerMin)} ms/s per minute`);
    const contexts = Object.entries(mem.contexts ?? {});
    if (contexts.length) {
      const part = (pair) => (pair[0] === null ? '–' : `${f(pair[0])} → ${f(pair[1])}`);
      lines.push(`- per extension context, V8 heap in use (ArrayBuffer stores, wasm memories included) MB, first → last: ${contexts.map(([name, c]) => `${name}${c.count > 1 ? ` ×${c.count}` : ''} ${part(c.jsMB)} (${part(c.buffersMB)})`).join('; ')}`);
    }
  }
  lines.push('');
  lines.push('Notes:');
  for (const n of r.notes) lines.push(`- ${n}`);
  lines.push('');
  return lines.join('\n');
}

function pct(share) {
  return share === null || share === undefined ? '–' : `${Math.round(share * 100)}%`;
}
