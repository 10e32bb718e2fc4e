/**
 * The endpoint table of `osqsim bench checkin --endpoint` (capacity/checkin-endpoints.ts): every row's
 * request is one a real osqsim server accepts with the row's status, after the row's preparation;
 * `--endpoint` takes names, comma lists, repeats and `all`, and an unknown name is exit 2 naming the list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { addBenchCommand, runBench, type BenchDefinition } from '../../capacity/bench-command.js';
import { option, repeatable } from '../../capacity/bench-params.js';
import { checkinBench } from '../../capacity/checkin-bench-command.js';
import { BENCH_ENDPOINT_NAMES, BENCH_ENDPOINTS, deviceTokenBody, endpointPath, orbitEnrollBody, parseEndpointList, type BenchEndpointName, type EndpointHost, type EndpointPreparation } from '../../capacity/checkin-endpoints.js';
import { EXIT } from '../../lib/exit-codes.js';
import { buildServer, type OsqsimServer } from '../../server/app.js';
import { enrollBody, writeBody, type BenchHost } from '../../simulator/open-loop/hosts.js';

const PREFIX = '/api/osquery';
const SECRET = 'endpoint-secret';
const SEED = 5;

describe('the endpoint table against an osqsim server (memory store)', () => {
  let server: OsqsimServer;
  const prepared: Record<Exclude<EndpointPreparation, 'none'>, EndpointHost[]> = { enrolled: [], idle: [], 'orbit-enrolled': [], 'device-token': [] };

  const inject = (method: 'GET' | 'POST' | 'HEAD', url: string, body: string | undefined) =>
    server.app.inject({ method, url, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { payload: body }) });

  async function enroll(index: number): Promise<BenchHost> {
    const response = await inject('POST', `${PREFIX}/enroll`, enrollBody(SECRET, SEED, index));
    expect(response.statusCode).toBe(200);
    const nodeKey = (JSON.parse(response.body) as { node_key: string }).node_key;
    return { index, identifier: `host-${index}`, nodeKey, firstQueries: [] };
  }

  beforeAll(async () => {
    server = await buildServer({ store: 'memory', port: 0, logLevel: 'silent', enrollSecrets: [{ secret: SECRET }] });
    await server.context.store.applyPolicySpecs([{ name: 'always passes', query: 'SELECT 1;', teamId: null }]);
    prepared.enrolled.push(await enroll(0));
    // Idle: the first read answered, so nothing is due at the next read.
    const host = await enroll(1);
    const read = await inject('POST', `${PREFIX}/distributed/read`, JSON.stringify({ node_key: host.nodeKey }));
    host.firstQueries = Object.keys((JSON.parse(read.body) as { queries: Record<string, string> }).queries);
    expect(host.firstQueries.some((name) => name.startsWith('fleet_policy_query_'))).toBe(true);
    expect((await inject('POST', `${PREFIX}/distributed/write`, writeBody(host, SEED))).statusCode).toBe(200);
    prepared.idle.push(host);
    // Orbit: the osquery host's identifier enrolled through orbit, and (device-token) its token set.
    for (const [index, preparation] of [[2, 'orbit-enrolled'], [3, 'device-token']] as const) {
      const orbitHost: EndpointHost = await enroll(index);
      const orbit = await inject('POST', '/api/fleet/orbit/enroll', orbitEnrollBody(SECRET, orbitHost.identifier));
      expect(orbit.statusCode, orbit.body).toBe(200);
      orbitHost.orbitNodeKey = (JSON.parse(orbit.body) as { orbit_node_key: string }).orbit_node_key;
      if (preparation === 'device-token') expect((await inject('POST', '/api/fleet/orbit/device_token', deviceTokenBody(orbitHost))).statusCode).toBe(200);
      prepared[preparation].push(orbitHost);
    }
  });

  afterAll(async () => {
    await server?.close();
  });

  it.each(BENCH_ENDPOINTS.map((endpoint) => [endpoint.name, endpoint] as const))('%s: the request is accepted with its expected status', async (_name, endpoint) => {
    const host = endpoint.prepare === 'none' ? { index: 0, identifier: '', nodeKey: '', firstQueries: [] } : prepared[endpoint.prepare][0]!;
    const response = await inject(endpoint.method, endpointPath(endpoint, PREFIX, host), endpoint.body(host, { enrollSecret: SECRET, seed: SEED }));
    expect(response.statusCode, response.body).toBe(endpoint.expectedStatus);
  });

  it('the orbit rows are rejected without their preparation, so a 200 above is the prepared path', async () => {
    const bare: EndpointHost = { index: 9, identifier: 'never-enrolled', nodeKey: '', firstQueries: [] };
    for (const name of ['orbit-config', 'device-token', 'desktop', 'desktop-ping'] as const) {
      const endpoint = BENCH_ENDPOINTS.find((row) => row.name === name)!;
      const response = await inject(endpoint.method, endpointPath(endpoint, PREFIX, bare), endpoint.body(bare, { enrollSecret: SECRET, seed: SEED }));
      expect(response.statusCode, name).toBe(401);
    }
    // The orbit-enrolled host has no token yet: Desktop refuses it until the device-token preparation.
    const desktop = BENCH_ENDPOINTS.find((row) => row.name === 'desktop')!;
    expect((await inject('GET', endpointPath(desktop, PREFIX, prepared['orbit-enrolled'][0]), undefined)).statusCode).toBe(401);
  });

  it('measuring enroll never re-keys a host the other endpoints use', async () => {
    const enrollRow = BENCH_ENDPOINTS.find((endpoint) => endpoint.name === 'enroll')!;
    const host = prepared.idle[0]!;
    expect((await inject('POST', `${PREFIX}/enroll`, enrollRow.body(host, { enrollSecret: SECRET, seed: SEED }))).statusCode).toBe(200);
    const read = await inject('POST', `${PREFIX}/distributed/read`, JSON.stringify({ node_key: host.nodeKey }));
    expect(read.statusCode).toBe(200);
    expect(read.body).toBe('{"queries":{},"discovery":{}}');
  });
});

describe('--endpoint', () => {
  it('takes a name, a comma list or all, in the order given, without duplicates', () => {
    expect(parseEndpointList('read', '--endpoint')).toEqual(['read']);
    expect(parseEndpointList('log, enroll,log', '--endpoint')).toEqual(['log', 'enroll']);
    expect(parseEndpointList('all', '--endpoint')).toEqual([...BENCH_ENDPOINT_NAMES]);
    expect(BENCH_ENDPOINT_NAMES).toEqual(['enroll', 'config', 'read', 'write', 'log', 'orbit-enroll', 'orbit-config', 'orbit-ping', 'device-token', 'desktop', 'desktop-ping']);
  });

  it('collects repeated flags, and a repeat replaces the default', async () => {
    let seen: BenchEndpointName[] = [];
    const definition: BenchDefinition<{ endpoint: ReturnType<typeof repeatable<BenchEndpointName[]>> }, Record<string, never>> = {
      name: 'probe',
      description: 'records --endpoint',
      params: { endpoint: repeatable(option('--endpoint <name>', 'endpoints', parseEndpointList, 'read')) },
      run: async (values) => {
        seen = values.endpoint;
        return { params: {}, results: {} };
      },
      format: () => '',
    };
    const exitCode = process.exitCode;
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      const program = new Command().exitOverride();
      addBenchCommand(program, definition);
      await program.parseAsync(['probe', '--endpoint', 'log', '--endpoint', 'config,read'], { from: 'user' });
      expect(seen).toEqual(['log', 'config', 'read']);
      await program.parseAsync(['probe'], { from: 'user' });
      expect(seen).toEqual(['read']);
    } finally {
      process.stdout.write = write;
      process.exitCode = exitCode;
    }
  });

  it('an unknown endpoint is invalid input (exit 2) naming every endpoint', async () => {
    let stderr = '';
    const code = await runBench(checkinBench, { target: 'http://127.0.0.1:9', endpoint: 'read,pong' }, { stdout: () => undefined, stderr: (text) => void (stderr += text) });
    expect(code).toBe(EXIT.INVALID_INPUT);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--endpoint/);
    expect(stderr).toMatch(/unknown endpoint "pong"/);
    expect(stderr).toMatch(/enroll, config, read, write, log, orbit-enroll, orbit-config, orbit-ping, device-token, desktop, desktop-ping, or all/);
  });
});
