/**
 * `osqsim bench checkin`, the measurement: check-in throughput of any osquery server (osqsim's or
 * Fleet).
 *
 * Enrolls the hosts through the osquery API, brings them to steady state (first read answered),
 * then drives one endpoint with autocannon, rotating the hosts' node keys per request (writes carry
 * the policy results each host was asked for). Without a rate it is a closed loop (autocannon's
 * numbers, uncorrected — a closed loop has no intended send times); with a rate it is an open loop at
 * that rate and latency is measured from the intended send times (simulator/open-loop/driver.ts says
 * why autocannon's own correction is not used). No ratio: there is no baseline in this run.
 */
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { osqsimError } from '../lib/errors.js';
import { enrollHosts, primeHosts } from '../simulator/open-loop/hosts.js';
import { runOpenLoop, type LatencyDistribution } from '../simulator/open-loop/driver.js';
import type { BenchOutcome } from './bench-document.js';
import type { ConnectLoopResult } from './connect-loop.js';
import { benchEndpoint, endpointPath, needsOrbit, type BenchEndpointName, type EndpointHost } from './checkin-endpoints.js';
import { prepareOrbitHosts } from './checkin-orbit-prep.js';
import { headClosedLoop, quantile } from './head-loop.js';

/** The endpoints the benchmark can drive: the rows of checkin-endpoints.ts. */
export type CheckinEndpoint = BenchEndpointName;

export interface CheckinBenchOptions {
  target: string;
  enrollSecret: string;
  hosts: number;
  endpoint: CheckinEndpoint;
  connections: number;
  durationMs: number;
  /** Requests per second for the open loop; undefined = closed loop. */
  rate?: number;
  seed: number;
  /** `/api/osquery` (default) or `/api/v1/osquery`. */
  apiPrefix: string;
  timeoutMs: number;
  /** PEM CA to trust for an https target (a self-signed osqsim server's ca.pem). */
  ca?: string;
  /** Called when the measured phase starts and ends (after enroll and prime): the TLS comparison reads the server's CPU there. */
  onDrive?: (event: 'start' | 'end') => void;
  /** Called with progress lines (stderr in the CLI). */
  progress?: (line: string) => void;
}

export interface CheckinBenchResults {
  enroll: { hosts: number; failures: number; duration_ms: number; per_s: number; first_failure?: string };
  prime: { failures: number; policies_per_host_max: number } | null;
  /** The orbit rows only: hosts enrolled through orbit (and given device tokens) before the run. */
  orbit?: { hosts: number; failures: number; first_failure?: string };
  requests: { total: number; ok: number; non_2xx: number };
  rate_per_s: number;
  /** Completions per second over the run: mean and the slowest/fastest seconds. */
  per_second: { mean: number; min: number; max: number };
  latency_ms: LatencyDistribution;
  /** Open loop only: response − actual send. */
  service_ms?: LatencyDistribution;
  status_codes: Record<string, number>;
  errors: { total: number; connect: number; timeout: number; other: number };
  /** More than one --endpoint: each endpoint's run, in the order given (the top-level fields are the first one's). */
  endpoints?: Record<string, Omit<CheckinBenchResults, 'endpoints'>>;
  /** read only: responses that carried queries (a steady-state fleet: ≈ 0.3%, reference §0). */
  read_nonempty?: number;
  /** `--tls`: the same load against a plain and an HTTPS osqsim server of this build (checkin-bench-tls.ts). */
  tls?: TlsComparison;
  schedule?: { intended: number; sent: number; unsent: number; late_sends: number; max_send_lag_ms: number };
  measurement: string;
}

/** One side of `--tls` (checkin-bench-tls.ts): a plain or an HTTPS server of this build under the same load. */
export interface TlsSide {
  /** The server the bench started (its URL). */
  target: string;
  rate_per_s: number;
  requests: number;
  errors: number;
  latency_p50_ms: number;
  latency_p99_ms: number;
  /** Server process CPU (user + system) over the measured phase ÷ requests. */
  server_cpu_us_per_request: number | null;
  /** Server CPU over the measured phase as a share of one core. */
  server_cpu_pct: number | null;
  /** New connections: TCP connects (http) or TLS handshakes (https). */
  connect: ConnectLoopResult & { server_cpu_us_per_connection: number | null };
}

export interface TlsComparison {
  store: string;
  http: TlsSide;
  https: TlsSide;
  /** https ÷ http. */
  ratio: { rate: number; cpu_per_request: number | null };
}

export interface CheckinBenchParams {
  target: string;
  endpoint: CheckinEndpoint;
  /** More than one --endpoint: all of them, in the order measured. */
  endpoints?: CheckinEndpoint[];
  hosts: number;
  connections: number;
  duration_s: number;
  rate: number | null;
  seed: number;
  api_prefix: string;
}

export type CheckinBenchOutcome = BenchOutcome<CheckinBenchResults, CheckinBenchParams>;

