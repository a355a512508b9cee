/** The `pf_*` page timings of a pageview, read from the Navigation Timing API. */

/** Returns the page timings in whole milliseconds, leaving out those the browser has not measured yet. */
export function readPagePerformance(): Record<string, number> {
  const timing = readNavigationTiming();
  if (!timing) return {};
  const spans: [string, number, number][] = [
    ['pf_net', timing.fetchStart, timing.connectEnd],
    ['pf_srv', timing.requestStart, timing.responseStart],
    ['pf_tfr', timing.responseStart, timing.responseEnd],
    ['pf_dm1', timing.responseEnd, timing.domInteractive],
    ['pf_dm2', timing.domInteractive, timing.domComplete],
    ['pf_onl', timing.loadEventStart, timing.loadEventEnd],
  ];
  const result: Record<string, number> = {};
  for (const [name, start, end] of spans) {
    // A time of 0 means the browser has not reached that point, such as the load event during loading.
    if (end > 0 && end >= start) result[name] = Math.round(end - start);
  }
  return result;
}

interface NavigationTimes {
  fetchStart: number; connectEnd: number; requestStart: number; responseStart: number; responseEnd: number;
  domInteractive: number; domComplete: number; loadEventStart: number; loadEventEnd: number;
}

function readNavigationTiming(): NavigationTimes | null {
  if (typeof performance !== 'object' || typeof performance.getEntriesByType !== 'function') return null;
  const entry = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  if (!entry) return null;
  return {
    fetchStart: entry.fetchStart, connectEnd: entry.connectEnd, requestStart: entry.requestStart,
    responseStart: entry.responseStart, responseEnd: entry.responseEnd, domInteractive: entry.domInteractive,
    domComplete: entry.domComplete, loadEventStart: entry.loadEventStart, loadEventEnd: entry.loadEventEnd,
  };
}
