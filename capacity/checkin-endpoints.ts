/**
 * The endpoints `osqsim bench checkin --endpoint` and bench/checkin.ts can drive, as ONE table: the
 * request (method, path under the API prefix, a body builder per host), the status a healthy server
 * answers, and what the target must have prepared before the measured phase: osquery's endpoints and
 * fleetd's (orbit enroll, config, ping, device token; Fleet Desktop's summary and token ping, whose
 * token is in the URL: a per-host path). A new endpoint is one more row here.
 */
import { osqsimError } from '../lib/errors.js';
import { enrollBody, nodeKeyBody, writeBody, type BenchHost } from '../simulator/open-loop/hosts.js';

/**
 * What the target needs before the endpoint is measured:
 * - `none`: nothing (enroll needs only the enroll secret);
 * - `enrolled`: hosts with node keys;
 * - `idle`: enrolled hosts whose first distributed/read was answered (nothing due: an idle read);
 * - `orbit-enrolled`: hosts also enrolled through orbit (`POST /api/fleet/orbit/enroll`), holding orbit node keys;
 * - `device-token`: orbit-enrolled hosts whose device token (deviceTokenOf) was set through
 *   `POST /api/fleet/orbit/device_token` (Fleet Desktop authenticates by it, in the URL, for an hour).
 */
export type EndpointPreparation = 'none' | 'enrolled' | 'idle' | 'orbit-enrolled' | 'device-token';

/** A bench host, with its orbit node key once the `orbit-enrolled` preparation gave it one. */
export interface EndpointHost extends BenchHost {
  orbitNodeKey?: string;
}

export interface EndpointRequestContext {
  enrollSecret: string;
  seed: number;
}

