/**
 * `osqsim bench checkin`: check-in throughput of any osquery server (osqsim's or Fleet).
 *
 * Enrolls --hosts hosts through the osquery API, brings them to steady state (first read answered),
 * then drives one endpoint with autocannon, rotating the hosts' node keys per request (writes carry
 * the policy results each host was asked for). Without --rate it is a closed loop (autocannon's
 * numbers, uncorrected — a closed loop has no intended send times); with --rate it is an open loop at
 * that rate and latency is measured from the intended send times (see checkin-open-loop.ts for why
 * autocannon's own correction is not used).
 *
 * Output: a table, or with --json one object {bench, machine, params, results} (DESIGN §6; no ratio —
 * there is no baseline in this run).
 */
import { Command } from 'commander';
import { cpus, totalmem } from 'node:os';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { EXIT, type ExitCode } from '../lib/exit-codes.js';
import { isOsqsimError, osqsimError } from '../lib/errors.js';
import { parseDurationMs } from '../lib/units.js';
import { enrollHosts, nodeKeyBody, primeHosts, writeBody, type BenchHost } from '../simulator/open-loop/hosts.js';
import { runOpenLoop, type LatencyDistribution } from '../simulator/open-loop/driver.js';

export type CheckinEndpoint = 'read' | 'write' | 'config';
export const CHECKIN_ENDPOINTS: readonly CheckinEndpoint[] = ['read', 'write', 'config'];

const PATHS: Record<CheckinEndpoint, string> = {
  read: '/distributed/read',
  write: '/distributed/write',
  config: '/config',
};

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
  /** Called with progress lines (stderr in the CLI). */
  progress?: (line: string) => void;
}

export interface MachineInfo {
  cpus: number;
  cpu_model: string;
  memory_gb: number;
  node: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpu_model: list[0]?.model ?? 'unknown',
    memory_gb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export interface CheckinBenchResults {
  enroll: { hosts: number; failures: number; duration_ms: number; per_s: number; first_failure?: string };
  prime: { failures: number; policies_per_host_max: number } | null;
  requests: { total: number; ok: number; non_2xx: number };
  rate_per_s: number;
  /** Completions per second over the run: mean and the slowest/fastest seconds. */
  per_second: { mean: number; min: number; max: number };
  latency_ms: LatencyDistribution;
  /** Open loop only: response − actual send. */
  service_ms?: LatencyDistribution;
  status_codes: Record<string, number>;
  errors: { total: number; connect: number; timeout: number; other: number };
  /** read only: responses that carried queries (a steady-state fleet: ≈ 0.3%, reference §0). */
  read_nonempty?: number;
  schedule?: { intended: number; sent: number; unsent: number; late_sends: number; max_send_lag_ms: number };
  measurement: string;
}

export interface CheckinBenchDocument {
  bench: 'checkin';
  machine: MachineInfo;
  params: {
    target: string;
    endpoint: CheckinEndpoint;
    hosts: number;
    connections: number;
    duration_s: number;
    rate: number | null;
    seed: number;
    api_prefix: string;
  };
  results: CheckinBenchResults;
}

const CLOSED_LOOP_NOTE = 'closed loop (autocannon): latency = send → response; uncorrected, a closed loop has no intended send times';
const OPEN_LOOP_NOTE = 'open loop at --rate: latency = response − intended send time (start + k/rate), service = response − actual send';

function bodiesFor(endpoint: CheckinEndpoint, hosts: readonly BenchHost[], seed: number): string[] {
  return hosts.map((host) => (endpoint === 'write' ? writeBody(host, seed) : nodeKeyBody(host)));
}

function isNonEmptyRead(body: string): boolean {
  // `{"queries":{},"discovery":{}}` (and an `accelerate` field) is the idle answer; any query name makes it longer.
  return body.includes('fleet_');
}

export async function runCheckinBench(options: CheckinBenchOptions): Promise<CheckinBenchDocument> {
  const say = options.progress ?? (() => undefined);
  const origin = new URL(options.target).origin;
  const basePath = new URL(options.target).pathname.replace(/\/$/, '');
  const prefix = `${basePath}${options.apiPrefix}`;
  const setupPool = new Pool(origin, { connections: Math.min(64, Math.max(8, options.connections)), pipelining: 1 });
  let enrollResult: Awaited<ReturnType<typeof enrollHosts>>;
  let prime: CheckinBenchResults['prime'] = null;
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
    if (options.endpoint !== 'config') {
      const primed = await primeHosts(setupPool, prefix, enrollResult.hosts, options.seed, 64);
      prime = { failures: primed.failures, policies_per_host_max: primed.policies };
      say(`primed: first read answered by every host (${primed.policies} policies per host at most, ${primed.failures} failures)`);
    }
  } finally {
    await setupPool.close();
  }

