/**
 * The strategies inside a running server: results arrive through the osquery API (ingest, group
 * commit) and counts leave through the REST API, as users see them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer, type OsqsimServer } from '../../../server/app.js';
import { cleanupJobOf } from '../../../server/api/index.js';
import type { StatsStrategyName } from '../../../contract/vocabulary.js';
import { statsOf } from '../../../server/stats/index.js';

const TOKEN = 'e2e-token';
const auth = { authorization: `Bearer ${TOKEN}` };
let running: OsqsimServer[] = [];

afterEach(async () => {
  await Promise.all(running.map((server) => server.close()));
  running = [];
});

async function start(statsStrategy: StatsStrategyName, now?: () => Date): Promise<OsqsimServer> {
  const server = await buildServer({
    store: 'memory',
    apiToken: TOKEN,
    statsStrategy,
    logLevel: 'silent',
    host: '127.0.0.1',
    port: 0,
    enrollSecrets: [{ secret: 'e2e-secret' }],
    ...(now ? { now } : {}),
  });
  running.push(server);
  await server.listen(); // starts the jobs (edit clean-up, flush timers); the runner's first tick is 10 s away
  return server;
}

async function createPolicy(server: OsqsimServer, name: string): Promise<number> {
  const response = await server.app.inject({ method: 'POST', url: '/api/v1/fleet/global/policies', headers: auth, payload: { name, query: 'SELECT 1;' } });
  expect(response.statusCode).toBe(200);
  return (response.json() as { policy: { id: number } }).policy.id;
}

async function enroll(server: OsqsimServer, id: string): Promise<string> {
  const response = await server.app.inject({
    method: 'POST',
    url: '/api/osquery/enroll',
    payload: { enroll_secret: 'e2e-secret', host_identifier: id, host_details: { osquery_info: { uuid: id }, os_version: { platform: 'darwin' } } },
  });
  expect(response.statusCode).toBe(200);
  return (response.json() as { node_key: string }).node_key;
}

async function write(server: OsqsimServer, nodeKey: string, policyId: number, passes: boolean): Promise<void> {
  const name = `fleet_policy_query_${policyId}`;
  const response = await server.app.inject({
    method: 'POST',
    url: '/api/osquery/distributed/write',
    payload: { node_key: nodeKey, queries: { [name]: passes ? [{ 1: '1' }] : [] }, statuses: { [name]: 0 } },
  });
  expect(response.statusCode).toBe(200);
}

async function counts(server: OsqsimServer, policyId: number): Promise<{ passing: number; failing: number; updatedAt: string | null }> {
  const response = await server.app.inject({ method: 'GET', url: `/api/v1/fleet/global/policies/${policyId}`, headers: auth });
  const policy = (response.json() as { policy: { passing_host_count: number; failing_host_count: number; host_count_updated_at: string | null } }).policy;
  return { passing: policy.passing_host_count, failing: policy.failing_host_count, updatedAt: policy.host_count_updated_at };
}

describe('count strategies in a running server', () => {
  it('incremental: an acknowledged write is in the next read; a query edit brings the counts to 0', async () => {
    const server = await start('incremental');
    const policyId = await createPolicy(server, 'disk encryption');
    const a = await enroll(server, 'host-a');
    const b = await enroll(server, 'host-b');
    await write(server, a, policyId, true);
    await write(server, b, policyId, false);
    expect(await counts(server, policyId)).toMatchObject({ passing: 1, failing: 1 });
    await write(server, b, policyId, true);
    expect(await counts(server, policyId)).toMatchObject({ passing: 2, failing: 0 });

    const edit = await server.app.inject({ method: 'PATCH', url: `/api/v1/fleet/global/policies/${policyId}`, headers: auth, payload: { query: 'SELECT 2;' } });
    expect(edit.statusCode).toBe(200);
    await cleanupJobOf(server.context)!.whenIdle();
    await statsOf(server.context)!.strategy.flush();
    expect(await counts(server, policyId)).toMatchObject({ passing: 0, failing: 0 });
    await write(server, a, policyId, false);
    expect(await counts(server, policyId)).toMatchObject({ passing: 0, failing: 1 });
    expect(await statsOf(server.context)!.strategy.periodic!()).toMatchObject({ drift: 0 });
  });

  it('cron: counts and host_count_updated_at change only when a run happens', async () => {
    let clock = new Date('2026-05-01T08:00:00.000Z');
    const server = await start('cron', () => clock);
    const policyId = await createPolicy(server, 'firewall');
    const a = await enroll(server, 'host-a');
    await write(server, a, policyId, true);
    expect(await counts(server, policyId)).toEqual({ passing: 0, failing: 0, updatedAt: null });
    expect(await statsOf(server.context)!.runner!.tick()).toBe('ran');
    expect(await counts(server, policyId)).toEqual({ passing: 1, failing: 0, updatedAt: '2026-05-01T08:00:00Z' });
    clock = new Date('2026-05-01T08:20:00.000Z');
    await write(server, a, policyId, false);
    expect(await counts(server, policyId)).toMatchObject({ passing: 1, failing: 0 });
    expect(await statsOf(server.context)!.runner!.tick()).toBe('recently-run'); // 20 min < 80 % of the 1 h interval
    clock = new Date('2026-05-01T09:00:00.000Z');
    expect(await statsOf(server.context)!.runner!.tick()).toBe('ran');
    expect(await counts(server, policyId)).toEqual({ passing: 0, failing: 1, updatedAt: '2026-05-01T09:00:00Z' });
  });

  it('realtime: every read counts what is stored now', async () => {
    const server = await start('realtime');
    const policyId = await createPolicy(server, 'screen lock');
    const a = await enroll(server, 'host-a');
    await write(server, a, policyId, false);
    expect(await counts(server, policyId)).toMatchObject({ passing: 0, failing: 1 });
    await write(server, a, policyId, true);
    expect(await counts(server, policyId)).toMatchObject({ passing: 1, failing: 0 });
  });

  it.each(['incremental', 'realtime', 'cron'] as const)(
    '%s: a label-scoped policy counts only hosts in its scope; answers from outside it are discarded',
    async (strategy) => {
      const server = await start(strategy);
      const policyId = await createPolicy(server, `scoped ${strategy}`);
      const a = await enroll(server, 'host-a');
      const b = await enroll(server, 'host-b');
      await write(server, a, policyId, true);
      await write(server, b, policyId, false);
      const hostA = (await server.context.store.getHostByNodeKey(a))!;
      const label = await server.app.inject({ method: 'POST', url: '/api/v1/fleet/labels', headers: auth, payload: { name: 'only a', host_ids: [hostA.id] } });
      expect(label.statusCode).toBe(200);
      const scoped = await server.app.inject({
        method: 'PATCH',
        url: `/api/v1/fleet/global/policies/${policyId}`,
        headers: auth,
        payload: { labels_include_any: ['only a'] },
      });
      expect(scoped.statusCode).toBe(200);
      await write(server, b, policyId, true); // b is outside the scope now: discarded
      const stats = statsOf(server.context)!;
      if (strategy === 'incremental') await stats.strategy.flush();
      if (strategy === 'cron') expect(await stats.runner!.tick()).toBe('ran');
      expect(await counts(server, policyId)).toMatchObject({ passing: 1, failing: 0 });
      expect(await server.context.store.getMembership(policyId, (await server.context.store.getHostByNodeKey(b))!.id)).toBeUndefined();
      // The removed rows reached the delta strategy as changes: its reconcile finds nothing to repair.
      if (strategy === 'incremental') expect(await stats.strategy.periodic!()).toMatchObject({ drift: 0 });
    },
  );
});
