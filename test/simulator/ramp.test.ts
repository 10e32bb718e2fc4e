import { afterEach, expect, test } from 'vitest';
import { decodeHistogram, percentilesMs } from '../../lib/histogram.js';
import { startFakeServer, type FakeServer } from './fixtures/fake-server.js';
import { runInProcess, scenario, waitFor } from './helpers.js';

let server: FakeServer | undefined;
afterEach(async () => server?.close());

test('a ramp starts the added hosts from now (their latency does not include the time before the ramp)', async () => {
  server = await startFakeServer();
  const s = scenario({ hosts: 10, fleet: { groups: [{ name: 'mac', count: 10, platform: 'darwin', os_version: '14' }] } }, { start_period: '300ms' });
  const sim = runInProcess(s, server.url, { hosts: 0, capacity: 10 });
  await new Promise((r) => setTimeout(r, 1500));
  expect(server.requests).toHaveLength(0);
  sim.setHosts(10);
  const srv = server;
  await waitFor(() => srv.requests.filter((r) => r.endpoint === 'enroll').length === 10);
  const enrolls = srv.requests.filter((r) => r.endpoint === 'enroll').map((r) => r.at);
  // Spread over start_period from the ramp, not all at once.
  expect(Math.max(...enrolls) - Math.min(...enrolls)).toBeGreaterThanOrEqual(150);
  sim.stop();
  const result = await sim.done;
  expect(percentilesMs(decodeHistogram(result.totals.endpoints.enroll.latency)).max).toBeLessThan(1000);
  expect(result.hosts).toBe(10);
});
