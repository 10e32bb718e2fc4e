/**
 * Benchmark target (child process of bench/checkin.ts and bench/ingest.ts): an osqsim server with
 * pre-enrolled, idle hosts and a bare fastify JSON route, in one process so both are measured
 * under the same conditions while the load generator runs in the parent on the other core.
 *
 *   node --import tsx bench/osquery-target.ts --store memory|mysql://… --hosts N --policies P
 *
 * Prints one JSON line {osqsimUrl, bareUrl, nodeKeys, hostIds, policyIds, queryIds} when ready (with --orbit
 * also orbitNodeKeys: every host enrolled through orbit too, its device token set); exits on stdin
 * end or SIGTERM.
 */
import Fastify from 'fastify';
import { deviceTokenBody, orbitEnrollBody } from '../capacity/checkin-endpoints.js';
import { buildServer } from '../server/app.js';
import { hostFeedOf } from '../server/osquery/host-feed.js';
import { TARGET_SERVER_PARAMS } from './common.js';
import { benchFlags, nonNegativeInt, option, positiveInt, text, toggle } from './harness.js';

const flags = benchFlags({
  store: option('--store <spec>', 'memory or mysql://…', text, 'memory'),
  hosts: option('--hosts <n>', 'pre-enrolled idle hosts', nonNegativeInt, '2000'),
  policies: option('--policies <n>', 'global policies', nonNegativeInt, '20'),
  ingestMaxBatch: option('--ingest-max-batch <hosts>', 'group commit: hosts per batch', positiveInt, '500'),
  orbit: toggle('--orbit', 'also enroll every host through orbit and set its device token (the orbit rows of bench/checkin.ts --endpoint)'),
  ingestMaxDelay: option('--ingest-max-delay <ms>', 'group commit: longest wait (ms)', nonNegativeInt, '5'),
  queries: option('--queries <n>', 'global scheduled queries (snapshot reports, 1 h interval; bench/result-logs.ts)', nonNegativeInt, '0'),
  queryReportCap: option('--query-report-cap <rows>', 'rows kept per query report', positiveInt, '1000'),
  ...TARGET_SERVER_PARAMS,
});
const hostCount = flags.hosts;
const policyCount = flags.policies;

const server = await buildServer({
  store: flags.store,
  port: 0,
  logLevel: 'warn',
  enrollSecrets: [{ secret: 'bench' }],
  ingestMaxBatchHosts: flags.ingestMaxBatch,
  ingestMaxDelayMs: flags.ingestMaxDelay,
  hostCacheTtlMs: flags.hostCacheTtl,
  hostFeedIntervalMs: flags.hostFeedInterval,
  ingestPoolSize: flags.ingestPoolSize,
  ingestConcurrentCommits: flags.ingestConcurrentCommits,
  queryReportCap: flags.queryReportCap,
});
const { store, events } = server.context;
const policyIds: number[] = [];
for (let i = 0; i < policyCount; i++) {
  const policy = await store.createPolicy({ teamId: null, name: `bench policy ${i}`, query: `SELECT ${i + 1};` });
  policyIds.push(policy.id);
}
events.emit('policiesChanged', policyIds);
const queryIds: number[] = [];
for (let i = 0; i < flags.queries; i++) {
  queryIds.push((await store.createQuery({ teamId: null, name: `bench query ${i}`, query: `SELECT ${i + 1} AS n;`, interval: 3600 })).id);
}
events.emit('queriesChanged', queryIds);

const post = async (url: string, body: unknown): Promise<string> => {
  const response = await server.app.inject({ method: 'POST', url, payload: body as object });
  if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
  return response.body;
};
const nodeKeys: string[] = [];
const hostIds: number[] = [];
const BATCH = 50;
for (let start = 0; start < hostCount; start += BATCH) {
  const batch = Array.from({ length: Math.min(BATCH, hostCount - start) }, (_, j) => start + j);
  await Promise.all(
    batch.map(async (i) => {
      const name = `bench-host-${i}`;
      const body = await post('/api/osquery/enroll', {
        enroll_secret: 'bench',
        host_identifier: name,
        host_details: { os_version: { platform: 'ubuntu', name: 'Ubuntu', version: '22.04' }, system_info: { hostname: name } },
      });
      const nodeKey = (JSON.parse(body) as { node_key: string }).node_key;
      // Answer everything once so the host is idle (nothing due) for the next hour.
      const queries: Record<string, unknown> = {
        fleet_detail_query_os_version: [{ platform: 'ubuntu', name: 'Ubuntu', version: '22.04' }],
        fleet_detail_query_osquery_info: [{ version: '5.12.1' }],
        fleet_detail_query_system_info: [{ hostname: name }],
        fleet_detail_query_uptime: [{ total_seconds: '100' }],
      };
      // Label queries (fleet_label_query_<id>) are due on a new host too: answer each one it is sent.
      const due = JSON.parse(await post('/api/osquery/distributed/read', { node_key: nodeKey })) as { queries: Record<string, string> };
      for (const queryName of Object.keys(due.queries)) if (queryName.startsWith('fleet_label_query_')) queries[queryName] = [];
      for (const id of policyIds) queries[`fleet_policy_query_${id}`] = [{ 1: '1' }];
      if (policyIds.length === 0) queries.fleet_no_policies_wildcard = [{ 1: '1' }];
      await post('/api/osquery/distributed/write', { node_key: nodeKey, queries, statuses: {} });
      nodeKeys[i] = nodeKey;
    }),
  );
}
for (const key of nodeKeys) hostIds.push((await store.getHostByNodeKey(key))!.id);
const idle = await post('/api/osquery/distributed/read', { node_key: nodeKeys[0] });
if (idle !== '{"queries":{},"discovery":{}}') throw new Error(`pre-enrolled host is not idle: ${idle}`);

