import { afterEach, expect, test } from 'vitest';
import { startFakeServer, type FakeServer } from './fixtures/fake-server.js';
import { runInProcess, scenario, waitFor } from './helpers.js';

let server: FakeServer | undefined;
afterEach(async () => server?.close());

test('node_invalid on a read makes the host re-enroll, re-send the read and carry on with its new key', async () => {
  server = await startFakeServer({ invalidateAfterReads: 2 });
  const s = scenario({ hosts: 1, fleet: { groups: [{ name: 'mac', count: 1, platform: 'darwin', os_version: '14.4' }] } }, { distributed_interval: '100ms' });
  const sim = runInProcess(s, server.url);
  const srv = server;
  await waitFor(() => srv.requests.filter((r) => r.endpoint === 'enroll').length >= 2 && srv.requests.filter((r) => r.endpoint === 'read').length >= 5);
  sim.stop();
  const result = await sim.done;
  const enrolls = srv.requests.filter((r) => r.endpoint === 'enroll');
  expect(enrolls).toHaveLength(2);
  // The same host identity enrolls again (osquery keeps its identifier), with the same details.
  expect(enrolls[1]!.body.host_identifier).toBe(enrolls[0]!.body.host_identifier);
  const reads = srv.requests.filter((r) => r.endpoint === 'read');
  const keys = new Set(reads.map((r) => r.body.node_key));
  expect(keys.size).toBe(2);
  // After re-enrolling it re-sends the same read (utility.h: the next attempt calls getNodeKey, which
  // enrolls); the config loop keeps its phase: no extra config request.
  const secondEnrollAt = srv.requests.indexOf(enrolls[1]!);
  expect(srv.requests.slice(secondEnrollAt + 1).find((r) => r.endpoint !== 'log')?.endpoint).toBe('read');
  expect(srv.requests.filter((r) => r.endpoint === 'config')).toHaveLength(1);
  expect(result.totals.endpoints.read.outcomes['4xx']).toBe(1);
  expect(result.enrolled).toBe(1);
});
