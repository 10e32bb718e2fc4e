import { afterEach, expect, test } from 'vitest';
import { hostIdentity } from '../../simulator/identity.js';
import { startFakeServer, type FakeServer } from './fixtures/fake-server.js';
import { runInProcess, scenario, waitFor } from './helpers.js';

let server: FakeServer | undefined;
afterEach(async () => server?.close());

test('identities are a function of (seed, index): stable across runs, unique, different per seed', () => {
  const a = Array.from({ length: 5000 }, (_, i) => hostIdentity(7, i, 'mac'));
  const again = Array.from({ length: 5000 }, (_, i) => hostIdentity(7, i, 'mac'));
  expect(again).toEqual(a);
  expect(new Set(a.map((x) => x.uuid)).size).toBe(5000);
  expect(new Set(a.map((x) => x.serial)).size).toBe(5000);
  expect(hostIdentity(8, 0, 'mac').uuid).not.toBe(a[0]!.uuid);
});

async function runOnce(seed: number) {
  const queries = { fleet_policy_query_1: 'SELECT 1 FROM disk_encryption WHERE encrypted = 1', fleet_policy_query_2: 'SELECT 1' };
  server = await startFakeServer({ queriesOnRead: (i) => (i === 0 ? queries : {}) });
  const s = scenario({
    seed,
    hosts: 40,
    fleet: { groups: [{ name: 'mac', weight: 3, platform: 'darwin', os_version: '14', tables: { disk_encryption: [{ name: 'd', encrypted: 1 }] } }, { name: 'linux', weight: 1, platform: 'ubuntu', os_version: '22.04' }] },
    policies: [{ name: 'p2', query: 'SELECT 1', fail_rate: 0.5 }],
  });
  const sim = runInProcess(s, server.url);
  const srv = server;
  await waitFor(() => srv.written.size === 40);
  sim.stop();
  const result = await sim.done;
  const answers = [...srv.written.entries()].map(([host, m]) => [host, JSON.stringify([...m.entries()].sort())]).sort();
  await srv.close();
  server = undefined;
  return { answers, truth: result.truth };
}

test('the same seed gives the same hosts and the same answers; another seed other hosts', async () => {
  const first = await runOnce(11);
  const second = await runOnce(11);
  expect(second.answers).toEqual(first.answers);
  expect(second.truth).toEqual(first.truth);
  const other = await runOnce(12);
  expect(other.answers.map(([h]) => h)).not.toEqual(first.answers.map(([h]) => h));
});

test('shards of one run enroll disjoint hosts that together are the whole run', async () => {
  server = await startFakeServer();
  const s = scenario({ hosts: 40, fleet: { groups: [{ name: 'mac', count: 40, platform: 'darwin', os_version: '14' }] } });
  const shards = [0, 1, 2].map((index) => runInProcess(s, server!.url, { shard: { index, count: 3 } }));
  const srv = server;
  await waitFor(() => srv.requests.filter((r) => r.endpoint === 'enroll').length >= 40);
  await new Promise((r) => setTimeout(r, 200));
  for (const shard of shards) shard.stop();
  const results = await Promise.all(shards.map((shard) => shard.done));
  expect(results.map((r) => r.hosts)).toEqual([14, 13, 13]);
  const ids = srv.requests.filter((r) => r.endpoint === 'enroll').map((r) => r.body.host_identifier);
  expect(ids).toHaveLength(40);
  expect(new Set(ids).size).toBe(40);
  const whole = new Set(Array.from({ length: 40 }, (_, i) => hostIdentity(7, i, 'mac').uuid));
  expect(new Set(ids)).toEqual(whole);
});
