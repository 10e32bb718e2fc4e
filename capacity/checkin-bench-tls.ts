/**
 * `osqsim bench checkin --tls`: what TLS costs the server. Starts an osqsim server of this build
 * twice, one after the other on the same store kind — plain HTTP, then HTTPS with a self-signed CA
 * (`--tls self-signed`) — drives the same check-in load against each (checkin-bench.ts; after an
 * unmeasured warm-up of up to 3 s), and reads
 * the server process's CPU time over each measured phase (scenarios/harness/proc.ts): requests per
 * second and CPU µs per request side by side. Then the cost of new connections on each: TCP connects
 * and TLS handshakes per second, the client's ms per handshake and the server's CPU µs per
 * connection. One after the other, so the two servers never compete for the machine's cores.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processStats } from '../scenarios/harness/proc.js';
import { ServerProcess } from '../scenarios/harness/server-process.js';
import { CA_FILE } from '../server/tls/agent-files.js';
import { runCheckinBench, type CheckinBenchOptions, type CheckinBenchOutcome, type CheckinBenchResults, type TlsComparison, type TlsSide } from './checkin-bench.js';
import { runConnectLoop } from './connect-loop.js';

export interface TlsBenchOptions extends Omit<CheckinBenchOptions, 'target' | 'ca' | 'onDrive'> {
  /** Store of the servers the bench starts (memory or a mysql:// URL). */
  store: string;
  /** Length of each connection-cost phase. */
  connectMs?: number;
  connectConcurrency?: number;
}

/** CPU ms of `pid` between start() and end() and the wall time between them; null where /proc is missing. */
function cpuMeter(pid: number | undefined): { start(): void; end(): void; cpuMs(): number | null; wallMs(): number } {
  let first: ReturnType<typeof processStats>;
  let last: ReturnType<typeof processStats>;
  return {
    start: () => void (first = processStats(pid)),
    end: () => void (last = processStats(pid)),
    cpuMs: () => (first && last ? last.cpuMs - first.cpuMs : null),
    wallMs: () => (first && last ? last.atMs - first.atMs : 0),
  };
}

const perUnitUs = (cpuMs: number | null, count: number): number | null => (cpuMs === null || count === 0 ? null : Math.round(((cpuMs * 1000) / count) * 10) / 10);

async function measureSide(options: TlsBenchOptions, tls: boolean): Promise<{ side: TlsSide; outcome: CheckinBenchOutcome }> {
  const say = options.progress ?? (() => undefined);
  const dir = tls ? mkdtempSync(join(tmpdir(), 'osqsim-bench-tls-')) : undefined;
  const server = new ServerProcess({
    port: 0,
    detached: false,
    args: [
      '--store', options.store,
      '--enroll-secret', options.enrollSecret,
      '--api-token', randomBytes(12).toString('hex'),
      '--log-level', 'warn',
      ...(dir === undefined ? [] : ['--tls', `self-signed:${dir}`]),
    ],
  });
  try {
    const target = await server.start();
    const ca = dir === undefined ? undefined : readFileSync(join(dir, CA_FILE), 'utf8');
    say(`${tls ? 'HTTPS' : 'plain HTTP'} server at ${target} (pid ${server.pid})`);
    // A short unmeasured run first, so both servers are measured warm (JIT, pools, caches) whichever goes first.
    const warmupMs = Math.min(options.durationMs, 3000);
    say(`warm-up: ${warmupMs / 1000} s, not measured`);
    await runCheckinBench({ ...options, target, durationMs: warmupMs, ...(ca === undefined ? {} : { ca }), progress: () => undefined });
    const meter = cpuMeter(server.pid);
    const outcome = await runCheckinBench({
      ...options,
      target,
      ...(ca === undefined ? {} : { ca }),
      onDrive: (event) => (event === 'start' ? meter.start() : meter.end()),
    });
    const r = outcome.results;
    const url = new URL(target);
    const connectMeter = cpuMeter(server.pid);
    say(`${tls ? 'TLS handshakes' : 'TCP connects'} for ${(options.connectMs ?? 5000) / 1000} s …`);
    connectMeter.start();
    const connect = await runConnectLoop({
      host: url.hostname,
      port: Number(url.port),
      ...(ca === undefined ? {} : { ca }),
      concurrency: options.connectConcurrency ?? 8,
      durationMs: options.connectMs ?? 5000,
    });
    connectMeter.end();
    const cpuMs = meter.cpuMs();
    const side: TlsSide = {
      target,
      rate_per_s: Math.round(r.rate_per_s * 10) / 10,
      requests: r.requests.total,
      errors: r.errors.total,
      latency_p50_ms: r.latency_ms.p50,
      latency_p99_ms: r.latency_ms.p99,
      server_cpu_us_per_request: perUnitUs(cpuMs, r.requests.total),
      server_cpu_pct: cpuMs === null || meter.wallMs() === 0 ? null : Math.round((cpuMs / meter.wallMs()) * 1000) / 10,
      connect: { ...connect, server_cpu_us_per_connection: perUnitUs(connectMeter.cpuMs(), connect.connections) },
    };
    return { side, outcome };
  } finally {
    await server.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/** Plain HTTP, then HTTPS, against servers this bench starts; the document's main results are the HTTPS run's. */
export async function runTlsComparison(options: TlsBenchOptions): Promise<CheckinBenchOutcome> {
  const http = await measureSide(options, false);
  const https = await measureSide(options, true);
  const cpuHttp = http.side.server_cpu_us_per_request;
  const cpuHttps = https.side.server_cpu_us_per_request;
  const tls: TlsComparison = {
    store: options.store.startsWith('mysql:') ? 'mysql' : options.store,
    http: http.side,
    https: https.side,
    ratio: {
      rate: http.side.rate_per_s === 0 ? 0 : Math.round((https.side.rate_per_s / http.side.rate_per_s) * 100) / 100,
      cpu_per_request: cpuHttp === null || cpuHttps === null || cpuHttp === 0 ? null : Math.round((cpuHttps / cpuHttp) * 100) / 100,
    },
  };
  const results: CheckinBenchResults = { ...https.outcome.results, tls };
  return { params: { ...https.outcome.params, target: 'osqsim server of this build, plain and --tls self-signed' }, results };
}