export interface BenchEndpoint {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'HEAD';
  /** `osquery`: `path` is under the osquery API prefix (`--api-prefix`, /api/osquery); `absolute`: `path` is the whole path (orbit's /api/fleet/orbit/…). */
  readonly api: 'osquery' | 'absolute';
  /** The path; for a row with `hostPath`, a template naming the per-host part (`{token}`). */
  readonly path: string;
  /** A per-host path (Fleet Desktop's token is in the URL): the request path on behalf of `host`. */
  readonly hostPath?: (host: EndpointHost) => string;
  /**
   * What authenticates the request: a body field the bare comparison route checks is a string
   * (POSTs), or `device_token` (in the path) / `none` (GET and HEAD: the bare route checks nothing).
   */
  readonly credential: 'enroll_secret' | 'node_key' | 'orbit_node_key' | 'device_token' | 'none';
  /** The body of one request on behalf of `host` (undefined: no body). */
  readonly body: (host: EndpointHost, context: EndpointRequestContext) => string | undefined;
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

/** The device token the `device-token` preparation sets for `host`: URL-safe, one per host identity. */
export function deviceTokenOf(host: BenchHost): string {
  return `bench-device-${host.identifier}`;
}

/**
 * Fleet's enrollOrbitRequest (server/service/orbit.go) as fleetd sends it for `hardwareUuid`. The
 * `orbit-enrolled` preparation enrolls each host's own identifier, so orbit and osquery share one
 * host where the server matches them (osqsim matches by uuid).
 */
export function orbitEnrollBody(enrollSecret: string, hardwareUuid: string): string {
  return JSON.stringify({
    enroll_secret: enrollSecret,
    hardware_uuid: hardwareUuid,
    hardware_serial: `serial-${hardwareUuid}`,
    hostname: `${hardwareUuid}.local`,
    platform: 'darwin',
    platform_like: 'darwin',
    osquery_identifier: '',
    computer_name: hardwareUuid,
    hardware_model: 'MacBookPro18,3',
  });
}

/** The body of `POST /api/fleet/orbit/device_token` that sets `host`'s token (re-sending it is a no-op 200). */
export function deviceTokenBody(host: EndpointHost): string {
  return JSON.stringify({ orbit_node_key: host.orbitNodeKey, device_auth_token: deviceTokenOf(host) });
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
  {
    name: 'orbit-enroll',
    method: 'POST',
    api: 'absolute',
    path: '/api/fleet/orbit/enroll',
    credential: 'enroll_secret',
    // Offset identities, like enroll: the first pass creates hosts, later passes re-key those only.
    body: (host, context) => orbitEnrollBody(context.enrollSecret, `orbit-${context.seed}-${ENROLL_IDENTITY_OFFSET + host.index}`),
    expectedStatus: 200,
    prepare: 'none',
    description: 'orbit enroll (new hardware UUIDs, then re-enrolls of them)',
  },
  {
    name: 'orbit-config',
    method: 'POST',
    api: 'absolute',
    path: '/api/fleet/orbit/config',
    credential: 'orbit_node_key',
    body: (host) => JSON.stringify({ orbit_node_key: host.orbitNodeKey }),
    expectedStatus: 200,
    prepare: 'orbit-enrolled',
    description: 'orbit config of a host with nothing pending',
  },
  {
    name: 'orbit-ping',
    method: 'HEAD',
    api: 'absolute',
    path: '/api/fleet/orbit/ping',
    credential: 'none',
    body: () => undefined,
    expectedStatus: 200,
    prepare: 'none',
    description: 'orbit ping (HEAD, no auth)',
  },
  {
    name: 'device-token',
    method: 'POST',
    api: 'absolute',
    path: '/api/fleet/orbit/device_token',
    credential: 'orbit_node_key',
    // The host's own token again: the steady state of fleetd's token check (no rotation, no write).
    body: (host) => deviceTokenBody(host),
    expectedStatus: 200,
    prepare: 'device-token',
    description: 'orbit device_token re-sending the host\'s current token',
  },
  {
    name: 'desktop',
    method: 'GET',
    api: 'absolute',
    path: '/api/latest/fleet/device/{token}/desktop',
    hostPath: (host) => `/api/latest/fleet/device/${deviceTokenOf(host)}/desktop`,
    credential: 'device_token',
    body: () => undefined,
    expectedStatus: 200,
    prepare: 'device-token',
    description: 'Fleet Desktop summary (device token in the URL)',
  },
  {
    name: 'desktop-ping',
    method: 'HEAD',
    api: 'absolute',
    path: '/api/latest/fleet/device/{token}/ping',
    hostPath: (host) => `/api/latest/fleet/device/${deviceTokenOf(host)}/ping`,
    credential: 'device_token',
    body: () => undefined,
    expectedStatus: 200,
    prepare: 'device-token',
    description: 'Fleet Desktop token check (HEAD, device token in the URL)',
  },
] as const satisfies readonly BenchEndpoint[];

export type BenchEndpointName = (typeof BENCH_ENDPOINTS)[number]['name'];
export const BENCH_ENDPOINT_NAMES: readonly BenchEndpointName[] = BENCH_ENDPOINTS.map((endpoint) => endpoint.name);

export function benchEndpoint(name: BenchEndpointName): BenchEndpoint {
  return BENCH_ENDPOINTS.find((endpoint) => endpoint.name === name)!;
}

/**
 * The request path of `endpoint` on a server whose osquery API is at `osqueryPrefix` (e.g.
 * `/api/osquery`), on behalf of `host` when the row has a per-host path (without a host: the template).
 */
export function endpointPath(endpoint: BenchEndpoint, osqueryPrefix: string, host?: EndpointHost): string {
  if (endpoint.hostPath !== undefined && host !== undefined) return endpoint.hostPath(host);
  return endpoint.api === 'osquery' ? `${osqueryPrefix}${endpoint.path}` : endpoint.path;
}

/** The preparations that need orbit node keys (and, for `device-token`, the tokens set). */
export function needsOrbit(preparation: EndpointPreparation): boolean {
  return preparation === 'orbit-enrolled' || preparation === 'device-token';
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
