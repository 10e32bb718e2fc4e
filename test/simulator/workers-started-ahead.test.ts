/**
 * Worker threads started ahead of their run (pool.ts startWorkers, which `osqsim run` overlaps with the
 * server's start): the run takes them over, and its hosts answer exactly as with threads of its own —
 * whether the threads prepared the run's fleet or another one (shard.ts evaluatorFor then builds its own).
 */
import { afterEach, expect, test } from 'vitest';
import { runSimulation, simulationWorkers, startWorkers } from '../../simulator/pool.js';
import { startFakeServer, type FakeServer } from './fixtures/fake-server.js';
import { ENVIRONMENT_DATA, scenario, waitFor } from './helpers.js';

let server: FakeServer | undefined;
afterEach(async () => server?.close());

const QUERY = 'SELECT 1 FROM disk_encryption WHERE encrypted = 1';
const GROUPS = [
  { name: 'mac', weight: 1, platform: 'darwin', os_version: '14', tables: { disk_encryption: [{ name: 'd', encrypted: 1 }] } },
  { name: 'linux', weight: 1, platform: 'ubuntu', os_version: '22.04' },
];

async function truthWith(prepared: 'same fleet' | 'other fleet' | 'none'): Promise<unknown> {
  server = await startFakeServer({ queriesOnRead: (i): Record<string, string> => (i === 0 ? { fleet_policy_query_3: QUERY } : {}) });
  const s = scenario({ hosts: 40, duration: '1h', fleet: { groups: GROUPS }, policies: [{ name: 'Disk encrypted', query: QUERY }] }, { distributed_interval: '500ms', start_period: '200ms' });
  const groups = prepared === 'same fleet' ? s.fleet.groups : [{ ...s.fleet.groups[1]!, name: 'other' }];
  const workersStarted = prepared === 'none' ? undefined : startWorkers(2, { groups, environment: ENVIRONMENT_DATA });
  const sim = runSimulation({ targets: [server.url], scenario: s, workers: 2, environment: ENVIRONMENT_DATA, ...(workersStarted ? { workersStarted } : {}) });
  await sim.started;
  const srv = server;
  await waitFor(() => srv.written.size === 40, 30_000).catch((error: Error) => {
    throw new Error(`${prepared}: ${srv.written.size} of 40 hosts wrote: ${error.message}`);
  });
  sim.stop();
  const result = await sim.done;
  await workersStarted?.destroy(); // taken over by the run: a no-op
  return result.policies.map((p) => p.truth);
}

test('a run on threads started ahead counts the same truth as on its own threads, with or without their prepared fleet', async () => {
  const expected = [{ passing: 20, failing: 20, unknown: 0 }];
  expect(await truthWith('none')).toEqual(expected);
  expect(await truthWith('same fleet')).toEqual(expected);
  expect(await truthWith('other fleet')).toEqual(expected);
}, 120_000);

test('threads started ahead serve one run of their count; unused ones are destroyed', async () => {
  const s = scenario({ hosts: 5, duration: '1s' });
  const three = startWorkers(3);
  expect(() => runSimulation({ targets: ['http://127.0.0.1:9'], scenario: s, workers: 2, workersStarted: three })).toThrow(/3 threads started ahead, this run needs 2/);
  await three.destroy();
  expect(simulationWorkers(8, 5, 3)).toBe(3);
  expect(simulationWorkers(undefined, 5, 5)).toBeGreaterThanOrEqual(1);
}, 30_000);