  const hosts = enrollResult.hosts;
  const bodies = bodiesFor(options.endpoint, hosts, options.seed);
  const path = `${prefix}${PATHS[options.endpoint]}`;
  let readNonEmpty = 0;
  const onBody = options.endpoint === 'read' ? (body: string) => void (isNonEmptyRead(body) && readNonEmpty++) : undefined;
  say(`driving ${options.endpoint} for ${options.durationMs / 1000} s with ${options.connections} connections${options.rate ? ` at ${options.rate} req/s (open loop)` : ' (closed loop)'} …`);

  let results: Omit<CheckinBenchResults, 'enroll' | 'prime'>;
  if (options.rate !== undefined) {
    const pool = new Pool(origin, { connections: options.connections, pipelining: 1 });
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
    } finally {
      await pool.close();
    }
  } else {
    let next = 0;
    const instance = autocannon({
      url: origin,
      connections: options.connections,
      duration: options.durationMs / 1000,
      timeout: Math.ceil(options.timeoutMs / 1000),
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          path,
          // One request per call; the host (node key) rotates across all connections.
          setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
          ...(onBody ? { onResponse: (_status: number, body: string) => onBody(body) } : {}),
        },
      ],
    });
    const run = await instance;
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
    bench: 'checkin',
    machine: machineInfo(),
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
        hosts: hosts.length,
        failures: enrollResult.failures,
        duration_ms: Math.round(enrollResult.duration_ms),
        per_s: Math.round((hosts.length / enrollResult.duration_ms) * 1000),
        ...(enrollResult.firstFailure === undefined ? {} : { first_failure: enrollResult.firstFailure }),
      },
      prime,
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

export function formatCheckinBench(doc: CheckinBenchDocument): string {
  const r = doc.results;
  const p = doc.params;
  const lat = (d: LatencyDistribution): string => `p50 ${d.p50} ms  p90 ${d.p90} ms  p99 ${d.p99} ms  p99.9 ${d.p999} ms  max ${d.max} ms`;
  const lines = [
    `osqsim bench checkin — ${p.endpoint} at ${p.target}, ${r.enroll.hosts} hosts, ${p.connections} connections, ${p.duration_s} s${p.rate ? `, ${p.rate} req/s open loop` : ', closed loop'}`,
    `machine: ${doc.machine.cpus} × ${doc.machine.cpu_model}, node ${doc.machine.node}`,
    '',
    `enroll        ${r.enroll.hosts} hosts in ${r.enroll.duration_ms} ms (${r.enroll.per_s}/s), ${r.enroll.failures} failed${r.enroll.first_failure ? ` — ${r.enroll.first_failure}` : ''}`,
    `requests      ${r.requests.total} (${r.requests.ok} 2xx, ${r.requests.non_2xx} other)`,
    `req/s         ${r.rate_per_s.toFixed(1)} (per second: mean ${r.per_second.mean.toFixed(1)}, min ${r.per_second.min}, max ${r.per_second.max})`,
    `latency       ${lat(r.latency_ms)}`,
  ];
  if (r.service_ms) lines.push(`service time  ${lat(r.service_ms)}`);
  lines.push(`status codes  ${Object.entries(r.status_codes).map(([code, count]) => `${code}: ${count}`).join(', ') || 'none'}`);
  lines.push(`errors        ${r.errors.total} (connect ${r.errors.connect}, timeout ${r.errors.timeout}, other ${r.errors.other})`);
  if (r.read_nonempty !== undefined) lines.push(`non-empty reads ${r.read_nonempty} of ${r.requests.total}`);
  if (r.schedule) {
    lines.push(`schedule      ${r.schedule.sent} of ${r.schedule.intended} sent (${r.schedule.unsent} unsent), ${r.schedule.late_sends} sent > 1 s late, max send lag ${r.schedule.max_send_lag_ms} ms`);
  }
  lines.push(`measurement   ${r.measurement}`);
  return lines.join('\n');
}

