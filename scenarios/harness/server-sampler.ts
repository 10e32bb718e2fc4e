/**
 * One sample a second of the server osqsim started: CPU and resident memory of its process (from
 * /proc), its responsiveness (the event-loop delay it exports in /metrics, else the round trip of
 * GET /healthz), and the policy_membership rows it wrote (the `osqsim_ingest_rows_total` counter).
 */
import type { ServerSample } from '../../contract/result.js';
import { processStats, type ServerProcess } from './server-process.js';

export class ServerSampler {
  private previous: { cpuMs: number; at: number; pid: number; rows?: number } | undefined;

  constructor(private readonly server: ServerProcess) {}

  /** The sample at `t` (seconds since start); undefined for the first one (rates need two) or when the process is gone. */
  async sample(t: number): Promise<ServerSample | undefined> {
    const pid = this.server.pid;
    const stats = pid === undefined ? undefined : processStats(pid);
    const now = Date.now();
    const pingStart = performance.now();
    const healthy = await fetch(`${this.server.url}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    let responsivenessMs = performance.now() - pingStart;
    const metricsText = await fetch(`${this.server.url}/metrics`, { signal: AbortSignal.timeout(2000) }).then((r) => (r.ok ? r.text() : ''), () => '');
    const loopFromMetrics = eventLoopP99FromMetrics(metricsText);
    if (loopFromMetrics !== undefined) responsivenessMs = loopFromMetrics;
    const rowsTotal = counterFromMetrics(metricsText, 'osqsim_ingest_rows_total');
    if (!stats || pid === undefined) return undefined;
    const previous = this.previous;
    this.previous = { cpuMs: stats.cpuMs, at: now, pid, ...(rowsTotal !== undefined ? { rows: rowsTotal } : {}) };
    // A restart changes the pid: rates start again from the new process.
    if (!previous || previous.pid !== pid || now <= previous.at) return undefined;
    const elapsed = now - previous.at;
    const rows = rowsTotal !== undefined && previous.rows !== undefined ? Math.max(0, ((rowsTotal - previous.rows) * 1000) / elapsed) : undefined;
    return {
      t,
      cpu_pct: Math.round(((stats.cpuMs - previous.cpuMs) / elapsed) * 1000) / 10,
      rss_mb: Math.round(stats.rssMb * 10) / 10,
      event_loop_p99_ms: healthy ? Math.round(responsivenessMs * 100) / 100 : 2000,
      ...(rows !== undefined ? { membership_writes_per_s: Math.round(rows * 10) / 10 } : {}),
    };
  }
}

/** The value of an unlabelled counter or gauge (summed over its label sets) from a Prometheus text page. */
export function counterFromMetrics(text: string, name: string): number | undefined {
  let total: number | undefined;
  const pattern = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+([0-9.eE+-]+)\\s*$`, 'gm');
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) total = (total ?? 0) + Number(match[1]);
  return total;
}

/** p99 event-loop delay (ms) from a Prometheus text page, if the server exports it. */
export function eventLoopP99FromMetrics(text: string): number | undefined {
  const match = /^(?:osqsim_event_loop_delay_p99_seconds|nodejs_eventloop_lag_p99_seconds)(?:\{[^}]*\})?\s+([0-9.eE+-]+)\s*$/m.exec(text);
  return match ? Math.round(Number(match[1]) * 1000 * 100) / 100 : undefined;
}

