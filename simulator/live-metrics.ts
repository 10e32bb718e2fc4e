/**
 * A shard's live figures in Prometheus text format (`osqsim simulate --metrics-port`): fed every merged
 * second by the pool (window-merge.ts), rendered with the server's registry (lib/metrics.ts) so the
 * simulator's latency buckets are the server's and a dashboard can put them side by side. Counters
 * count from the run start; the latency histogram is exact up to HDR's 0.1% cell width at a bound.
 */
import { createServer, type Server } from 'node:http';
import { MetricsRegistry } from '../lib/metrics.js';
import { osqsimError } from '../lib/errors.js';
import type { ShardRef } from './identity.js';
import type { LiveWindow } from './window-merge.js';

export const SIM_METRIC_PREFIX = 'osqsim_sim_';

export interface LiveMetricsInfo {
  shard: ShardRef;
  /** Hosts of the whole run (every shard's --hosts). */
  runHosts: number;
  /** Hosts this shard runs. */
  shardHosts: number;
}

export class LiveMetrics {
  private readonly registry = new MetricsRegistry();
  private readonly requests = this.registry.counter(`${SIM_METRIC_PREFIX}requests_total`, 'Requests the simulated agents completed, by endpoint');
  private readonly errors = this.registry.counter(`${SIM_METRIC_PREFIX}request_errors_total`, 'Requests that ended in a 4xx, 5xx, timeout or connection error, by endpoint');
  private readonly latency = this.registry.histogram(
    `${SIM_METRIC_PREFIX}request_latency_seconds`,
    'Latency from the intended start to the response (no coordinated omission), by endpoint',
  );
  private readonly enrolled = this.registry.gauge(`${SIM_METRIC_PREFIX}hosts_enrolled`, 'Hosts of this shard enrolled so far');
  private readonly hosts = this.registry.gauge(`${SIM_METRIC_PREFIX}hosts`, 'Hosts this shard runs');
  private readonly checkins = this.registry.counter(`${SIM_METRIC_PREFIX}checkins_total`, 'Check-ins due (scheduled) and check-ins more than 1 s late (late)');
  private readonly busy = this.registry.gauge(`${SIM_METRIC_PREFIX}generator_busy_ratio`, 'Busiest worker thread\'s event-loop utilisation in the last second (1 = saturated)');
  private readonly loopDelay = this.registry.gauge(`${SIM_METRIC_PREFIX}generator_event_loop_p99_seconds`, 'Worst worker\'s p99 event-loop delay in the last second');
  private readonly inFlight = this.registry.gauge(`${SIM_METRIC_PREFIX}in_flight_requests`, 'Requests in flight across the shard\'s workers');
  private readonly saturated = this.registry.gauge(`${SIM_METRIC_PREFIX}generator_saturated`, '1 once the generator warned that it saturated (its figures then measure the simulator)');
  private readonly elapsed = this.registry.gauge(`${SIM_METRIC_PREFIX}run_elapsed_seconds`, 'Seconds since the run start (t of the last merged second)');

  constructor(info: LiveMetricsInfo) {
    this.registry
      .gauge(`${SIM_METRIC_PREFIX}info`, 'This shard of the run (1)')
      .set(1, { shard: String(info.shard.index), shards: String(info.shard.count), run_hosts: String(info.runHosts) });
    this.hosts.set(info.shardHosts);
    this.enrolled.set(0);
    this.saturated.set(0);
  }

  /** One merged second; `saturated` is whether the generator has warned so far. */
  observe(window: LiveWindow, saturated: boolean): void {
    for (const [endpoint, cell] of Object.entries(window.endpoints)) {
      this.requests.inc({ endpoint }, cell.count);
      this.errors.inc({ endpoint }, cell.errors);
      const buckets = window.latency_buckets[endpoint as keyof LiveWindow['latency_buckets']];
      if (buckets) this.latency.child({ endpoint }).addCounts(buckets.counts, buckets.above, buckets.sumS);
    }
    this.enrolled.set(window.hosts_enrolled);
    this.checkins.inc({ kind: 'scheduled' }, window.checkins.scheduled);
    this.checkins.inc({ kind: 'late' }, window.checkins.late);
    this.busy.set(window.generator.elu_max);
    this.loopDelay.set(window.generator.event_loop_p99_ms / 1000);
    this.inFlight.set(window.generator.in_flight);
    this.saturated.set(saturated ? 1 : 0);
    this.elapsed.set(window.t + 1);
  }

  render(): string {
    return this.registry.render();
  }
}

/** GET /metrics (and /healthz) on `port`; resolves once listening. Port 0 picks a free one. */
export function serveLiveMetrics(metrics: LiveMetrics, port: number, host = '0.0.0.0'): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(metrics.render());
    } else if (request.method === 'GET' && path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(osqsimError('CLI_INVALID_OPTION', { option: '--metrics-port', reason: `cannot listen on ${host}:${port}: ${error.code ?? error.message}` }, error)),
    );
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