const CLOSED_LOOP_NOTE = 'closed loop (autocannon): latency = send → response; uncorrected, a closed loop has no intended send times';
const HEAD_LOOP_NOTE = 'closed loop of HEAD requests (undici; autocannon cannot parse a body-less HEAD answer): latency = send → response; per_second is the run mean';
const OPEN_LOOP_NOTE = 'open loop at --rate: latency = response − intended send time (start + k/rate), service = response − actual send';


function isNonEmptyRead(body: string): boolean {
  // `{"queries":{},"discovery":{}}` (and an `accelerate` field) is the idle answer; any query name makes it longer.
  return body.includes('fleet_');
}

export async function runCheckinBench(options: CheckinBenchOptions): Promise<CheckinBenchOutcome> {
  const say = options.progress ?? (() => undefined);
  const endpoint = benchEndpoint(options.endpoint);
  // The open loop (simulator/open-loop/driver.ts) sends POSTs only.
  if (options.rate !== undefined && endpoint.method !== 'POST') {
    throw osqsimError('CLI_INVALID_OPTION', { option: '--rate', reason: `the open loop sends POST requests only; ${endpoint.name} is ${endpoint.method}` });
  }
  const origin = new URL(options.target).origin;
  const basePath = new URL(options.target).pathname.replace(/\/$/, '');
  const prefix = `${basePath}${options.apiPrefix}`;
  const connect = options.ca === undefined ? {} : { connect: { ca: options.ca } };
  const setupPool = new Pool(origin, { connections: Math.min(64, Math.max(8, options.connections)), pipelining: 1, ...connect });
  let enrollResult: Awaited<ReturnType<typeof enrollHosts>>;
  let prime: CheckinBenchResults['prime'] = null;
  let orbit: CheckinBenchResults['orbit'];
  let hosts: EndpointHost[];
  try {
    say(`enrolling ${options.hosts} hosts at ${options.target} …`);
    enrollResult = await enrollHosts(setupPool, prefix, options.enrollSecret, options.seed, options.hosts, 64);
    if (enrollResult.hosts.length === 0) {
      throw osqsimError('CLI_INVALID_OPTION', {
        option: '--target/--enroll-secret',
        reason: `no host could enroll (${enrollResult.firstFailure ?? 'no answer'})`,
      });
    }
    say(`enrolled ${enrollResult.hosts.length} hosts in ${Math.round(enrollResult.duration_ms)} ms (${enrollResult.failures} failed)`);
    if (benchEndpoint(options.endpoint).prepare === 'idle') {
      const primed = await primeHosts(setupPool, prefix, enrollResult.hosts, options.seed, 64);
      prime = { failures: primed.failures, policies_per_host_max: primed.policies };
      say(`primed: first read answered by every host (${primed.policies} policies per host at most, ${primed.failures} failures)`);
    }
    hosts = enrollResult.hosts;
    if (needsOrbit(endpoint.prepare)) {
      const prepared = await prepareOrbitHosts(setupPool, hosts, options.enrollSecret, endpoint.prepare, 64);
      orbit = { hosts: prepared.hosts.length, failures: prepared.failures, ...(prepared.firstFailure === undefined ? {} : { first_failure: prepared.firstFailure }) };
      if (prepared.hosts.length === 0) {
        throw osqsimError('CLI_INVALID_OPTION', { option: '--endpoint', reason: `no host could be prepared for ${endpoint.name} (${prepared.firstFailure ?? 'no answer'})` });
      }
      say(`orbit: ${prepared.hosts.length} hosts enrolled through orbit${endpoint.prepare === 'device-token' ? ' with device tokens' : ''} (${prepared.failures} failed)`);
      hosts = prepared.hosts;
    }
  } finally {
    await setupPool.close();
  }

  const context = { enrollSecret: options.enrollSecret, seed: options.seed };
  const bodies = hosts.map((host) => endpoint.body(host, context) ?? '');
  const path = endpointPath(endpoint, prefix);
  // Fleet Desktop's rows carry the host's token in the URL: one path per host, rotated with the bodies.
  const paths = endpoint.hostPath === undefined ? undefined : hosts.map((host) => endpointPath(endpoint, prefix, host));
  let readNonEmpty = 0;
  const onBody = options.endpoint === 'read' ? (body: string) => void (isNonEmptyRead(body) && readNonEmpty++) : undefined;
  say(`driving ${options.endpoint} for ${options.durationMs / 1000} s with ${options.connections} connections${options.rate ? ` at ${options.rate} req/s (open loop)` : ' (closed loop)'} …`);

  let results: Omit<CheckinBenchResults, 'enroll' | 'prime'>;
  if (options.rate !== undefined) {
    const pool = new Pool(origin, { connections: options.connections, pipelining: 1, ...connect });
    options.onDrive?.('start');
    try {
      const run = await runOpenLoop({
        pool,
        path,
        bodies,
        ratePerS: options.rate,
        durationMs: options.durationMs,
        connections: options.connections,
        timeoutMs: options.timeoutMs,
        ...(onBody ? { onResponse: (_status: number, body: string) => onBody(body) } : {}),
      });
      const ok = Object.entries(run.statusCodes).reduce((sum, [code, count]) => sum + (code.startsWith('2') ? count : 0), 0);
      const errorsTotal = run.errors.connect + run.errors.timeout + run.errors.other;
      const seconds = run.perSecond.length > 2 ? run.perSecond.slice(1, -1) : run.perSecond;
      results = {
        requests: { total: run.completed, ok, non_2xx: run.completed - ok },
        rate_per_s: run.completed / (options.durationMs / 1000),
        per_second: summarise(seconds),
        latency_ms: run.latencyMs,
        service_ms: run.serviceMs,
        status_codes: run.statusCodes,
        errors: { total: errorsTotal, ...run.errors },
        schedule: { intended: run.intended, sent: run.sent, unsent: run.unsent, late_sends: run.lateSends, max_send_lag_ms: run.maxSendLagMs },
        measurement: OPEN_LOOP_NOTE,
      };
      options.onDrive?.('end');
    } finally {
      await pool.close();
    }
  } else if (endpoint.method === 'HEAD') {
    options.onDrive?.('start');
    const run = await headClosedLoop({ origin, paths: paths ?? [path], connections: options.connections, durationMs: options.durationMs, ...(options.ca === undefined ? {} : { ca: options.ca }) });
    options.onDrive?.('end');
    const ok = Object.entries(run.statusCodes).reduce((sum, [code, count]) => sum + (code.startsWith('2') ? count : 0), 0);
    const sorted = run.latenciesMs;
    results = {
      requests: { total: run.total, ok, non_2xx: run.total - ok },
      rate_per_s: run.total / run.durationS,
      per_second: { mean: run.total / run.durationS, min: run.total / run.durationS, max: run.total / run.durationS },
      latency_ms: {
        p50: quantile(sorted, 0.5),
        p90: quantile(sorted, 0.9),
        p99: quantile(sorted, 0.99),
        p999: quantile(sorted, 0.999),
        max: sorted.at(-1) ?? 0,
        mean: sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length),
      },
      status_codes: run.statusCodes,
      errors: { total: run.errors, connect: 0, timeout: 0, other: run.errors },
      measurement: HEAD_LOOP_NOTE,
    };
  } else {
    let next = 0;
    options.onDrive?.('start');
    const instance = autocannon({
      url: origin,
      connections: options.connections,
      duration: options.durationMs / 1000,
      timeout: Math.ceil(options.timeoutMs / 1000),
      headers: { 'content-type': 'application/json' },
      ...(options.ca === undefined ? {} : { tlsOptions: { ca: options.ca } }),
      requests: [
        {
          method: endpoint.method,
          path,
          // One request per call; the host (node key) rotates across all connections.
          setupRequest: (request) => {
            const i = next++ % bodies.length;
            return { ...request, body: bodies[i], ...(paths === undefined ? {} : { path: paths[i]! }) };
          },
          ...(onBody ? { onResponse: (_status: number, body: string) => onBody(body) } : {}),
        },
      ],
    });
    const run = await instance;
    options.onDrive?.('end');
    const statusCodes: Record<string, number> = {};
    for (const [code, stats] of Object.entries(run.statusCodeStats ?? {})) statusCodes[code] = (stats as { count: number }).count;
    const total = Object.values(statusCodes).reduce((sum, count) => sum + count, 0);
    const ok = Object.entries(statusCodes).reduce((sum, [code, count]) => sum + (code.startsWith('2') ? count : 0), 0);
    const latency = run.latency as unknown as Record<string, number>;
    results = {
      requests: { total, ok, non_2xx: total - ok },
      rate_per_s: total / run.duration,
      per_second: { mean: run.requests.average, min: run.requests.min, max: run.requests.max },
      latency_ms: {
        p50: latency.p50 ?? 0,
        p90: latency.p90 ?? 0,
        p99: latency.p99 ?? 0,
        p999: latency.p99_9 ?? 0,
        max: latency.max ?? 0,
        mean: latency.mean ?? latency.average ?? 0,
      },
      status_codes: statusCodes,
      errors: { total: run.errors, connect: Math.max(0, run.errors - run.timeouts), timeout: run.timeouts, other: 0 },
      measurement: CLOSED_LOOP_NOTE,
    };
  }
  if (options.endpoint === 'read') results.read_nonempty = readNonEmpty;

  return {
    params: {
      target: options.target,
      endpoint: options.endpoint,
      hosts: options.hosts,
      connections: options.connections,
      duration_s: options.durationMs / 1000,
      rate: options.rate ?? null,
      seed: options.seed,
      api_prefix: options.apiPrefix,
    },
    results: {
      enroll: {
        hosts: enrollResult.hosts.length,
        failures: enrollResult.failures,
        duration_ms: Math.round(enrollResult.duration_ms),
        per_s: Math.round((enrollResult.hosts.length / enrollResult.duration_ms) * 1000),
        ...(enrollResult.firstFailure === undefined ? {} : { first_failure: enrollResult.firstFailure }),
      },
      prime,
      ...(orbit === undefined ? {} : { orbit }),
      ...results,
    },
  };
}

function summarise(values: readonly number[]): { mean: number; min: number; max: number } {
  if (values.length === 0) return { mean: 0, min: 0, max: 0 };
  return {
    mean: values.reduce((sum, value) => sum + value, 0) / values.length,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}
