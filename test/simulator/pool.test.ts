import { afterEach, expect, test } from 'vitest';
import { decodeHistogram } from '../../lib/histogram.js';
import { runSimulation, type LiveWindow } from '../../simulator/pool.js';
import { startFakeServer, type FakeServer } from './fixtures/fake-server.js';
import { ENVIRONMENT_DATA, scenario, waitFor } from './helpers.js';

let server: FakeServer | undefined;
afterEach(async () => server?.close());

test('worker threads run the hosts, stream windows, answer truth, ramp, and return a result document', async () => {
  server = await startFakeServer({ queriesOnRead: (i): Record<string, string> => (i === 0 ? { fleet_policy_query_3: 'SELECT 1 FROM disk_encryption WHERE encrypted = 1' } : {}) });
  const s = scenario({
    hosts: 60,
    duration: '1h',
    fleet: { groups: [{ name: 'mac', weight: 1, platform: 'darwin', os_version: '14', tables: { disk_encryption: [{ name: 'd', encrypted: 1 }] } }, { name: 'linux', weight: 1, platform: 'ubuntu', os_version: '22.04' }] },
    policies: [{ name: 'Disk encrypted', query: 'SELECT 1 FROM disk_encryption WHERE encrypted = 1' }],
  }, { distributed_interval: '500ms', start_period: '200ms' });
  const sim = runSimulation({ targets: [server.url], scenario: s, workers: 2, connections: 4, capacity: 100, environment: ENVIRONMENT_DATA });
  const windows: LiveWindow[] = [];
  sim.onWindow((w) => windows.push(w));
  await sim.started;
  const srv = server;
  await waitFor(() => srv.written.size === 60, 15_000);
  await waitFor(() => windows.length >= 2, 5000);
  const truth = await sim.truth();
  expect(truth).toEqual([{ id: 3, query: 'SELECT 1 FROM disk_encryption WHERE encrypted = 1', counts: { passing: 30, failing: 30, unknown: 0 } }]);
  sim.setHosts(100);
  await waitFor(() => srv.written.size === 100, 15_000);
  expect(() => sim.setHosts(101)).toThrow(/capacity/);
  sim.stop();
  const result = await sim.done;
  expect(result.schema).toBe('osqsim.result/v1');
  expect(result.run).toMatchObject({ hosts: 100, workers: 2, connections: 8, seed: 7 });
  expect(result.endpoints.enroll!.count).toBe(100);
  expect(result.endpoints.read!.errors).toEqual({});
  expect(decodeHistogram(result.endpoints.read!.histogram).totalCount).toBe(result.endpoints.read!.count);
  expect(result.policies).toEqual([{ id: 3, query: 'SELECT 1 FROM disk_encryption WHERE encrypted = 1', name: 'Disk encrypted', truth: { passing: 50, failing: 50, unknown: 0 } }]);
  expect(result.windows.length).toBeGreaterThanOrEqual(2);
  expect(windows.at(-1)!.hosts_enrolled).toBeGreaterThan(0);
  // Saturation depends on the machine's load; only its consistency is checked here.
  expect(result.generator.saturated).toBe(result.generator.warnings.length > 0);
}, 40_000);
