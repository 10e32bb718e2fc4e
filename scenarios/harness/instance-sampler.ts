/**
 * Per-instance reading of a multi-instance run (server.instances > 1 or a load balancer): once a
 * second each instance's CPU and RSS (./proc.ts through ServerSampler) and whether it holds the stats
 * lease (its `osqsim_stats_lease_held` gauge); at the end its agent requests (osquery's and fleetd's) by endpoint (its
 * `osqsim_http_request_duration_seconds_count`) and its instance id. The run's `server.samples` are the
 * deployment's: CPU and RSS summed over the instances, the worst event-loop delay.
 */
import type { DeploymentInfo, InstanceSummary, LeaseHold, ServerSample, ServerTraffic } from '../../contract/result.js';
import { AGENT_ENDPOINTS, type AgentEndpointName } from '../../contract/vocabulary.js';
import type { ApiStatsRun } from '../../contract/fleet-rest.js';
import { fetchMetricsText, ServerSampler } from './server-sampler.js';
import { counterFromMetrics, parsePrometheusSeries } from './prometheus.js';
import type { ServerProcess } from './server-process.js';
import { TrafficTotals } from './server-traffic.js';

interface InstanceSeries {
  cpu: number[];
  rssMax: number;
  leaseHeld: number;
}

/** The deployment's sample at one tick from its instances' samples: CPU and RSS add, delays take the worst. Pure. */
export function combineSamples(t: number, parts: readonly ServerSample[]): ServerSample | undefined {
  if (parts.length === 0) return undefined;
  const writes = parts.map((p) => p.membership_writes_per_s).filter((w): w is number => w !== undefined);
  return {
    t,
    cpu_pct: Math.round(parts.reduce((s, p) => s + p.cpu_pct, 0) * 10) / 10,
    rss_mb: Math.round(parts.reduce((s, p) => s + p.rss_mb, 0) * 10) / 10,
    event_loop_p99_ms: Math.max(...parts.map((p) => p.event_loop_p99_ms)),
    ...(writes.length ? { membership_writes_per_s: Math.round(writes.reduce((a, b) => a + b, 0) * 10) / 10 } : {}),
  };
}

/** Agent requests (osquery's and fleetd's) by endpoint from a /metrics page. Pure. */
export function requestsByEndpoint(metricsText: string): Partial<Record<AgentEndpointName, number>> {
  const byEndpoint: Partial<Record<AgentEndpointName, number>> = {};
  for (const series of parsePrometheusSeries(metricsText)) {
    if (series.name !== 'osqsim_http_request_duration_seconds_count') continue;
    const endpoint = /endpoint="([^"]*)"/.exec(series.labels)?.[1];
    if (endpoint !== undefined && (AGENT_ENDPOINTS as readonly string[]).includes(endpoint)) byEndpoint[endpoint as AgentEndpointName] = (byEndpoint[endpoint as AgentEndpointName] ?? 0) + series.value;
  }
  return byEndpoint;
}

/**
 * Which instance ran each count run, from the store's run log and each instance's id; times relative
 * to `runStartMs`. Pure.
 */
export function leaseHolds(runs: readonly ApiStatsRun[], instanceIds: ReadonlyArray<string | undefined>, runStartMs: number): LeaseHold[] {
  return runs
    .filter((r) => Date.parse(r.started_at) >= runStartMs - 1000)
    .map((r) => ({
      instance: r.instance === undefined ? -1 : instanceIds.indexOf(r.instance),
      strategy: r.strategy,
      started_at: r.started_at,
      t: Math.round((Date.parse(r.started_at) - runStartMs) / 100) / 10,
      duration_ms: r.duration_ms,
    }))
    .sort((a, b) => a.started_at.localeCompare(b.started_at));
}

export class InstanceSampler {
  private readonly samplers: ServerSampler[];
  private readonly series: InstanceSeries[];
  /** Seconds in which more than one instance said it held the lease. */
  private overlap = 0;
  /** The instances' traffic per query kind, added up. */
  private readonly totals = new TrafficTotals();

  constructor(private readonly servers: ReadonlyArray<Pick<ServerProcess, 'pid' | 'url'>>) {
    this.samplers = servers.map((s) => new ServerSampler(s, undefined, this.totals));
    this.series = servers.map(() => ({ cpu: [], rssMax: 0, leaseHeld: 0 }));
  }

  /** One tick: every instance's sample (CPU, RSS, responsiveness) and lease gauge; the deployment's combined sample. */
  async sample(t: number): Promise<ServerSample | undefined> {
    const parts = await Promise.all(this.samplers.map((s) => s.sample(t)));
    let holders = 0;
    parts.forEach((part, i) => {
      const series = this.series[i]!;
      if (part) {
        series.cpu.push(part.cpu_pct);
        series.rssMax = Math.max(series.rssMax, part.rss_mb);
      }
      const held = counterFromMetrics(this.samplers[i]!.lastMetricsText, 'osqsim_stats_lease_held') ?? 0;
      if (held > 0) {
        series.leaseHeld++;
        holders++;
      }
    });
    if (holders > 1) this.overlap++;
    return combineSamples(t, parts.filter((p): p is ServerSample => p !== undefined));
  }

  /** Reads every instance's /metrics once more and answers the deployment's traffic per query kind. */
  async finalTraffic(): Promise<ServerTraffic | undefined> {
    await Promise.all(this.samplers.map((s) => s.finalTraffic()));
    return this.totals.traffic();
  }

  /** The per-instance summary at the end of the run (reads each instance's /metrics once more). */
  async summary(input: { loadBalancer: 'haproxy' | 'none'; targets: string[]; simulatorProcesses: number; instanceIds: ReadonlyArray<string | undefined>; runs: readonly ApiStatsRun[]; runStartMs: number }): Promise<DeploymentInfo> {
    const holds = leaseHolds(input.runs, input.instanceIds, input.runStartMs);
    const instances: InstanceSummary[] = await Promise.all(
      this.servers.map(async (server, index) => {
        const byEndpoint = requestsByEndpoint(await fetchMetricsText(server.url, 2000));
        const series = this.series[index]!;
        const id = input.instanceIds[index];
        return {
          index,
          url: server.url,
          ...(id !== undefined ? { instance_id: id } : {}),
          requests: Object.values(byEndpoint).reduce((a, b) => a + b, 0),
          requests_by_endpoint: byEndpoint,
          cpu_pct_mean: series.cpu.length ? Math.round((series.cpu.reduce((a, b) => a + b, 0) / series.cpu.length) * 10) / 10 : 0,
          cpu_pct_max: series.cpu.length ? Math.max(...series.cpu) : 0,
          rss_mb_max: series.rssMax,
          lease_held_s: series.leaseHeld,
          stats_runs: holds.filter((h) => h.instance === index).length,
        };
      }),
    );
    return { load_balancer: input.loadBalancer, targets: input.targets, instances, simulator_processes: input.simulatorProcesses, stats_lease: holds, lease_overlap_s: this.overlap };
  }
}
