/**
 * The endpoints `osqsim bench checkin --endpoint` and bench/checkin.ts can drive, as ONE table: the
 * request (method, path under the API prefix, a body builder per host), the status a healthy server
 * answers, and what the target must have prepared before the measured phase. A new endpoint (the
 * orbit ones: enroll, config, ping, device token, Fleet Desktop) is one more row here.
 */
import { osqsimError } from '../lib/errors.js';
import { enrollBody, nodeKeyBody, writeBody, type BenchHost } from '../simulator/open-loop/hosts.js';

/**
 * What the target needs before the endpoint is measured:
 * - `none`: nothing (enroll needs only the enroll secret);
 * - `enrolled`: hosts with node keys;
 * - `idle`: enrolled hosts whose first distributed/read was answered (nothing due: an idle read).
 */
export type EndpointPreparation = 'none' | 'enrolled' | 'idle';

export interface EndpointRequestContext {
  enrollSecret: string;
  seed: number;
}

export interface BenchEndpoint {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'HEAD';
  /** `osquery`: `path` is under the osquery API prefix (`--api-prefix`, /api/osquery); `absolute`: `path` is the whole path (orbit's /api/fleet/orbit/…). */
  readonly api: 'osquery' | 'absolute';
  readonly path: string;
  /** The body field that authenticates the request: the bare comparison route checks it is a string. */
  readonly credential: 'enroll_secret' | 'node_key' | 'orbit_node_key';
  /** The body of one request on behalf of `host` (undefined: no body). */
  readonly body: (host: BenchHost, context: EndpointRequestContext) => string | undefined;
  readonly expectedStatus: number;
  readonly prepare: EndpointPreparation;
  /** One line for --help and the docs. */
  readonly description: string;
}

/**
 * Enroll identities are offset from the hosts the bench enrolls for the other endpoints, so
 * measuring enroll never re-enrolls (and so re-keys) a host another endpoint is using. The first
 * pass over them creates hosts; later passes are re-enrolls of those identities.
 */
export const ENROLL_IDENTITY_OFFSET = 1_000_000;

/** A status line as osquery's TLS logger plugin sends it (log_type "status"). */
function statusLogBody(host: BenchHost): string {
  return JSON.stringify({
    node_key: host.nodeKey,
    log_type: 'status',
    data: [
      {
        hostIdentifier: host.identifier,
        calendarTime: 'Sat Dec  5 09:00:00 2026 UTC',
        unixTime: '1796461200',
        severity: '0',
        filename: 'scheduler.cpp',
        line: '84',
        message: 'Executing scheduled query pack_bench: SELECT 1;',
        version: '5.12.1',
        decorations: { host_uuid: host.identifier },
      },
    ],
  });
}

export const BENCH_ENDPOINTS = [
  {
    name: 'enroll',
    method: 'POST',
    api: 'osquery',
    path: '/enroll',
    credential: 'enroll_secret',
    body: (host, context) => enrollBody(context.enrollSecret, context.seed, ENROLL_IDENTITY_OFFSET + host.index),
    expectedStatus: 200,
    prepare: 'none',
    description: 'osquery enroll (new identities, then re-enrolls of them)',
  },
  {
    name: 'config',
    method: 'POST',
    api: 'osquery',
    path: '/config',
    credential: 'node_key',
    body: (host) => nodeKeyBody(host),
    expectedStatus: 200,
    prepare: 'enrolled',
    description: 'osquery config',
  },
  {
    name: 'read',
    method: 'POST',
    api: 'osquery',
    path: '/distributed/read',
    credential: 'node_key',
    body: (host) => nodeKeyBody(host),
    expectedStatus: 200,
    prepare: 'idle',
    description: 'distributed/read of an idle host (nothing due)',
  },
  {
    name: 'write',
    method: 'POST',
    api: 'osquery',
    path: '/distributed/write',
    credential: 'node_key',
    // The results of the policies the host was sent on its first read (the bench script sends one: a small write).
    body: (host, context) => writeBody(host, context.seed),
    expectedStatus: 200,
    prepare: 'idle',
    description: 'distributed/write of the policy results the host was asked for',
  },
  {
    name: 'log',
    method: 'POST',
    api: 'osquery',
    path: '/log',
    credential: 'node_key',
    body: (host) => statusLogBody(host),
    expectedStatus: 200,
    prepare: 'enrolled',
    description: 'log: one status line',
  },
] as const satisfies readonly BenchEndpoint[];

export type BenchEndpointName = (typeof BENCH_ENDPOINTS)[number]['name'];
export const BENCH_ENDPOINT_NAMES: readonly BenchEndpointName[] = BENCH_ENDPOINTS.map((endpoint) => endpoint.name);

export function benchEndpoint(name: BenchEndpointName): BenchEndpoint {
  return BENCH_ENDPOINTS.find((endpoint) => endpoint.name === name)!;
}

/** The request path of `endpoint` on a server whose osquery API is at `osqueryPrefix` (e.g. `/api/osquery`). */
export function endpointPath(endpoint: BenchEndpoint, osqueryPrefix: string): string {
  return endpoint.api === 'osquery' ? `${osqueryPrefix}${endpoint.path}` : endpoint.path;
}

/**
 * `--endpoint` as typed: a name, a comma list, `all`; repeated flags arrive joined by commas
 * (bench-command.ts). Unknown names throw CLI_INVALID_OPTION naming the list; duplicates collapse.
 */
export function parseEndpointList(text: string, option: string): BenchEndpointName[] {
  const items = text.split(',').map((item) => item.trim()).filter(Boolean);
  if (items.length === 0) throw osqsimError('CLI_INVALID_OPTION', { option, reason: `expected one or more of ${BENCH_ENDPOINT_NAMES.join(', ')}, or all` });
  const names: BenchEndpointName[] = [];
  for (const item of items) {
    if (item === 'all') {
      names.push(...BENCH_ENDPOINT_NAMES);
      continue;
    }
    if (!(BENCH_ENDPOINT_NAMES as readonly string[]).includes(item)) {
      throw osqsimError('CLI_INVALID_OPTION', { option, reason: `unknown endpoint "${item}" (expected ${BENCH_ENDPOINT_NAMES.join(', ')}, or all)` });
    }
    names.push(item as BenchEndpointName);
  }
  return [...new Set(names)];
}
