/**
 * Reading the server osqsim started. `ServerSampler` takes one sample a second for `osqsim run`: CPU
 * and resident memory of its process (./proc.ts), its responsiveness (the event-loop delay it exports
 * in /metrics, else the round trip of GET /healthz), the policy_membership rows it wrote (the
 * `osqsim_ingest_rows_total` counter) and the scheduled-query result rows it received
 * (`osqsim_scheduled_query_rows_total`, all queries), and adds up its traffic per query kind
 * (./server-traffic.ts) for the result's `server.traffic`. `scrapeMetrics` reads /metrics for a capacity sweep's window.
 */
import type { ServerSample, ServerTraffic } from '../../contract/result.js';
import { trustingInit } from '../../lib/trust.js';
import { processStats } from './proc.js';
import { counterFromMetrics, eventLoopP99FromMetrics, parsePrometheus } from './prometheus.js';
import type { ServerProcess } from './server-process.js';
import { TrafficTotals } from './server-traffic.js';

/** GET /metrics as text; '' when the server does not answer (or not within `timeoutMs`). `ca`: PEM CA to trust for https. */
export async function fetchMetricsText(url: string, timeoutMs?: number, ca?: string): Promise<string> {
  const init = { ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }), ...trustingInit(ca) };
  return fetch(`${url}/metrics`, init).then((r) => (r.ok ? r.text() : ''), () => '');
}

/** The server's /metrics as `name{labels}` → value; empty when it does not answer. `ca`: PEM CA to trust for https. */
export async function scrapeMetrics(url: string, ca?: string): Promise<Map<string, number>> {
  return parsePrometheus(await fetchMetricsText(url, undefined, ca));
}

export class ServerSampler {
  private previous: { cpuMs: number; at: number; pid: number; rows?: number; resultRows?: number } | undefined;
  /** The /metrics page of the last sample ('' when the server did not answer): what else a caller reads from it. */
  lastMetricsText = '';

  /**
   * `ca`: the PEM CA of an https server (`--tls self-signed`). `totals`: where this server's traffic
   * per query kind is added up (shared by the samplers of a multi-instance run).
   */
  constructor(
    private readonly server: Pick<ServerProcess, 'pid' | 'url'>,
    private readonly ca?: string,
    readonly totals: TrafficTotals = new TrafficTotals(),
  ) {}

  /** Reads /metrics once more (the last second's traffic) and answers the run's traffic per query kind. */
  async finalTraffic(): Promise<ServerTraffic | undefined> {
    this.totals.observe(this.server.url, await fetchMetricsText(this.server.url, 2000, this.ca));
    return this.totals.traffic();
  }

  /** The sample at `t` (seconds since start); undefined for the first one (rates need two) or when the process is gone. */
  async sample(t: number): Promise<ServerSample | undefined> {
    const pid = this.server.pid;
    const stats = processStats(pid);
    const now = Date.now();
    const pingStart = performance.now();
    const healthy = await fetch(`${this.server.url}/healthz`, { signal: AbortSignal.timeout(2000), ...trustingInit(this.ca) }).then((r) => r.ok, () => false);
    let responsivenessMs = performance.now() - pingStart;
    const metricsText = await fetchMetricsText(this.server.url, 2000, this.ca);
    this.lastMetricsText = metricsText;
    this.totals.observe(this.server.url, metricsText);
    const loopFromMetrics = eventLoopP99FromMetrics(metricsText);
    if (loopFromMetrics !== undefined) responsivenessMs = loopFromMetrics;
    const rowsTotal = counterFromMetrics(metricsText, 'osqsim_ingest_rows_total');
    // Absent until the first result arrives (a counter with labels has no series before): 0 then.
    const resultRowsTotal = metricsText === '' ? undefined : counterFromMetrics(metricsText, 'osqsim_scheduled_query_rows_total') ?? 0;
    if (!stats || pid === undefined) return undefined;
    const previous = this.previous;
    this.previous = {
      cpuMs: stats.cpuMs,
      at: now,
      pid,
      ...(rowsTotal !== undefined ? { rows: rowsTotal } : {}),
      ...(resultRowsTotal !== undefined ? { resultRows: resultRowsTotal } : {}),
    };
    // A restart changes the pid: rates start again from the new process.
    if (!previous || previous.pid !== pid || now <= previous.at) return undefined;
    const elapsed = now - previous.at;
    const perSecond = (total: number | undefined, before: number | undefined): number | undefined =>
      total !== undefined && before !== undefined ? Math.round(Math.max(0, ((total - before) * 1000) / elapsed) * 10) / 10 : undefined;
    const rows = perSecond(rowsTotal, previous.rows);
    const resultRows = perSecond(resultRowsTotal, previous.resultRows);
    return {
      t,
      cpu_pct: Math.round(((stats.cpuMs - previous.cpuMs) / elapsed) * 1000) / 10,
      rss_mb: Math.round(stats.rssMb * 10) / 10,
      event_loop_p99_ms: healthy ? Math.round(responsivenessMs * 100) / 100 : 2000,
      ...(rows !== undefined ? { membership_writes_per_s: rows } : {}),
      ...(resultRows !== undefined ? { scheduled_query_rows_per_s: resultRows } : {}),
    };
  }
}