// The orbit rows' preparations (capacity/checkin-endpoints.ts): the same identity through orbit, then its device token.
const orbitNodeKeys: string[] = [];
if (flags.orbit) {
  for (let start = 0; start < hostCount; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, hostCount - start) }, (_, j) => start + j);
    await Promise.all(
      batch.map(async (i) => {
        const identifier = `bench-host-${i}`;
        const orbitNodeKey = (JSON.parse(await post('/api/fleet/orbit/enroll', JSON.parse(orbitEnrollBody('bench', identifier)))) as { orbit_node_key: string }).orbit_node_key;
        await post('/api/fleet/orbit/device_token', JSON.parse(deviceTokenBody({ index: i, identifier, nodeKey: nodeKeys[i]!, firstQueries: [], orbitNodeKey })));
        orbitNodeKeys[i] = orbitNodeKey;
      }),
    );
  }
}

const bare = Fastify({ logger: false });
const EMPTY = '{"queries":{},"discovery":{}}';
bare.post('/bare', (request, reply) => {
  const body = request.body as { node_key?: unknown };
  if (typeof body?.node_key !== 'string') return reply.status(401).send({ error: 'missing node key', node_invalid: true });
  return reply.type('application/json; charset=utf-8').send(EMPTY);
});
// Per-endpoint bare routes (bench/checkin.ts --endpoint): the parent stores the exact status, type and
// bytes osqsim answered a sample request with; the route parses the same body, checks the same
// credential field is a string, and answers those bytes.
interface Canned { status: number; type: string; body: string; credential: string }
const canned = new Map<string, Canned>();
bare.put('/canned/:name', (request, reply) => {
  canned.set((request.params as { name: string }).name, request.body as Canned);
  return reply.status(204).send();
});
bare.route({ method: ['GET', 'HEAD', 'POST'], url: '/bare/:name', handler: (request, reply) => {
  const answer = canned.get((request.params as { name: string }).name);
  const body = request.body as Record<string, unknown> | undefined;
  if (answer === undefined) return reply.status(404).send({ error: 'nothing canned' });
  // GET and HEAD (orbit's ping, Fleet Desktop) carry no body to check.
  if (request.method === 'POST' && typeof body?.[answer.credential] !== 'string') return reply.status(401).send({ error: 'missing credential', node_invalid: true });
  return reply.status(answer.status).type(answer.type).send(answer.body);
} });
// The parent reads the target's CPU time around each round: CPU per request is the server's cost,
// independent of whether the load generator or the machine's other work limited the request rate.
bare.get('/cpu', (_request, reply) => {
  const usage = process.cpuUsage();
  return reply.send({ cpu_us: usage.user + usage.system });
});
// Hot-path cache counters: a miss is one store lookup by node key.
bare.get('/cache', (_request, reply) => {
  const hosts = hostFeedOf(server.context)?.hosts;
  return reply.send({ hits: hosts?.hits ?? 0, misses: hosts?.misses ?? 0 });
});
const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
const osqsimUrl = await server.listen();
process.stdout.write(`${JSON.stringify({ osqsimUrl, bareUrl, nodeKeys, hostIds, policyIds, queryIds, ...(flags.orbit ? { orbitNodeKeys } : {}) })}\n`);

let closing = false;
const close = async (): Promise<void> => {
  if (closing) return;
  closing = true;
  await bare.close();
  await server.close();
  process.exit(0);
};
process.stdin.on('end', () => void close());
process.stdin.resume();
process.on('SIGTERM', () => void close());