interface CheckinFlags {
  target: string;
  enrollSecret: string;
  hosts: string;
  endpoint: string;
  connections: string;
  duration: string;
  rate?: string;
  seed: string;
  apiPrefix: string;
  timeout: string;
  json?: boolean;
}

function positiveInt(option: string, text: string): number {
  const value = Number(text.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < 1) throw osqsimError('CLI_INVALID_OPTION', { option, reason: `expected a whole number ≥ 1 (got "${text}")` });
  return value;
}

export function optionsFromFlags(flags: CheckinFlags): CheckinBenchOptions {
  let target: URL;
  try {
    target = new URL(flags.target);
  } catch {
    throw osqsimError('CLI_INVALID_OPTION', { option: '--target', reason: `not a URL: "${flags.target}"` });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw osqsimError('CLI_INVALID_OPTION', { option: '--target', reason: 'expected an http:// or https:// URL' });
  }
  if (!CHECKIN_ENDPOINTS.includes(flags.endpoint as CheckinEndpoint)) {
    throw osqsimError('CLI_INVALID_OPTION', { option: '--endpoint', reason: `expected one of ${CHECKIN_ENDPOINTS.join(', ')} (got "${flags.endpoint}")` });
  }
  const connections = positiveInt('--connections', flags.connections);
  const rate = flags.rate === undefined ? undefined : Number(flags.rate);
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) {
    throw osqsimError('CLI_INVALID_OPTION', { option: '--rate', reason: `expected requests per second > 0 (got "${flags.rate}")` });
  }
  const durationMs = parseDurationMs(flags.duration);
  if (durationMs < 1000) throw osqsimError('CLI_INVALID_OPTION', { option: '--duration', reason: 'at least 1s' });
  return {
    target: flags.target.replace(/\/$/, ''),
    enrollSecret: flags.enrollSecret,
    hosts: positiveInt('--hosts', flags.hosts),
    endpoint: flags.endpoint as CheckinEndpoint,
    connections,
    durationMs,
    ...(rate === undefined ? {} : { rate }),
    seed: positiveInt('--seed', flags.seed),
    apiPrefix: flags.apiPrefix,
    timeoutMs: parseDurationMs(flags.timeout),
  };
}

export async function runCheckinCommand(flags: CheckinFlags): Promise<ExitCode> {
  try {
    const options = { ...optionsFromFlags(flags), progress: (line: string) => process.stderr.write(`${line}\n`) };
    const doc = await runCheckinBench(options);
    process.stdout.write(flags.json ? `${JSON.stringify(doc)}\n` : `${formatCheckinBench(doc)}\n`);
    return doc.results.requests.total > 0 ? EXIT.OK : EXIT.ERROR;
  } catch (error) {
    if (isOsqsimError(error)) {
      process.stderr.write(`error: ${error.message}\nhint: ${error.hint}\n`);
      return error.code.startsWith('CLI_') ? EXIT.INVALID_INPUT : EXIT.ERROR;
    }
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return EXIT.ERROR;
  }
}

/** Adds `checkin` to the `osqsim bench` command group. */
export function register(bench: Command): void {
  bench
    .command('checkin')
    .description('Check-in throughput of an osquery server (osqsim or Fleet): enroll hosts, then drive one endpoint with rotating node keys')
    .requiredOption('--target <url>', 'server base URL, e.g. http://127.0.0.1:8080')
    .option('--enroll-secret <secret>', 'enroll secret the server accepts', process.env.OSQSIM_ENROLL_SECRET ?? 'osqsim')
    .option('--hosts <n>', 'hosts to enroll (node keys rotate per request)', '1000')
    .option('--endpoint <name>', 'read | write | config', 'read')
    .option('--connections <n>', 'concurrent connections', '100')
    .option('--duration <duration>', 'measured duration', '30s')
    .option('--rate <req/s>', 'open loop at this total rate; latency from intended send times')
    .option('--seed <n>', 'seed of the host identities', '1')
    .option('--api-prefix <path>', 'osquery API prefix (/api/osquery or /api/v1/osquery)', '/api/osquery')
    .option('--timeout <duration>', 'per-request timeout', '10s')
    .option('--json', 'print one JSON object {bench, machine, params, results}')
    .action(async (flags: CheckinFlags) => {
      process.exitCode = await runCheckinCommand(flags);
    });
}
