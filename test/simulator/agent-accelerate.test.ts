import { afterEach, expect, test } from 'vitest';
import { startFakeServer, type FakeServer } from './fixtures/fake-server.js';
import { runInProcess, scenario, waitFor } from './helpers.js';

let server: FakeServer | undefined;
afterEach(async () => server?.close());

test('accelerate shortens the distributed sleep to 5 s while the window is open', async () => {
  server = await startFakeServer({ accelerateOnRead: (i) => (i === 0 ? 60 : 0) });
  const s = scenario({ hosts: 1, fleet: { groups: [{ name: 'mac', count: 1, platform: 'darwin', os_version: '14.4' }] } }, { distributed_interval: '60s' });
  const sim = runInProcess(s, server.url);
  const srv = server;
  await waitFor(() => srv.requests.filter((r) => r.endpoint === 'read').length >= 2, 12_000);
  sim.stop();
  await sim.done;
  const reads = srv.requests.filter((r) => r.endpoint === 'read');
  const gap = reads[1]!.at - reads[0]!.at;
  // Without accelerate the next read would come 60 s later.
  expect(gap).toBeGreaterThanOrEqual(4900);
  expect(gap).toBeLessThan(8000);
}, 20_000);

test('accelerate is ignored when the scenario turns it off', async () => {
  server = await startFakeServer({ accelerateOnRead: () => 60 });
  const s = scenario({ hosts: 1, fleet: { groups: [{ name: 'mac', count: 1, platform: 'darwin', os_version: '14.4' }] } }, { distributed_interval: '300ms', accelerate: false });
  const sim = runInProcess(s, server.url);
  const srv = server;
  await waitFor(() => srv.requests.filter((r) => r.endpoint === 'read').length >= 4);
  sim.stop();
  await sim.done;
  const reads = srv.requests.filter((r) => r.endpoint === 'read');
  expect(reads[3]!.at - reads[0]!.at).toBeLessThan(3000);
});
