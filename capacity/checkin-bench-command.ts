/**
 * `osqsim bench checkin`: its flags (one table), the options they make, and the command definition
 * cli/bench.ts registers. The measurement is checkin-bench.ts (checkin-bench-tls.ts for --tls), the
 * table checkin-bench-format.ts.
 */
import { osqsimError } from '../lib/errors.js';
import { EXIT } from '../lib/exit-codes.js';
import type { BenchDefinition } from './bench-command.js';
import { durationMs, httpUrl, option, optional, parseParams, positiveInt, positiveNumber, repeatable, text, toggle, type ParamValues } from './bench-params.js';
import { runTlsComparison, type TlsBenchOptions } from './checkin-bench-tls.js';
import { formatCheckinBench } from './checkin-bench-format.js';
import { runCheckinBench, type CheckinBenchOptions, type CheckinBenchOutcome, type CheckinBenchParams, type CheckinBenchResults } from './checkin-bench.js';
import { BENCH_ENDPOINT_NAMES, parseEndpointList, type BenchEndpointName } from './checkin-endpoints.js';

export const CHECKIN_PARAMS = {
  target: optional('--target <url>', 'server base URL, e.g. http://127.0.0.1:8080 (required unless --tls)', httpUrl),
  enrollSecret: option('--enroll-secret <secret>', 'enroll secret the server accepts', text, process.env.OSQSIM_ENROLL_SECRET ?? 'osqsim'),
  hosts: option('--hosts <n>', 'hosts to enroll (node keys rotate per request)', positiveInt, '1000'),
  endpoint: repeatable(option('--endpoint <name>', `${BENCH_ENDPOINT_NAMES.join(' | ')} | all; repeat it or give a comma list to measure several, one after the other`, parseEndpointList, 'read')),
  connections: option('--connections <n>', 'concurrent connections', positiveInt, '100'),
  duration: option('--duration <duration>', 'measured duration', durationMs, '30s'),
  rate: optional('--rate <req/s>', 'open loop at this total rate; latency from intended send times', positiveNumber),
  seed: option('--seed <n>', 'seed of the host identities', positiveInt, '1'),
  apiPrefix: option('--api-prefix <path>', 'osquery API prefix (/api/osquery or /api/v1/osquery)', text, '/api/osquery'),
  timeout: option('--timeout <duration>', 'per-request timeout', durationMs, '10s'),
  tls: toggle('--tls', 'start an osqsim server of this build twice, plain HTTP then HTTPS (--tls self-signed), and report req/s, server CPU per request and new-connection cost side by side (no --target)'),
  store: option('--store <spec>', 'with --tls: the store of the servers it starts (memory or mysql://…)', text, 'memory'),
  connectDuration: option('--connect-duration <duration>', 'with --tls: length of each new-connection phase (TCP connects, TLS handshakes)', durationMs, '5s'),
};

/** The load both modes share (everything but where it goes). */
function loadOptions(values: ParamValues<typeof CHECKIN_PARAMS>): Omit<CheckinBenchOptions, 'target'> {
  if (values.duration < 1000) throw osqsimError('CLI_INVALID_OPTION', { option: '--duration', reason: 'at least 1s' });
  return {
    enrollSecret: values.enrollSecret,
    hosts: values.hosts,
    endpoint: values.endpoint[0]!,
    connections: values.connections,
    durationMs: values.duration,
    ...(values.rate === undefined ? {} : { rate: values.rate }),
    seed: values.seed,
    apiPrefix: values.apiPrefix,
    timeoutMs: values.timeout,
  };
}

export function checkinOptions(values: ParamValues<typeof CHECKIN_PARAMS>): CheckinBenchOptions {
  if (values.tls) throw osqsimError('CLI_INVALID_OPTION', { option: '--tls', reason: 'starts its own servers: use tlsBenchOptions' });
  if (values.target === undefined) throw osqsimError('CLI_INVALID_OPTION', { option: '--target', reason: 'is required (or --tls, which starts its own servers)' });
  return { ...loadOptions(values), target: values.target.replace(/\/$/, '') };
}

/** `--tls`: the servers are the bench's own, so --target makes no sense. */
export function tlsBenchOptions(values: ParamValues<typeof CHECKIN_PARAMS>): TlsBenchOptions {
  if (values.target !== undefined) throw osqsimError('CLI_INVALID_OPTION', { option: '--target', reason: 'cannot be combined with --tls, which starts its own servers (plain and HTTPS)' });
  if (values.connectDuration < 1000) throw osqsimError('CLI_INVALID_OPTION', { option: '--connect-duration', reason: 'at least 1s' });
  return { ...loadOptions(values), store: values.store, connectMs: values.connectDuration };
}

/** Flags as typed (camelCase keys, defaults applied from the table) → options; throws on a bad value. */
export function optionsFromFlags(flags: Readonly<Record<string, string | boolean | undefined>>): CheckinBenchOptions {
  return checkinOptions(parseParams(CHECKIN_PARAMS, flags));
}

export const checkinBench: BenchDefinition<typeof CHECKIN_PARAMS, CheckinBenchResults, CheckinBenchParams> = {
  name: 'checkin',
  description: 'Check-in throughput of an osquery server (osqsim or Fleet): enroll hosts, then drive one endpoint with rotating node keys',
  params: CHECKIN_PARAMS,
  run: (values, progress) => runEach(values.endpoint, (endpoint) => (values.tls ? runTlsComparison({ ...tlsBenchOptions(values), endpoint, progress }) : runCheckinBench({ ...checkinOptions(values), endpoint, progress }))),
  format: formatCheckinBench,
  exitCode: (doc) => (doc.results.requests.total > 0 ? EXIT.OK : EXIT.ERROR),
};

/**
 * One endpoint: its run as before. Several: one run each, in the order given; the document's
 * top-level results and params are the first one's, `results.endpoints` holds every run.
 */
async function runEach(endpoints: readonly BenchEndpointName[], run: (endpoint: BenchEndpointName) => Promise<CheckinBenchOutcome>): Promise<CheckinBenchOutcome> {
  const outcomes: CheckinBenchOutcome[] = [];
  for (const endpoint of endpoints) outcomes.push(await run(endpoint));
  const first = outcomes[0]!;
  if (outcomes.length === 1) return first;
  return {
    params: { ...first.params, endpoints: [...endpoints] },
    results: { ...first.results, endpoints: Object.fromEntries(outcomes.map((outcome) => [outcome.params.endpoint, outcome.results])) },
  };
}
