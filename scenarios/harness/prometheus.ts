/**
 * The one reader of Prometheus text exposition (what the server's /metrics answers): the run's sampler
 * reads its event-loop delay and ingest counter from it, a capacity sweep the per-endpoint request
 * counters before and after its measured window. Pure.
 */

export interface PrometheusSeries {
  /** Metric name, e.g. `osqsim_http_request_duration_seconds_count`. */
  name: string;
  /** The label set as written, braces included (`{endpoint="read"}`), or '' for none. */
  labels: string;
  value: number;
}

/** One sample line → its series; undefined for comments, blank lines and non-finite values. */
function parseLine(line: string): PrometheusSeries | undefined {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return undefined;
  let end = 0;
  while (end < text.length && text[end] !== '{' && text[end] !== ' ' && text[end] !== '\t') end++;
  const name = text.slice(0, end);
  let labels = '';
  if (text[end] === '{') {
    // Label values are quoted and may contain '}' or spaces.
    let i = end + 1;
    let quoted = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (quoted && c === '\\') i++;
      else if (c === '"') quoted = !quoted;
      else if (c === '}' && !quoted) break;
    }
    labels = text.slice(end, i + 1);
    end = i + 1;
  }
  // The value, then an optional timestamp.
  const value = Number(text.slice(end).trim().split(/\s+/)[0]);
  return name !== '' && Number.isFinite(value) ? { name, labels, value } : undefined;
}

/** Every sample of a Prometheus text page, in page order. */
export function parsePrometheusSeries(text: string): PrometheusSeries[] {
  const series: PrometheusSeries[] = [];
  for (const line of text.split('\n')) {
    const parsed = parseLine(line);
    if (parsed) series.push(parsed);
  }
  return series;
}

/** Prometheus text → `name{labels}` → value. */
export function parsePrometheus(text: string): Map<string, number> {
  return new Map(parsePrometheusSeries(text).map((s) => [`${s.name}${s.labels}`, s.value]));
}

/** The value of a counter or gauge, summed over its label sets; undefined when the page lacks it. */
export function counterFromMetrics(text: string, name: string): number | undefined {
  let total: number | undefined;
  for (const series of parsePrometheusSeries(text)) if (series.name === name) total = (total ?? 0) + series.value;
  return total;
}

/** p99 event-loop delay (ms, 2 decimals) from a Prometheus text page, if the server exports it. */
export function eventLoopP99FromMetrics(text: string): number | undefined {
  const series = parsePrometheusSeries(text).find((s) => s.name === 'osqsim_event_loop_delay_p99_seconds' || s.name === 'nodejs_eventloop_lag_p99_seconds');
  return series ? Math.round(series.value * 1000 * 100) / 100 : undefined;
}
